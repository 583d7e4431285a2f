/**
 * Flag plumbing shared by every k8ts command, as k3s does it: each long flag `--foo-bar` can
 * also come from the environment variable `K8TS_FOO_BAR` and from a YAML config file (keys are
 * the flag names without dashes: `foo-bar: value`, lists for repeatable flags). The file is
 * `--config FILE` (or `K8TS_CONFIG`), else `/etc/k8ts/config.yaml` when it exists.
 *
 * Precedence, highest first: command line, environment, config file, built-in default.
 *
 * Usage: define the command's options with commander as usual, then call
 * `withEnvAndConfig(cmd)` once; the values arrive in the action's options object.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { parse as parseYAML } from 'yaml';

/** DEFAULT_CONFIG_FILE is read when no --config is given and the file exists (k3s: /etc/rancher/k3s/config.yaml). */
export const DEFAULT_CONFIG_FILE = '/etc/k8ts/config.yaml';

export interface EnvAndConfigOptions {
  /** envPrefix is prepended to the upper-snake flag name (default `K8TS_`). */
  envPrefix?: string;
  /** env to read (default process.env; tests pass their own). */
  env?: NodeJS.ProcessEnv;
  /** defaultConfigFile is read when --config is absent (default DEFAULT_CONFIG_FILE; '' disables). */
  defaultConfigFile?: string;
  /** warn receives notices such as unknown config keys (default: stderr). */
  warn?: (msg: string) => void;
}

/** envName is the variable a long flag is read from: `--tls-san` → `K8TS_TLS_SAN`. */
export function envName(long: string, prefix = 'K8TS_'): string {
  return prefix + long.replace(/^--/, '').replace(/-/g, '_').toUpperCase();
}

/** ConfigError is a bad value in the environment or the config file (the message names it). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off', '']);

function parseBool(v: unknown, where: string): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new ConfigError(`${where}: invalid boolean ${JSON.stringify(v)} (want true or false)`);
}

/** isBoolean: a flag without a value (`--disable-agent`), or one with an optional value (`--leader-elect [bool]`). */
const isBoolean = (o: Option): boolean => !o.required && !o.optional;

/**
 * valueOf turns raw values (one env string, or a YAML scalar or list) into the option's value,
 * through the option's own argument parser when it has one (so `collect` parsers accumulate).
 */
function valueOf(o: Option, raw: unknown, where: string): unknown {
  if (isBoolean(o)) return parseBool(raw, where);
  const items = Array.isArray(raw) ? raw : [raw];
  let acc: unknown = o.defaultValue;
  // A repeatable flag starts from an empty list rather than its default, as on the command line.
  if (Array.isArray(acc)) acc = [];
  const parse = (o as Option & { parseArg?: (v: string, prev: unknown) => unknown }).parseArg;
  for (const item of items) {
    if (item !== null && typeof item === 'object') throw new ConfigError(`${where}: expected a string, number, boolean or list, got ${JSON.stringify(item)}`);
    const s = String(item);
    try {
      acc = parse ? parse(s, acc) : s;
    } catch (err) {
      throw new ConfigError(`${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return acc;
}

/** readConfigFile parses a k3s-style YAML config file into flag name → raw value. */
export function readConfigFile(path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYAML(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config file ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${path}: expected a mapping of flag names to values`);
  return doc as Record<string, unknown>;
}

/**
 * applyEnvAndConfig fills every option the command line left unset, first from the
 * environment, then from the config file. It returns the config file used (if any).
 * Throws ConfigError naming the variable or key for a value that does not parse.
 */
export function applyEnvAndConfig(cmd: Command, o: EnvAndConfigOptions = {}): string | undefined {
  const env = o.env ?? process.env;
  const prefix = o.envPrefix ?? 'K8TS_';
  const warn = o.warn ?? ((m: string) => process.stderr.write(`${m}\n`));
  const unset = (opt: Option): boolean => {
    const src = cmd.getOptionValueSource(opt.attributeName());
    return src === undefined || src === 'default' || src === 'implied';
  };
  const settable = cmd.options.filter((opt) => opt.long && !opt.negate && opt.long !== '--config');

  for (const opt of settable) {
    const name = envName(opt.long!, prefix);
    const raw = env[name];
    if (raw === undefined || !unset(opt)) continue;
    cmd.setOptionValueWithSource(opt.attributeName(), valueOf(opt, raw, `environment variable ${name}`), 'env');
  }

  const explicit = cmd.getOptionValue('config') as string | undefined;
  const fallback = o.defaultConfigFile ?? DEFAULT_CONFIG_FILE;
  const file = explicit ?? (fallback && existsSync(fallback) ? fallback : undefined);
  if (!file) return undefined;
  if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
  const byName = new Map(settable.map((opt) => [opt.long!.slice(2), opt]));
  for (const [key, raw] of Object.entries(readConfigFile(file))) {
    const opt = byName.get(key);
    if (!opt) {
      // One file serves `server` and `agent` (as k3s): keys of the other command are expected.
      if (explicit) warn(`config file ${file}: key ${JSON.stringify(key)} is not a flag of "${cmd.name()}"; ignored`);
      continue;
    }
    if (!unset(opt)) continue;
    cmd.setOptionValueWithSource(opt.attributeName(), valueOf(opt, raw, `config file ${file}: ${key}`), 'config');
  }
  return file;
}

/**
 * withEnvAndConfig adds `--config FILE` to the command and applies environment variables and
 * the config file before its action runs (see applyEnvAndConfig). Call it after defining the
 * command's options. A bad value ends the command with the ConfigError's message.
 */
export function withEnvAndConfig(cmd: Command, o: EnvAndConfigOptions = {}): Command {
  const prefix = o.envPrefix ?? 'K8TS_';
  cmd.option('--config <file>', `(config) YAML file of flag values (default ${o.defaultConfigFile ?? DEFAULT_CONFIG_FILE} when present)`);
  cmd.addHelpText(
    'after',
    `\nEvery flag can also be set as an environment variable (--tls-san → ${envName('--tls-san', prefix)}) or as a key of the\nconfig file (tls-san: [a, b]); the command line wins over the environment, which wins over the file.`,
  );
  cmd.hook('preAction', (thisCommand) => {
    try {
      // --config itself may come from the environment.
      if (thisCommand.getOptionValue('config') === undefined && (o.env ?? process.env)[`${prefix}CONFIG`]) {
        thisCommand.setOptionValueWithSource('config', (o.env ?? process.env)[`${prefix}CONFIG`], 'env');
      }
      applyEnvAndConfig(thisCommand, o);
    } catch (err) {
      if (err instanceof ConfigError) thisCommand.error(`error: ${err.message}`, { exitCode: 1, code: 'k8ts.config' });
      throw err;
    }
  });
  return cmd;
}

/** collect accumulates a repeatable flag, each value also split on commas (`--tls-san a,b --tls-san c`). */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/**
 * addNodeFlags defines the flags of the node a command runs (`k8ts server`'s local node and
 * `k8ts agent`), so both spell, default and document them alike. `nodeName` and `stopPods`
 * finish the two descriptions that differ by command.
 */
export function addNodeFlags(cmd: Command, o: { nodeName: string; stopPods: string }): Command {
  return cmd
    .option('--node-name <name>', `(agent/node) ${o.nodeName}`)
    .option('--node-ip <ip>', '(agent/node) IP of the node (default: first non-loopback IPv4)')
    .option('--node-label <key=value>', '(agent/node) label to register the node with (repeatable)', collect, [])
    .option('--node-taint <key=value:Effect>', '(agent/node) taint to register the node with (repeatable)', collect, [])
    .option('--container-runtime <name>', '(agent/runtime) process (host processes) or simulated', 'process')
    .option('--kubelet-port <port>', '(agent/node) port of the kubelet API, served over HTTPS on every address to authenticated callers (0 picks a free port)', '10250')
    .option('--stop-pods-on-exit', `(agent/runtime) stop the node's containers when the ${o.stopPods}`);
}

/**
 * onStopSignals makes the first SIGINT/SIGTERM ask `stop` for a clean shutdown (said on stderr
 * as `<name>: SIGTERM received, stopping`) and a second one exit at once with code 130.
 */
export function onStopSignals(name: string, stop: () => void): void {
  let signals = 0;
  const onSignal = (sig: string): void => {
    if (++signals > 1) {
      process.stderr.write(`${name}: ${sig} again, exiting now\n`);
      process.exit(130);
    }
    process.stderr.write(`${name}: ${sig} received, stopping\n`);
    stop();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}
