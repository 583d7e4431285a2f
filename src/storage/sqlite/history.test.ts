/**
 * Reads at older revisions (which the sqlite store answers from its live index and the log rows
 * written since) checked against a model of every revision, and schema-1 files migrated on open.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openStorage, type Storage } from '../index.js';
import { APPLICATION_ID } from './schema.js';

const root = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-history-'));
after(() => rmSync(root, { recursive: true, force: true }));

type State = Map<string, { value: string; createRevision: number; modRevision: number; version: number }>;

/** rng is a small deterministic generator so a failure replays. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x80000000;
  };
}

async function randomHistory(s: Storage, writes: number, seed: number): Promise<Map<number, State>> {
  const rand = rng(seed);
  const keys = Array.from({ length: 12 }, (_, i) => `/h/${i % 3}/k${i}`);
  const state: State = new Map();
  const states = new Map<number, State>([[await s.currentRevision(), new Map()]]);
  for (let i = 0; i < writes; i++) {
    const key = keys[Math.floor(rand() * keys.length)]!;
    const cur = state.get(key);
    const value = `v${i}`;
    let rev: number;
    if (!cur) {
      const kv = await s.create(key, Buffer.from(value));
      rev = kv.modRevision;
      state.set(key, { value, createRevision: rev, modRevision: rev, version: 1 });
    } else if (rand() < 0.3) {
      rev = (await s.delete(key, cur.modRevision)).revision;
      state.delete(key);
    } else {
      const kv = await s.update(key, Buffer.from(value), cur.modRevision);
      rev = kv.modRevision;
      state.set(key, { value, createRevision: cur.createRevision, modRevision: rev, version: cur.version + 1 });
    }
    states.set(rev, new Map(state));
  }
  return states;
}

function view(kvs: Array<{ key: string; value: Buffer; createRevision: number; modRevision: number; version: number }>): string[] {
  return kvs.map((kv) => `${kv.key}=${kv.value.toString()}@${kv.createRevision}/${kv.modRevision}/v${kv.version}`);
}

function expected(st: State, prefix: string): string[] {
  return [...st]
    .filter(([k]) => k.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v.value}@${v.createRevision}/${v.modRevision}/v${v.version}`);
}

async function checkEveryRevision(s: Storage, states: Map<number, State>, from: number): Promise<void> {
  for (const [rev, st] of states) {
    // Revision 0 means "latest" to list and get.
    if (rev < from || rev === 0) continue;
    for (const prefix of ['/h/', '/h/1/']) {
      const want = expected(st, prefix);
      assert.deepEqual(view((await s.list(prefix, { revision: rev })).kvs), want, `list ${prefix} at ${rev}`);
      // Paginated: pages of 2 at the same revision, with `remaining` counting what is left.
      const got: string[] = [];
      let startKey: string | undefined;
      for (;;) {
        const page = await s.list(prefix, { revision: rev, limit: 2, ...(startKey !== undefined ? { startKey } : {}) });
        got.push(...view(page.kvs));
        if (!page.more) break;
        assert.equal(page.remaining, want.length - got.length, `remaining of ${prefix} at ${rev} after ${got.length}`);
        startKey = page.kvs[page.kvs.length - 1]!.key + '\0';
      }
      assert.deepEqual(got, want, `paginated list ${prefix} at ${rev}`);
    }
    for (const key of ['/h/0/k0', '/h/1/k4', '/h/2/k11']) {
      const kv = (await s.get(key, { revision: rev })).kv;
      assert.deepEqual(kv ? view([kv]) : [], expected(new Map([...st].filter(([k]) => k === key)), key), `get ${key} at ${rev}`);
    }
  }
}

const cases: Array<{ name: string; endpoint: () => string; opts: () => { dataDir?: string } }> = [
  { name: 'memory', endpoint: () => 'sqlite::memory:', opts: () => ({}) },
  { name: 'file', endpoint: () => '', opts: () => ({ dataDir: mkdtempSync(join(root, 'file-')) }) },
];

for (const c of cases) {
  test(`sqlite (${c.name}): every older revision reads as the model says, before and after compaction`, async () => {
    const s = await openStorage(c.endpoint(), { ...c.opts(), compactIntervalMs: 0 });
    try {
      const states = await randomHistory(s, 150, 7);
      await checkEveryRevision(s, states, 0);
      const revs = [...states.keys()].sort((a, b) => a - b);
      const target = revs[Math.floor(revs.length / 2)]!;
      await s.compact(target);
      await checkEveryRevision(s, states, target);
    } finally {
      await s.close();
    }
  });
}

test('sqlite: a schema-1 file (kv table, name indexes, UNIQUE guard) is migrated on open and keeps its history', async () => {
  const dataDir = join(root, 'v1');
  mkdirSync(join(dataDir, 'db'), { recursive: true });
  const path = join(dataDir, 'db', 'state.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`application_id = ${APPLICATION_ID}`);
  db.exec(`
    CREATE TABLE log (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL, deleted INTEGER NOT NULL,
      create_revision INTEGER NOT NULL, prev_revision INTEGER NOT NULL, lease INTEGER NOT NULL, value BLOB NOT NULL,
      old_value BLOB, version INTEGER NOT NULL, UNIQUE(name, prev_revision));
    CREATE INDEX log_name_id ON log(name, id);
    CREATE TABLE kv (name TEXT PRIMARY KEY, id INTEGER NOT NULL, lease INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX kv_lease ON kv(lease) WHERE lease > 0;
    CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO meta(name, value) VALUES ('revision', 4), ('compact_revision', 0), ('schema', 1);
    INSERT INTO log VALUES (1, '/m/a', 1, 0, 1, 0, 0, x'31', NULL, 1);
    INSERT INTO log VALUES (2, '/m/a', 0, 0, 1, 1, 0, x'32', NULL, 2);
    INSERT INTO log VALUES (3, '/m/b', 1, 0, 3, 0, 0, x'33', NULL, 1);
    INSERT INTO log VALUES (4, '/m/b', 0, 1, 3, 3, 0, x'', NULL, 1);
    INSERT INTO kv VALUES ('/m/a', 2, 0);
  `);
  db.close();
  const s = await openStorage('', { dataDir, compactIntervalMs: 0 });
  try {
    assert.deepEqual(view((await s.list('/m/')).kvs), ['/m/a=2@1/2/v2']);
    assert.deepEqual(view((await s.list('/m/', { revision: 3 })).kvs), ['/m/a=2@1/2/v2', '/m/b=3@3/3/v1']);
    assert.equal((await s.get('/m/a', { revision: 1 })).kv?.value.toString(), '1');
    // Re-creating a deleted key is what the old UNIQUE(name, prev_revision) guard would trip on.
    const b = await s.create('/m/b', Buffer.from('4'));
    assert.equal(b.modRevision, 5);
    await s.delete('/m/b');
    await s.create('/m/b', Buffer.from('6'));
  } finally {
    await s.close();
  }
  const check = new Database(path, { readonly: true });
  try {
    const objects = check.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name`).pluck().all();
    assert.deepEqual(objects, ['log', 'meta']);
    assert.equal(check.prepare(`SELECT value FROM meta WHERE name = 'schema'`).pluck().get(), 2);
  } finally {
    check.close();
  }
});
