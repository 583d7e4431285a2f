import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, URGENT_RUN } from './queue.js';
import { seededRandom } from '../../util/random.js';

/**
 * Model is Queue's contract written the plain way: two exact FIFO lanes (an item waits in at
 * most one, found by searching), so every order Queue promises can be compared step by step.
 */
class Model {
  routine: string[] = [];
  urgent: string[] = [];
  readonly dirty = new Set<string>();
  readonly processing = new Set<string>();
  readonly urgentOnDone = new Set<string>();
  waiters = 0;
  urgentRun = 0;
  shut = false;
  /** handed lists the items given to blocked getters, in order. */
  handed: string[] = [];

  add(x: string): void {
    if (this.shut || this.dirty.has(x)) return;
    this.dirty.add(x);
    if (!this.processing.has(x)) this.push(x, false);
  }
  addUrgent(x: string): void {
    if (this.shut) return;
    if (this.processing.has(x)) {
      this.dirty.add(x);
      this.urgentOnDone.add(x);
      return;
    }
    if (this.dirty.has(x)) {
      const i = this.routine.indexOf(x);
      if (i >= 0) {
        this.routine.splice(i, 1);
        this.urgent.push(x);
      }
      return;
    }
    this.dirty.add(x);
    this.push(x, true);
  }
  push(x: string, urgent: boolean): void {
    if (this.waiters > 0) {
      this.waiters--;
      this.dirty.delete(x);
      this.processing.add(x);
      this.handed.push(x);
      return;
    }
    (urgent ? this.urgent : this.routine).push(x);
  }
  len(): number {
    return this.routine.length + this.urgent.length;
  }
  /** get returns the item handed out now, or undefined when the caller waits (or the queue is shut and empty). */
  get(): string | undefined {
    if (this.len() === 0) {
      if (!this.shut) this.waiters++;
      return undefined;
    }
    let x: string;
    if (this.urgent.length > 0 && (this.routine.length === 0 || this.urgentRun < URGENT_RUN)) {
      this.urgentRun++;
      x = this.urgent.shift()!;
    } else {
      this.urgentRun = 0;
      x = this.routine.shift()!;
    }
    this.dirty.delete(x);
    this.processing.add(x);
    return x;
  }
  done(x: string): void {
    if (!this.processing.delete(x)) return;
    const urgent = this.urgentOnDone.delete(x);
    if (this.dirty.has(x)) this.push(x, urgent);
  }
}


const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

test('Queue: random add/addUrgent/get/done sequences match the two-lane model (order, len, each item to one worker at a time)', async () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rand = seededRandom(seed);
    const keys = Array.from({ length: 2 + Math.floor(rand() * 8) }, (_, i) => `k${i}`);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const q = new Queue<string>();
    const m = new Model();
    const inHand = new Set<string>();
    const handed: string[] = [];
    const take = (x: string | undefined, where: string): void => {
      if (x === undefined) return;
      assert.ok(!inHand.has(x), `seed ${seed} ${where}: ${x} handed to a second worker`);
      inHand.add(x);
    };
    const trail: string[] = [];
    for (let step = 0; step < 300; step++) {
      const r = rand();
      const where = `seed ${seed} step ${step} (${trail.slice(-12).join(' ')})`;
      if (r < 0.3) {
        const k = pick(keys);
        trail.push(`add ${k}`);
        q.add(k);
        m.add(k);
      } else if (r < 0.5) {
        const k = pick(keys);
        trail.push(`urgent ${k}`);
        q.addUrgent(k);
        m.addUrgent(k);
      } else if (r < 0.8) {
        trail.push('get');
        const want = m.get();
        void q.get().then((v) => {
          take(v, where);
          if (v !== undefined) handed.push(v);
        });
        await flush();
        if (want !== undefined) assert.equal(handed.shift(), want, `${where}: get`);
      } else if (inHand.size > 0) {
        const k = pick([...inHand]);
        trail.push(`done ${k}`);
        inHand.delete(k);
        q.done(k);
        m.done(k);
      }
      await flush();
      // Items given to blocked getters, in the order the model gave them.
      assert.deepEqual(handed.splice(0), m.handed.splice(0), `${where}: blocked getters`);
      assert.equal(q.len(), m.len(), `${where}: len`);
    }
    // Drain: every waiting item comes out once, in the model's order.
    for (const k of [...inHand]) (q.done(k), m.done(k));
    inHand.clear();
    await flush();
    assert.deepEqual(handed.splice(0), m.handed.splice(0), `seed ${seed}: blocked getters at drain`);
    while (m.len() > 0) {
      const want = m.get()!;
      const got = await q.get();
      assert.equal(got, want, `seed ${seed}: drain`);
      q.done(got);
      m.done(want);
    }
    assert.equal(q.len(), 0, `seed ${seed}: len after drain`);
    q.shutDown();
  }
});
