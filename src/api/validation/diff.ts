/**
 * diffLines approximates the go-cmp report upstream appends to "may not change fields" errors:
 * a header naming the Go type, one `-`/`+` pair per changed top-level field, and a count of the
 * identical ones. The field names and the first line match upstream; nested values are shown as
 * JSON rather than Go syntax.
 */
export function diffLines(goType: string, oldObj: unknown, newObj: unknown): string {
  const o = (oldObj ?? {}) as Record<string, unknown>;
  const n = (newObj ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(o), ...Object.keys(n)])];
  const lines = [`  ${goType}{`];
  let same = 0;
  const flush = (): void => {
    if (same > 0) lines.push(`  \t... // ${same} identical field${same === 1 ? '' : 's'}`);
    same = 0;
  };
  for (const k of keys) {
    const a = JSON.stringify(o[k] ?? null);
    const b = JSON.stringify(n[k] ?? null);
    if (a === b) {
      same++;
      continue;
    }
    flush();
    const name = k.charAt(0).toUpperCase() + k.slice(1);
    lines.push(`- \t${name}: ${a === 'null' ? 'nil' : a},`);
    lines.push(`+ \t${name}: ${b === 'null' ? 'nil' : b},`);
  }
  flush();
  lines.push('  }');
  return lines.join('\n') + '\n';
}
