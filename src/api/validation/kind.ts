/** KindValidator and the helper that adapts typed validators to the registry's shape. */
import type { FieldError } from '../field.js';
import { Path } from '../field.js';
import type { KubeObject } from '../types.js';
import { validateObjectMetaUpdate } from './meta.js';

/** KindValidator: create is required; update and status fall back to upstream-like defaults. */
export interface KindValidator {
  create(obj: KubeObject): FieldError[];
  /** update defaults to metadata-update checks plus create validation. */
  update?(obj: KubeObject, old: KubeObject): FieldError[];
  /** status defaults to metadata-update checks only. */
  status?(obj: KubeObject, old: KubeObject): FieldError[];
}

type V<T> = (o: T) => FieldError[];
type U<T> = (o: T, old: T) => FieldError[];

export const metaOnly = (o: { metadata?: KubeObject['metadata'] }, old: { metadata?: KubeObject['metadata'] }): FieldError[] =>
  validateObjectMetaUpdate(o.metadata, old.metadata, Path.root('metadata'));

/** kind builds a KindValidator from typed functions. */
export function kind<T>(create: V<T>, update?: U<T>, status?: U<T>): KindValidator {
  return {
    create: (o) => create(o as unknown as T),
    update: update ? (o, old) => update(o as unknown as T, old as unknown as T) : (o, old) => [...metaOnly(o, old), ...create(o as unknown as T)],
    status: status ? (o, old) => status(o as unknown as T, old as unknown as T) : metaOnly,
  };
}
