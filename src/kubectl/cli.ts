/**
 * Stand-alone entry point: `node dist/src/kubectl/cli.js get pods` runs kubectl without loading
 * the other k8ts components (what `k8ts kubectl` does after commander hands over).
 */
import { nodeIO } from './io.js';
import { runKubectl } from './run.js';

process.exitCode = await runKubectl(process.argv.slice(2), nodeIO());
