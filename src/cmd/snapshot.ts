/**
 * `k8ts snapshot save|restore FILE`: back up and restore the datastore (k3s's etcd-snapshot,
 * for both backends). Flags as k3s's datastore flags.
 */
import type { Command } from 'commander';
import { restoreSnapshot, saveSnapshot, type StorageOptions } from '../storage/index.js';

interface Flags {
  datastoreEndpoint: string;
  dataDir?: string;
  datastoreCafile?: string;
  datastoreCertfile?: string;
  datastoreKeyfile?: string;
}

function storageOptions(f: Flags): StorageOptions {
  const o: StorageOptions = {};
  if (f.dataDir) o.dataDir = f.dataDir;
  if (f.datastoreCafile) o.caFile = f.datastoreCafile;
  if (f.datastoreCertfile) o.certFile = f.datastoreCertfile;
  if (f.datastoreKeyfile) o.keyFile = f.datastoreKeyfile;
  return o;
}

function withDatastoreFlags(cmd: Command): Command {
  return cmd
    .option('--datastore-endpoint <url>', "(db) sqlite (default), sqlite:///abs/path.db or etcd http(s)://host:2379[,host:2379]", '')
    .option('--data-dir <dir>', '(data) directory for state (default /var/lib/k8ts as root, ~/.k8ts otherwise)')
    .option('--datastore-cafile <file>', '(db) TLS Certificate Authority file for the etcd datastore')
    .option('--datastore-certfile <file>', '(db) TLS certificate file for the etcd datastore')
    .option('--datastore-keyfile <file>', '(db) TLS key file for the etcd datastore');
}

async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    console.error(`k8ts snapshot: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}

export function registerSnapshot(program: Command): void {
  const snapshot = program.command('snapshot').description('Save and restore datastore snapshots (sqlite or etcd)');
  withDatastoreFlags(snapshot.command('save <file>').description('Write a consistent snapshot of the datastore to FILE (safe while the server runs)')).action(
    (file: string, f: Flags) =>
      run(async () => {
        const kind = await saveSnapshot(f.datastoreEndpoint, storageOptions(f), file);
        console.log(`saved ${kind} snapshot to ${file}`);
      }),
  );
  withDatastoreFlags(
    snapshot
      .command('restore <file>')
      .description('Restore FILE into the datastore: a stopped sqlite datastore (the old file is moved aside) or an empty etcd cluster'),
  ).action((file: string, f: Flags) =>
    run(async () => {
      const r = await restoreSnapshot(file, f.datastoreEndpoint, storageOptions(f));
      for (const w of r.warnings) console.error(`warning: ${w}`);
      if (r.movedAside) console.log(`moved the previous database aside to ${r.movedAside}`);
      console.log(`restored ${r.from} snapshot ${file}`);
    }),
  );
}
