/**
 * runKubectl: the kubectl command line. Finds the (sub)command as cobra does, parses flags
 * with pflag's rules, runs it, and prints failures the way kubectl's cmdutil.CheckErr does.
 */
import { StatusError } from '../api/errors.js';
import { Flags, GLOBAL_FLAGS, UsageError, parseArgs, type FlagSpecs } from './args.js';
import { CmdError, Factory, type IOStreams } from './factory.js';
import { statusLine } from './mutate.js';
import { COMMANDS, type Command } from './commands.js';

/** findCommand returns the command path words and the remaining argv (flags kept in place). */
function findCommand(argv: readonly string[]): { cmd: Command | undefined; path: string[]; rest: string[] } {
  const rest: string[] = [];
  const path: string[] = [];
  let table: Record<string, Command> | undefined = COMMANDS;
  let cmd: Command | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a.startsWith('-')) {
      rest.push(a);
      // A global flag's separate value is not a command word.
      const long = a.startsWith('--') ? a.slice(2) : undefined;
      const spec = long !== undefined ? GLOBAL_FLAGS[long] : Object.values(GLOBAL_FLAGS).find((s) => s.short === a.slice(1) && a.length === 2);
      if (spec && spec.type !== 'bool' && !a.includes('=') && i + 1 < argv.length) rest.push(argv[++i] as string);
      continue;
    }
    if (table && table[a]) {
      cmd = table[a];
      path.push(a);
      table = cmd.sub;
      continue;
    }
    if (table && !cmd && path.length === 0) {
      // Unknown top-level word.
      return { cmd: undefined, path: [a], rest: [] };
    }
    table = undefined;
    rest.push(a);
  }
  return { cmd, path, rest };
}

/** runKubectl runs one kubectl invocation and resolves with its exit code. */
export async function runKubectl(argv: readonly string[], io: IOStreams): Promise<number> {
  const { cmd, path, rest } = findCommand(argv);
  if (!cmd) {
    if (path.length === 0) {
      io.out(TOP_HELP);
      return 0;
    }
    io.err(`error: unknown command "${path[0]}" for "kubectl"\n`);
    return 1;
  }
  let f: Factory | undefined;
  try {
    if (!cmd.run) {
      if (cmd.sub) {
        io.out(`${cmd.help ?? ''}`);
        return 0;
      }
      throw new CmdError(`unknown command ${path.join(' ')}`);
    }
    const specs: FlagSpecs = cmd.flags ?? {};
    let parsed;
    try {
      parsed = parseArgs(rest, specs);
    } catch (err) {
      if (err instanceof UsageError) {
        io.err(`Error: ${err.message}\nSee 'kubectl ${path.join(' ')} --help' for usage.\n`);
        return 1;
      }
      throw err;
    }
    const flags = new Flags(parsed);
    if (flags.bool('help')) {
      io.out(cmd.help ?? `Usage: kubectl ${path.join(' ')} [options]\n`);
      return 0;
    }
    f = new Factory(io, flags);
    return await cmd.run(f, flags, parsed.positional, parsed.afterDash);
  } catch (err) {
    io.err(formatError(err));
    return err instanceof CmdError ? err.exitCode : 1;
  } finally {
    f?.close();
  }
}

/** formatError renders a failure as kubectl prints it (with the trailing newline). */
export function formatError(err: unknown): string {
  if (err instanceof CmdError) {
    const msg = err.raw || err.message.startsWith('error: ') ? err.message : `error: ${err.message}`;
    return msg.endsWith('\n') ? msg : msg + '\n';
  }
  if (err instanceof StatusError) return statusLine(err) + '\n';
  const code = (err as { code?: unknown } | null)?.code;
  const addr = (err as { address?: string; port?: number } | null) ?? {};
  if (code === 'ECONNREFUSED') return `The connection to the server ${addr.address ?? 'localhost'}:${addr.port ?? ''} was refused - did you specify the right host or port?\n`;
  return `error: ${err instanceof Error ? err.message : String(err)}\n`;
}

const TOP_HELP = `kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller
  autoscale       Auto-scale a deployment, replica set, stateful set, or replication controller

Cluster Management Commands:
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance
  taint           Update the taints on one or more nodes

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  attach          Attach to a running container
  exec            Execute a command in a container
  port-forward    Forward one or more local ports to a pod
  auth            Inspect authorization

Advanced Commands:
  replace         Replace a resource by file name or stdin
  patch           Update fields of a resource
  wait            Experimental: Wait for a specific condition on one or many resources

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource

Other Commands:
  api-resources   Print the supported API resources on the server
  api-versions    Print the supported API versions on the server, in the form of "group/version"
  config          Modify kubeconfig files
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]
`;
