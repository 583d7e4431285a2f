/**
 * Child process of the durability test: writes to the sqlite store at argv[2] as fast as it can
 * with several concurrent writers and prints one line per acknowledged write:
 * `<revision> <key> <value>`. The test kills it with SIGKILL at random moments.
 */
import { openStorage } from '../index.js';

const path = process.argv[2]!;
const run = process.argv[3] ?? '0';
const store = await openStorage(`sqlite://${path}`, { compactIntervalMs: 0 });
const writers = 8;
const keysPerWriter = 4;
process.stdout.write('ready\n');

async function writer(w: number): Promise<void> {
  const revs = new Map<string, number>();
  for (const kv of (await store.list(`/d/${w}/`)).kvs) revs.set(kv.key, kv.modRevision);
  for (let seq = 0; ; seq++) {
    const key = `/d/${w}/${seq % keysPerWriter}`;
    const value = `${run}:${w}:${seq}:${'x'.repeat(200)}`;
    const prev = revs.get(key);
    const kv = prev === undefined ? await store.create(key, Buffer.from(value)) : await store.update(key, Buffer.from(value), prev);
    revs.set(key, kv.modRevision);
    // process.stdout is synchronous for pipes on Linux: a printed ack is in the pipe before the kill.
    process.stdout.write(`${kv.modRevision} ${key} ${value}\n`);
  }
}

await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
