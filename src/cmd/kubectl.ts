/**
 * `k8ts kubectl ...`: kubectl in TypeScript. Arguments after `kubectl` are parsed by kubectl's
 * own (pflag-style) parser, not commander, so every kubectl flag form works unchanged.
 */
import type { Command } from 'commander';
import { nodeIO, runKubectl } from '../kubectl/index.js';

export function registerKubectl(program: Command): void {
  program
    .command('kubectl')
    .description('kubectl: control the cluster (same commands, flags and output as kubectl)')
    .helpOption(false)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .argument('[args...]')
    .action(async () => {
      const i = process.argv.indexOf('kubectl');
      const code = await runKubectl(process.argv.slice(i + 1), nodeIO());
      // Let pending stdout/stderr writes drain before exiting.
      process.exitCode = code;
    });
}
