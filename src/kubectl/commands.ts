/** The command table: each kubectl verb with its flags and implementation. */
import { Flags, type FlagSpecs } from './args.js';
import { type Factory } from './factory.js';
import { GET_FLAGS, runGet } from './get.js';
import { runApiResources, runApiVersions, runClusterInfo, runConfig, runVersion } from './misc.js';
import { APPLY_FLAGS, CREATE_FLAGS, DELETE_FLAGS, META_FLAGS, PATCH_FLAGS, REPLACE_FLAGS, SCALE_FLAGS, runApply, runCreateFromFiles, runDelete, runLabelOrAnnotate, runPatch, runReplace, runScale } from './mutate.js';
import { CREATE_SUBCOMMANDS } from './create.js';
import { DESCRIBE_FLAGS, runDescribe } from './describe.js';
import { MORE_COMMANDS } from './more.js';
import { EXPLAIN_FLAGS, runExplain } from './explain.js';

export interface Command {
  flags?: FlagSpecs;
  run?: (f: Factory, flags: Flags, args: string[], afterDash: string[] | undefined) => Promise<number>;
  sub?: Record<string, Command>;
  help?: string;
}

const CONFIG_FLAGS: FlagSpecs = {
  output: { type: 'string', short: 'o' },
  minify: { type: 'bool' },
  raw: { type: 'bool' },
  flatten: { type: 'bool' },
  merge: { type: 'string' },
  'no-headers': { type: 'bool' },
  current: { type: 'bool' },
  'set-raw-bytes': { type: 'bool' },
  'embed-certs': { type: 'bool' },
  'show-managed-fields': { type: 'bool' },
  'allow-missing-template-keys': { type: 'bool' },
  template: { type: 'string' },
};

const configSub = (name: string): Command => ({ flags: CONFIG_FLAGS, run: (f, flags, args) => runConfig(f, flags, name, args) });

export const COMMANDS: Record<string, Command> = {
  get: { flags: GET_FLAGS, run: runGet },
  create: { flags: CREATE_FLAGS, run: runCreateFromFiles, sub: CREATE_SUBCOMMANDS },
  apply: { flags: APPLY_FLAGS, run: runApply },
  replace: { flags: REPLACE_FLAGS, run: runReplace },
  delete: { flags: DELETE_FLAGS, run: runDelete },
  patch: { flags: PATCH_FLAGS, run: runPatch },
  label: { flags: META_FLAGS, run: (f, flags, args) => runLabelOrAnnotate(f, flags, args, 'labels') },
  annotate: { flags: META_FLAGS, run: (f, flags, args) => runLabelOrAnnotate(f, flags, args, 'annotations') },
  scale: { flags: SCALE_FLAGS, run: runScale },
  describe: { flags: DESCRIBE_FLAGS, run: runDescribe },
  version: { flags: { output: { type: 'string', short: 'o' }, client: { type: 'bool' } }, run: (f, flags) => runVersion(f, flags) },
  'api-versions': { run: (f) => runApiVersions(f) },
  'api-resources': {
    flags: {
      output: { type: 'string', short: 'o' },
      namespaced: { type: 'bool' },
      'api-group': { type: 'string' },
      verbs: { type: 'array' },
      categories: { type: 'array' },
      'sort-by': { type: 'string' },
      'no-headers': { type: 'bool' },
      cached: { type: 'bool' },
    },
    run: (f, flags) => runApiResources(f, flags),
  },
  explain: { flags: EXPLAIN_FLAGS, run: (f, flags, args) => runExplain(f, flags, args) },
  'cluster-info': { run: (f, _flags, args) => runClusterInfo(f, args) },
  config: {
    sub: Object.fromEntries(['view', 'current-context', 'get-contexts', 'get-clusters', 'get-users', 'use-context', 'use', 'set-context', 'delete-context', 'set-cluster', 'set-credentials'].map((n) => [n, configSub(n)])),
  },
  ...MORE_COMMANDS,
};

// set-cluster/set-credentials flags reuse names of global flags (server, token, ...); they are global already.
