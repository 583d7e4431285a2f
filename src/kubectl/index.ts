/**
 * src/kubectl: kubectl written in TypeScript. `runKubectl(argv, io)` runs one invocation
 * (argv without the program name) and resolves with the exit code; `nodeIO()` binds it to the
 * process's streams. Output (tables from the server, YAML/JSON, messages, errors and exit
 * codes) follows the real kubectl byte for byte where the parity suite checks it.
 */
export { runKubectl, formatError } from './run.js';
export { CmdError, type IOStreams, kubeconfigFiles } from './factory.js';
export { toYAML } from './yaml.js';
export { goJSON, jsonpathTemplate, tabwrite } from './printers.js';
export { goTabwriter } from './tabwriter.js';
export { nodeIO } from './io.js';
export { GoTemplate, TemplateError, type TemplateOptions } from './gotemplate.js';
export { readTar, TarWriter, type TarEntry } from './tar.js';
