/**
 * claimObjects is upstream's ControllerRefManager: of the candidate objects, an owner keeps
 * those it controls that still match its selector, releases those that stopped matching
 * (unless it is being deleted), and adopts matching orphans after a live read confirms it
 * still exists and is not being deleted. Patches carry the object's resourceVersion, so a
 * concurrent change makes them fail with Conflict instead of overwriting.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isStatusError } from '../../api/errors.js';
import type { Selector } from '../../api/labels.js';
import type { ApiObject, ResourceInterface } from '../../client/index.js';
import { controllerOf } from './owner.js';

export interface ClaimOptions<O extends ApiObject, T extends ApiObject> {
  owner: O;
  ownerRef: OwnerReference;
  selector: Selector;
  /** api writes the candidates (namespaced to the owner's namespace). */
  api: ResourceInterface<T>;
  /** fetchOwner reads the owner live, for the adoption check; undefined if it is gone. */
  fetchOwner(): Promise<O | undefined>;
}

export async function claimObjects<O extends ApiObject, T extends ApiObject>(candidates: readonly T[], o: ClaimOptions<O, T>): Promise<T[]> {
  const uid = o.owner.metadata?.uid;
  const deleting = !!o.owner.metadata?.deletionTimestamp;
  const out: T[] = [];
  let canAdopt: boolean | undefined;
  for (const obj of candidates) {
    const ref = controllerOf(obj);
    // Another controller's object is never claimed: its labels need no matching.
    if (ref && ref.uid !== uid) continue;
    const matches = o.selector.matches(obj.metadata?.labels);
    if (ref) {
      if (matches) out.push(obj);
      else if (!deleting) await patchOwnerRefs(o.api, obj, (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid));
      continue;
    }
    if (!matches || deleting || obj.metadata?.deletionTimestamp) continue;
    if (canAdopt === undefined) {
      const fresh = await o.fetchOwner();
      canAdopt = fresh?.metadata?.uid === uid && !fresh?.metadata?.deletionTimestamp;
    }
    if (!canAdopt) continue;
    const adopted = await patchOwnerRefs(o.api, obj, [...(obj.metadata?.ownerReferences ?? []), o.ownerRef]);
    if (adopted) out.push(adopted);
  }
  return out;
}

/** patchOwnerRefs rewrites ownerReferences guarded by resourceVersion; undefined if the object is gone. */
export async function patchOwnerRefs<T extends ApiObject>(api: ResourceInterface<T>, obj: T, refs: OwnerReference[]): Promise<T | undefined> {
  try {
    return await api.patch(obj.metadata?.name ?? '', 'merge', {
      metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: obj.metadata?.resourceVersion, uid: obj.metadata?.uid },
    });
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return undefined;
    throw err;
  }
}

/** getOrUndefined reads an object, mapping NotFound to undefined. */
export async function getOrUndefined<T extends ApiObject>(api: ResourceInterface<T>, name: string): Promise<T | undefined> {
  try {
    return await api.get(name);
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return undefined;
    throw err;
  }
}
