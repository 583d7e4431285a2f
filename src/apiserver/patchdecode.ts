/**
 * The answer kube-apiserver gives when a patched object does not decode into its Go struct
 * (handlers/patch.go), with the Go formatting its message needs.
 */
import { invalid, type StatusError } from '../api/errors.js';
import { goValue } from '../api/patch/index.js';
import type { KubeObject } from '../api/types.js';

/**
 * patchDecodeError is kube-apiserver's answer (handlers/patch.go) when a patched object does not
 * decode into its Go struct: 422 Invalid with no kind or name and one cause on field `patch`.
 * JSON and merge patches decode the patched JSON, so the value is that JSON and the detail
 * encoding/json's error (decodeError). A strategic merge patch converts the patched map from
 * unstructured instead: the value is the patch map as Go's %+v prints it, the detail
 * runtime.DefaultUnstructuredConverter's wording of the same failure.
 */
export function patchDecodeError(ct: string, patched: KubeObject, patch: unknown, decodeError: string): StatusError {
  const smp = ct === 'application/strategic-merge-patch+json';
  return invalid({ group: '', kind: '' }, '', [
    { type: 'FieldValueInvalid', field: 'patch', badValue: smp ? goValue(patch) : JSON.stringify(patched), detail: smp ? converterError(decodeError) : decodeError },
  ]);
}

const UNMARSHAL_TYPE = /^json: cannot unmarshal (number (\S+)|\S+) into Go struct field \S+ of type (\S+)$/;

/**
 * converterError words a JSON decoding type error as runtime's fromUnstructured does for the same
 * value (converter.go): a string, bool, array or object for a number, string or bool is an
 * "unrecognized type", an int64 only fails where a string is wanted, a float64 only when it is
 * not whole, and structs, slices and maps "cannot restore" from another kind. Errors of the
 * self-decoding types (Quantity, Time, []byte) are their UnmarshalJSON's, the same either way.
 */
function converterError(msg: string): string {
  if (msg.startsWith('illegal base64 data')) return `error decoding from json: ${msg}`;
  const m = UNMARSHAL_TYPE.exec(msg);
  if (!m) return msg;
  const [, kind, literal, type] = m as unknown as [string, string, string | undefined, string];
  // A number named without its literal is taken as an int64, the common case (`image: 3`).
  const src = literal === undefined ? kind : Number.isInteger(Number(literal)) ? 'int64' : 'float64';
  const srcKind = ({ number: 'int64', array: 'slice', object: 'map' } as Record<string, string>)[src] ?? src;
  if (type.startsWith('[]')) return `cannot restore slice from ${srcKind}`;
  if (type.startsWith('map[')) return `cannot restore map from ${srcKind}`;
  if (type.includes('.')) return `cannot restore struct from: ${srcKind}`;
  if (srcKind === 'int64' && type === 'string') return 'cannot convert int64 to string';
  if (srcKind === 'float64' && type !== 'string' && type !== 'bool') return `cannot convert float64 to ${type}`;
  return `unrecognized type: ${type}`;
}
