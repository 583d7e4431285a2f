/**
 * sprintf formats Go-style verbs (`%s %v %d %q %%`, plus `%+v` treated as %v), enough for
 * event messages written the way upstream writes them.
 */
export function sprintf(format: string, ...args: unknown[]): string {
  let i = 0;
  return format.replace(/%([+#]?)([svdqtfx%])/g, (m, _flag: string, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const a = args[i++];
    switch (verb) {
      case 'q':
        return JSON.stringify(typeof a === 'string' ? a : String(a));
      case 'd':
        return typeof a === 'number' || typeof a === 'bigint' ? String(Math.trunc(Number(a))) : `%!d(${String(a)})`;
      case 'x':
        return typeof a === 'number' || typeof a === 'bigint' ? a.toString(16) : Buffer.from(String(a)).toString('hex');
      case 'f':
        return typeof a === 'number' ? a.toFixed(6) : `%!f(${String(a)})`;
      case 's':
      case 'v':
      case 't':
        return valueString(a);
      default:
        return m;
    }
  });
}

function valueString(a: unknown): string {
  if (a instanceof Error) return a.message;
  if (a === null || a === undefined) return '<nil>';
  if (typeof a === 'object') {
    try {
      return JSON.stringify(a);
    } catch {
      return String(a);
    }
  }
  return String(a);
}
