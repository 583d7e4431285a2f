/**
 * The k8ts command line: one binary, one subcommand per component (as k3s). Each subcommand's
 * flags live in its own file under src/cmd; behaviour lives in the component's folder.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('k8ts')
  .description('Kubernetes, written in TypeScript')
  .version(pkg.version, '--version', 'print the k8ts version')
  .showHelpAfterError();

// Subcommands, each loaded only when it runs: importing a component costs start-up time, and a
// `k8ts kubectl get pods` should not pay for the apiserver. Help and unknown commands load all.
// Only commands that work are listed.
const commands: Record<string, () => Promise<(program: Command) => void>> = {
  server: async () => (await import('./server.js')).registerServer,
  agent: async () => (await import('./agent.js')).registerAgent,
  kubectl: async () => (await import('./kubectl.js')).registerKubectl,
  apiserver: async () => (await import('./apiserver.js')).registerApiserver,
  'controller-manager': async () => (await import('./controller-manager.js')).registerControllerManager,
  scheduler: async () => (await import('./scheduler.js')).registerScheduler,
  kubelet: async () => (await import('./kubelet.js')).registerKubelet,
  snapshot: async () => (await import('./snapshot.js')).registerSnapshot,
};
const invoked = process.argv[2];
const load = invoked !== undefined && Object.hasOwn(commands, invoked) ? [invoked] : Object.keys(commands);
for (const name of load) (await commands[name]!())(program);

await program.parseAsync(process.argv);
