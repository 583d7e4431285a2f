/**
 * Durability: a child writes as fast as it can and reports each acknowledged revision; it is
 * killed with SIGKILL at random moments; every acknowledged write must survive, and the file
 * must hold nothing half-written.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openStorage } from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-durability-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const dbPath = join(dir, 'state.db');
const child = new URL('../testing/durability-child.js', import.meta.url).pathname;

interface Ack {
  rev: number;
  key: string;
  value: string;
}

function runAndKill(run: number, killAfterMs: number, attempt = 0): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, dbPath, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (timer === undefined && out.startsWith('ready\n')) timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        // A child that never got going (e.g. it loaded a module while a build rewrote dist/)
        // has written nothing: run it again rather than call that a durability failure.
        if (!out.startsWith('ready\n') && attempt < 3) {
          return resolve(runAndKill(run, killAfterMs, attempt + 1));
        }
        return reject(new Error(`child ended without being killed (code ${_code}, signal ${signal}, ${out.split("\n").length} lines): ${err}`));
      }
      const acks: Ack[] = [];
      for (const line of out.split('\n').slice(1)) {
        const m = /^(\d+) (\S+) (\S+)$/.exec(line);
        // The last line may be cut by the kill; a partial line is not an acknowledgement we trust.
        if (m) acks.push({ rev: Number(m[1]), key: m[2]!, value: m[3]! });
      }
      resolve(acks);
    });
  });
}

test('sqlite: every acknowledged write survives SIGKILL, nothing is half-written', async () => {
  let total = 0;
  for (let run = 1; run <= 20; run++) {
    const acks = await runAndKill(run, 5 + Math.floor(Math.random() * 60));
    total += acks.length;
    const store = await openStorage(`sqlite://${dbPath}`, { compactIntervalMs: 0 });
    try {
      const rev = await store.currentRevision();
      for (const a of acks) {
        assert.ok(a.rev <= rev, `run ${run}: acknowledged revision ${a.rev} beyond recovered revision ${rev}`);
        const got = await store.get(a.key, { revision: a.rev });
        assert.equal(got.kv?.modRevision, a.rev, `run ${run}: ${a.key} at ${a.rev}`);
        assert.equal(got.kv?.value.toString(), a.value, `run ${run}: ${a.key} at ${a.rev}`);
      }
    } finally {
      await store.close();
    }
    const db = new Database(dbPath, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const meta = db.prepare(`SELECT value FROM meta WHERE name = 'revision'`).pluck().get() as number;
      const maxId = (db.prepare(`SELECT MAX(id) FROM log`).pluck().get() as number | null) ?? 0;
      assert.equal(meta, maxId, `run ${run}: meta revision matches the log`);
      const ids = db.prepare(`SELECT id FROM log ORDER BY id`).pluck().all() as number[];
      ids.forEach((id, i) => assert.equal(id, i + 1, `run ${run}: revisions have no holes`));
      // Every update or delete names the key's previous row, which (nothing is compacted here) is in the log.
      const broken = db.prepare(`SELECT count(*) FROM log l WHERE l.created = 0 AND NOT EXISTS (SELECT 1 FROM log p WHERE p.id = l.prev_revision AND p.name = l.name AND p.id < l.id)`).pluck().get();
      assert.equal(broken, 0, `run ${run}: every row's prev_revision chain is intact`);
      const whole = new RegExp(`^\\d+:\\d+:\\d+:x{200}$`);
      for (const v of db.prepare(`SELECT value FROM log`).pluck().all() as Buffer[]) {
        assert.match(v.toString(), whole, `run ${run}: no truncated values`);
      }
    } finally {
      db.close();
    }
  }
  assert.ok(total > 100, `the child acknowledged only ${total} writes`);
});
