/** Finalizer helpers shared by the controllers that hold an object's deletion with a finalizer of their own. */
import { isStatusError } from '../../api/errors.js';
import type { ApiObject, ResourceInterface } from '../../client/index.js';

/** deletionCandidate: o is being deleted and still carries finalizer (the controller must decide to release it). */
export function deletionCandidate(o: ApiObject, finalizer: string): boolean {
  return !!o.metadata?.deletionTimestamp && (o.metadata.finalizers ?? []).includes(finalizer);
}

/** needsFinalizer: o is not being deleted and lacks finalizer (created before the admission plugin that adds it was on). */
export function needsFinalizer(o: ApiObject, finalizer: string): boolean {
  return !o.metadata?.deletionTimestamp && !(o.metadata?.finalizers ?? []).includes(finalizer);
}

/**
 * writeFinalizers updates obj (a cached object: a copy is written, never obj itself) with
 * finalizers; an object already gone is fine, and a Conflict is left to the caller's retry.
 */
export async function writeFinalizers<T extends ApiObject>(api: ResourceInterface<T>, obj: T, finalizers: string[]): Promise<void> {
  await api.update({ ...obj, metadata: { ...obj.metadata, finalizers } }).catch((err: unknown) => {
    if (!isStatusError(err, 'NotFound')) throw err;
  });
}
