/**
 * Command-line parsing with pflag's rules (what cobra gives kubectl): `--flag=v`, `--flag v`,
 * `-o yaml`, `-oyaml`, `-o=yaml`, grouped booleans `-it`, `--bool=false`, repeated array flags,
 * `--` ends flags. Unknown flags fail with pflag's message.
 */

export type FlagType = 'bool' | 'string' | 'array' | 'int';

export interface FlagSpec {
  type: FlagType;
  short?: string;
  /** noOptDefVal is the value of `--flag` given without `=value` (pflag's NoOptDefVal). */
  noOptDefVal?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgs {
  positional: string[];
  /** flags maps a flag's long name to every value given, in order. */
  flags: Map<string, string[]>;
  /** afterDash are the arguments after `--` (exec's command). */
  afterDash: string[] | undefined;
}

/** GLOBAL_FLAGS are kubectl's persistent flags, valid for every command. */
export const GLOBAL_FLAGS: FlagSpecs = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  cluster: { type: 'string' },
  user: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  server: { type: 'string', short: 's' },
  token: { type: 'string' },
  'request-timeout': { type: 'string' },
  'insecure-skip-tls-verify': { type: 'bool' },
  'certificate-authority': { type: 'string' },
  'client-certificate': { type: 'string' },
  'client-key': { type: 'string' },
  'tls-server-name': { type: 'string' },
  'cache-dir': { type: 'string' },
  'match-server-version': { type: 'bool' },
  'disable-compression': { type: 'bool' },
  username: { type: 'string' },
  password: { type: 'string' },
  v: { type: 'string', short: 'v' },
  'log-flush-frequency': { type: 'string' },
  warnings_as_errors: { type: 'bool' },
  help: { type: 'bool', short: 'h' },
  /** k8ts only: the server data dir whose admin kubeconfig is used when nothing else is configured. */
  'data-dir': { type: 'string' },
};

/** parseArgs parses argv against the global flags plus a command's own. */
export function parseArgs(argv: readonly string[], specs: FlagSpecs): ParsedArgs {
  const all: FlagSpecs = { ...GLOBAL_FLAGS, ...specs };
  const byShort = new Map<string, string>();
  for (const [name, s] of Object.entries(all)) if (s.short) byShort.set(s.short, name);
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  const set = (name: string, v: string): void => {
    const spec = all[name]!;
    if (spec.type === 'bool' && !/^(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.test(v)) {
      throw new UsageError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
    }
    if (spec.type === 'int' && !/^-?\d+$/.test(v)) {
      throw new UsageError(`invalid argument "${v}" for "${spec.short ? `-${spec.short}, ` : ''}--${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
    }
    const list = flags.get(name) ?? [];
    if (spec.type === 'array') list.push(...splitArray(v));
    else list.push(v);
    flags.set(name, list);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') return { positional, flags, afterDash: argv.slice(i + 1) };
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = all[name];
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      if (eq >= 0) set(name, a.slice(eq + 1));
      else if (spec.type === 'bool') set(name, 'true');
      else if (spec.noOptDefVal !== undefined) set(name, spec.noOptDefVal);
      else {
        if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${name}`);
        set(name, argv[++i] as string);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      let j = 1;
      while (j < a.length) {
        const c = a[j] as string;
        const name = byShort.get(c);
        if (!name) throw new UsageError(`unknown shorthand flag: '${c}' in ${a}`);
        const spec = all[name]!;
        if (spec.type === 'bool') {
          if (a[j + 1] === '=') {
            set(name, a.slice(j + 2));
            break;
          }
          set(name, 'true');
          j++;
          continue;
        }
        let rest = a.slice(j + 1);
        if (rest.startsWith('=')) rest = rest.slice(1);
        if (rest !== '') set(name, rest);
        else if (spec.noOptDefVal !== undefined) set(name, spec.noOptDefVal);
        else {
          if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: '${c}' in -${c}`);
          set(name, argv[++i] as string);
        }
        break;
      }
      continue;
    }
    positional.push(a);
  }
  return { positional, flags, afterDash: undefined };
}

/** splitArray splits a string-slice flag value on commas, as pflag's StringSlice (CSV rules). */
function splitArray(v: string): string[] {
  if (v === '') return [];
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === '"' && (cur === '' || quoted)) {
      if (quoted && v[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
      continue;
    }
    if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** Flags reads parsed flag values with defaults. */
export class Flags {
  constructor(readonly parsed: ParsedArgs) {}

  has(name: string): boolean {
    return this.parsed.flags.has(name);
  }

  str(name: string, dflt = ''): string {
    const v = this.parsed.flags.get(name);
    return v && v.length > 0 ? (v[v.length - 1] as string) : dflt;
  }

  bool(name: string, dflt = false): boolean {
    const v = this.parsed.flags.get(name);
    if (!v || v.length === 0) return dflt;
    return /^(true|1|t|TRUE|True)$/.test(v[v.length - 1] as string);
  }

  int(name: string, dflt: number): number {
    const v = this.parsed.flags.get(name);
    return v && v.length > 0 ? Number(v[v.length - 1]) : dflt;
  }

  list(name: string): string[] {
    return this.parsed.flags.get(name) ?? [];
  }
}
