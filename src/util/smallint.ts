/**
 * smallInt returns n as a small integer (a Smi) when it is one in value. Numbers that arrive as
 * heap numbers (read from a Float64Array, or computed from Date.now()) would otherwise make V8
 * box the field in every object of that shape that keeps them: a heap object each, for the
 * garbage collector to mark, in every cached entry, event and stored KeyValue.
 */
export function smallInt(n: number): number {
  return n >= 0 && n < 0x7fffffff ? n | 0 : n;
}
