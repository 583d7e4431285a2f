/**
 * Defaulting of API objects as upstream's pkg/apis/<group>/<version>/defaults.go: fills in the
 * fields a user may omit, in place. The apiserver calls it on every create and update, before
 * validation.
 *
 * TEMPORARY STUB: the defaulting work replaces this body; the signature is the contract.
 */
import type { GroupVersionKind, KubeObject } from '../types.js';

export function applyDefaults(_gvk: GroupVersionKind, _obj: KubeObject): void {}
