/** nodeIO binds kubectl's streams to the process (stdout/stderr writes are ordered per stream). */
import type { IOStreams } from './factory.js';

export function nodeIO(): IOStreams {
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    outIsTerminal: process.stdout.isTTY === true,
    stdin: process.stdin,
    terminalSize: () => (process.stdout.isTTY ? { width: process.stdout.columns, height: process.stdout.rows } : undefined),
    onTerminalResize: (fn) => {
      process.stdout.on('resize', fn);
      return () => void process.stdout.off('resize', fn);
    },
  };
}
