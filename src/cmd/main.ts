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

// Subcommands register themselves here; only commands that work are listed.
const registrations: Array<(program: Command) => void> = [
  (await import('./apiserver.js')).registerApiserver,
  (await import('./controller-manager.js')).registerControllerManager,
  (await import('./snapshot.js')).registerSnapshot,
  (await import('./kubelet.js')).registerKubelet,
  (await import('./scheduler.js')).registerScheduler,
  (await import('./server.js')).registerServer,
  (await import('./agent.js')).registerAgent,
  (await import('./kubectl.js')).registerKubectl,
];
for (const register of registrations) register(program);

await program.parseAsync(process.argv);
