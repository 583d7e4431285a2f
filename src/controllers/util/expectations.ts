/**
 * PodExpectations (upstream: UIDTrackingControllerExpectations): a controller records the
 * names of pods it is about to create and the keys of pods it is about to delete, and does
 * not act on a key again until its informer has observed every one of those changes (or five
 * minutes have passed). This is what keeps a stale cache from creating extra pods.
 *
 * Names are chosen client-side (as generateName would), so the expectation exists before the
 * request is sent and a watch event can never arrive before it.
 */
import type { Clock } from '../../client/index.js';

const TTL_MS = 5 * 60_000;

interface Pending {
  adds: Set<string>;
  dels: Set<string>;
  since: number;
}

export class PodExpectations {
  private readonly byController = new Map<string, Pending>();
  /** owner maps a pending pod key to the controller key waiting for it. */
  private readonly owner = new Map<string, string>();

  constructor(private readonly clock: Clock) {}

  private entry(controllerKey: string): Pending {
    let e = this.byController.get(controllerKey);
    if (!e) {
      e = { adds: new Set(), dels: new Set(), since: this.clock.now() };
      this.byController.set(controllerKey, e);
    }
    return e;
  }

  /** expectCreate records that podKey (`ns/name`) is about to be created for controllerKey. */
  expectCreate(controllerKey: string, podKey: string): void {
    const e = this.entry(controllerKey);
    if (e.adds.size === 0 && e.dels.size === 0) e.since = this.clock.now();
    e.adds.add(podKey);
    this.owner.set(podKey, controllerKey);
  }

  /** expectDelete records that podKey is about to be deleted for controllerKey. */
  expectDelete(controllerKey: string, podKey: string): void {
    const e = this.entry(controllerKey);
    if (e.adds.size === 0 && e.dels.size === 0) e.since = this.clock.now();
    e.dels.add(podKey);
    this.owner.set(podKey, controllerKey);
  }

  /** observed is called by the pod informer's handlers for every add, delete or deletionTimestamp. */
  observedAdd(podKey: string): void {
    this.settle(podKey, 'adds');
  }

  observedDelete(podKey: string): void {
    this.settle(podKey, 'adds');
    this.settle(podKey, 'dels');
  }

  /** lowered undoes an expectation whose request failed (the change will never be observed). */
  lowered(podKey: string): void {
    this.observedDelete(podKey);
  }

  private settle(podKey: string, kind: 'adds' | 'dels'): void {
    const c = this.owner.get(podKey);
    if (c === undefined) return;
    const e = this.byController.get(c);
    if (!e) return;
    e[kind].delete(podKey);
    if (!e.adds.has(podKey) && !e.dels.has(podKey)) this.owner.delete(podKey);
    if (e.adds.size === 0 && e.dels.size === 0) this.byController.delete(c);
  }

  /** satisfied is true when nothing is pending for controllerKey, or its wait has expired. */
  satisfied(controllerKey: string): boolean {
    const e = this.byController.get(controllerKey);
    if (!e) return true;
    if (this.clock.now() - e.since > TTL_MS) {
      this.forget(controllerKey);
      return true;
    }
    return false;
  }

  /** forget drops everything recorded for controllerKey (the controller was deleted). */
  forget(controllerKey: string): void {
    const e = this.byController.get(controllerKey);
    if (!e) return;
    for (const k of [...e.adds, ...e.dels]) this.owner.delete(k);
    this.byController.delete(controllerKey);
  }
}
