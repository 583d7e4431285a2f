/**
 * The storage conformance suite: every behaviour of the Storage contract, run against each
 * backend (sqlite.test.ts, etcd.integration.test.ts). Tests never assume revisions start at 1
 * (an etcd cluster is shared between cases); each case uses its own key prefix.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { isStorageError, type Storage, type StorageErrorCode, type WatchEvent } from './interface.js';

/** StoreFactory opens a fresh handle on a store; the suite closes it. */
export type StoreFactory = () => Promise<Storage>;

const b = (s: string): Buffer => Buffer.from(s);

async function rejectsWith(p: Promise<unknown>, code: StorageErrorCode): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    assert.ok(isStorageError(err, code), `expected StorageError ${code}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected StorageError ${code}, but the call succeeded`);
}

/** collect gathers watch events until `until` says stop (or times out). */
function collect(store: Storage, prefix: string, afterRevision: number, until: (evs: WatchEvent[]) => boolean, withPrevKv = true, timeoutMs = 5000): Promise<WatchEvent[]> {
  return new Promise((resolve, reject) => {
    const evs: WatchEvent[] = [];
    const timer = setTimeout(() => {
      w.close();
      reject(new Error(`watch ${prefix}: timed out with ${evs.length} events`));
    }, timeoutMs);
    const w = store.watch({
      prefix,
      afterRevision,
      withPrevKv,
      onEvents: (batch) => {
        evs.push(...batch);
        if (until(evs)) {
          clearTimeout(timer);
          w.close();
          resolve(evs);
        }
      },
      onError: (err) => {
        clearTimeout(timer);
        reject(err);
      },
    });
  });
}

/** watchError starts a watch expected to fail and returns its error. */
function watchError(store: Storage, prefix: string, afterRevision: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('watch did not fail')), 5000);
    store.watch({
      prefix,
      afterRevision,
      onEvents: () => {},
      onError: (err) => {
        clearTimeout(timer);
        resolve(err);
      },
    });
  });
}

/** storageConformance registers the suite's node:test cases for one backend. */
export function storageConformance(backend: string, open: StoreFactory): void {
  const withStore = (name: string, fn: (s: Storage, p: string) => Promise<void>): void => {
    test(`${backend}: ${name}`, async () => {
      const s = await open();
      try {
        await fn(s, `/t/${randomUUID()}/`);
      } finally {
        await s.close();
      }
    });
  };

  withStore('create assigns the next revision and fresh key metadata', async (s, p) => {
    const before = await s.currentRevision();
    const kv = await s.create(p + 'a', b('1'));
    assert.equal(kv.modRevision, before + 1);
    assert.equal(kv.createRevision, before + 1);
    assert.equal(kv.version, 1);
    assert.equal(kv.lease, 0);
    assert.equal(await s.currentRevision(), before + 1);
    const got = await s.get(p + 'a');
    assert.deepEqual(got.kv, kv);
    assert.equal(got.revision, before + 1);
    await rejectsWith(s.create(p + 'a', b('2')), 'KeyExists');
    assert.equal(await s.currentRevision(), before + 1, 'a failed create writes nothing');
  });

  withStore('update checks modRevision and counts versions', async (s, p) => {
    const c = await s.create(p + 'k', b('v1'));
    const u = await s.update(p + 'k', b('v2'), c.modRevision);
    assert.equal(u.modRevision, c.modRevision + 1);
    assert.equal(u.createRevision, c.createRevision);
    assert.equal(u.version, 2);
    const err = await rejectsWith(s.update(p + 'k', b('v3'), c.modRevision), 'Conflict');
    assert.ok(isStorageError(err));
    assert.equal(err.details.current?.modRevision, u.modRevision);
    assert.equal(err.details.current?.value.toString(), 'v2');
    await rejectsWith(s.update(p + 'missing', b('x'), 1), 'NotFound');
    assert.equal((await s.get(p + 'k')).kv?.value.toString(), 'v2');
  });

  withStore('delete with and without precondition', async (s, p) => {
    const c = await s.create(p + 'd', b('x'));
    await rejectsWith(s.delete(p + 'd', c.modRevision + 100), 'Conflict');
    const d = await s.delete(p + 'd', c.modRevision);
    assert.equal(d.revision, c.modRevision + 1);
    assert.equal(d.prevKv.value.toString(), 'x');
    assert.equal(d.prevKv.modRevision, c.modRevision);
    assert.equal((await s.get(p + 'd')).kv, undefined);
    await rejectsWith(s.delete(p + 'd'), 'NotFound');
    const again = await s.create(p + 'd', b('y'));
    assert.equal(again.version, 1);
    assert.equal(again.createRevision, again.modRevision);
    const d2 = await s.delete(p + 'd');
    assert.equal(d2.prevKv.value.toString(), 'y');
  });

  withStore('get at a revision sees history', async (s, p) => {
    const c = await s.create(p + 'h', b('one'));
    const u = await s.update(p + 'h', b('two'), c.modRevision);
    const d = await s.delete(p + 'h');
    assert.equal((await s.get(p + 'h', { revision: c.modRevision })).kv?.value.toString(), 'one');
    const atU = await s.get(p + 'h', { revision: u.modRevision });
    assert.equal(atU.kv?.value.toString(), 'two');
    assert.equal(atU.kv?.version, 2);
    assert.equal(atU.revision, u.modRevision);
    assert.equal((await s.get(p + 'h', { revision: d.revision })).kv, undefined);
    assert.equal((await s.get(p + 'h', { revision: c.modRevision - 1 })).kv, undefined);
    await rejectsWith(s.get(p + 'h', { revision: d.revision + 1000 }), 'FutureRevision');
  });

  withStore('list by prefix: sorted, paginated, at a revision', async (s, p) => {
    const names = ['c', 'a', 'e', 'b', 'd'];
    for (const n of names) await s.create(p + 'items/' + n, b(n));
    await s.create(p + 'itemsX', b('outside the prefix'));
    await s.create(p + 'other/z', b('z'));
    const all = await s.list(p + 'items/');
    assert.deepEqual(all.kvs.map((kv) => kv.key.slice(p.length)), ['items/a', 'items/b', 'items/c', 'items/d', 'items/e']);
    assert.equal(all.more, false);
    assert.equal(all.revision, await s.currentRevision());

    const page1 = await s.list(p + 'items/', { limit: 2 });
    assert.deepEqual(page1.kvs.map((kv) => kv.value.toString()), ['a', 'b']);
    assert.equal(page1.more, true);
    assert.equal(page1.remaining, 3);
    const page2 = await s.list(p + 'items/', { limit: 2, startKey: page1.kvs[1]!.key + '\x00', revision: page1.revision });
    assert.deepEqual(page2.kvs.map((kv) => kv.value.toString()), ['c', 'd']);
    assert.equal(page2.revision, page1.revision);
    const page3 = await s.list(p + 'items/', { limit: 2, startKey: page2.kvs[1]!.key + '\x00', revision: page1.revision });
    assert.deepEqual(page3.kvs.map((kv) => kv.value.toString()), ['e']);
    assert.equal(page3.more, false);

    const rev = all.revision;
    const a = all.kvs[0]!;
    await s.update(a.key, b('a2'), a.modRevision);
    await s.delete(p + 'items/e');
    await s.create(p + 'items/f', b('f'));
    const old = await s.list(p + 'items/', { revision: rev });
    assert.deepEqual(old.kvs.map((kv) => kv.value.toString()), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(old.revision, rev);
    const now = await s.list(p + 'items/');
    assert.deepEqual(now.kvs.map((kv) => kv.value.toString()), ['a2', 'b', 'c', 'd', 'f']);
    assert.equal(await s.count(p + 'items/'), 5);
    assert.equal(await s.count(p), 7);
    assert.equal(await s.count(p + 'nothing/'), 0);
  });

  withStore('guaranteedUpdate retries on conflict until every update lands', async (s, p) => {
    const key = p + 'counter';
    const incr = () =>
      s.guaranteedUpdate(key, (cur) => ({ value: b(String(Number(cur?.value.toString() ?? '0') + 1)) }));
    await Promise.all(Array.from({ length: 20 }, incr));
    const got = await s.get(key);
    assert.equal(got.kv?.value.toString(), '20');
    assert.equal(got.kv?.version, 20);
    // No change from a stale cache re-reads and returns the fresh value.
    const stale = { ...got.kv!, modRevision: got.kv!.modRevision - 1, value: b('19') };
    const same = await s.guaranteedUpdate(key, () => undefined, stale);
    assert.equal(same?.modRevision, got.kv!.modRevision);
    // A stale cache with a change is retried against the fresh value.
    const next = await s.guaranteedUpdate(key, (cur) => ({ value: b(String(Number(cur!.value.toString()) + 1)) }), stale);
    assert.equal(next?.value.toString(), '21');
    assert.equal(await s.guaranteedUpdate(p + 'absent', () => undefined), undefined);
  });

  withStore('watch replays history then streams live writes, with prevKv', async (s, p) => {
    const start = await s.currentRevision();
    const c = await s.create(p + 'w/a', b('1'));
    const u = await s.update(p + 'w/a', b('2'), c.modRevision);
    await s.create(p + 'elsewhere', b('ignored'));
    const got = collect(s, p + 'w/', start, (evs) => evs.length >= 4);
    const d = await s.delete(p + 'w/a');
    const c2 = await s.create(p + 'w/b', b('3'));
    const evs = await got;
    assert.deepEqual(evs.map((e) => [e.type, e.kv.key.slice(p.length), e.kv.modRevision]), [
      ['PUT', 'w/a', c.modRevision],
      ['PUT', 'w/a', u.modRevision],
      ['DELETE', 'w/a', d.revision],
      ['PUT', 'w/b', c2.modRevision],
    ]);
    assert.equal(evs[0]!.prevKv, undefined, 'a create has no prevKv');
    assert.equal(evs[1]!.prevKv?.value.toString(), '1');
    assert.equal(evs[1]!.prevKv?.modRevision, c.modRevision);
    assert.equal(evs[1]!.kv.version, 2);
    assert.equal(evs[2]!.prevKv?.value.toString(), '2');
    assert.equal(evs[2]!.kv.value.length, 0);
    const noPrev = await collect(s, p + 'w/', start, (e) => e.length >= 4, false);
    assert.equal(noPrev[1]!.prevKv, undefined, 'withPrevKv false omits prevKv on PUT');
    assert.equal(noPrev[2]!.prevKv?.value.toString(), '2', 'DELETE always carries prevKv');
  });

  withStore('watch sees every revision of concurrent writers in order, none skipped', async (s, p) => {
    const start = await s.currentRevision();
    const n = 200;
    const done = collect(s, p, start, (evs) => evs.length >= n, true, 10000);
    const acks = await Promise.all(Array.from({ length: n }, (_, i) => s.create(`${p}${i % 10}/${i}`, b(String(i)))));
    const evs = await done;
    const revs = evs.map((e) => e.kv.modRevision);
    const expected = acks.map((kv) => kv.modRevision).sort((x, y) => x - y);
    assert.deepEqual(revs, expected);
    for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!);
  });

  withStore('watch from a future-known revision skips what is older', async (s, p) => {
    await s.create(p + 'x', b('1'));
    const at = await s.currentRevision();
    const got = collect(s, p, at, (evs) => evs.length >= 1);
    const kv = await s.create(p + 'y', b('2'));
    const evs = await got;
    assert.equal(evs[0]!.kv.modRevision, kv.modRevision);
  });

  withStore('compaction drops old revisions but keeps latest values', async (s, p) => {
    const c = await s.create(p + 'k', b('1'));
    let last = c;
    for (let i = 2; i <= 5; i++) last = await s.update(p + 'k', b(String(i)), last.modRevision);
    await s.create(p + 'gone', b('x'));
    const del = await s.delete(p + 'gone');
    const keep = await s.create(p + 'kept', b('kept'));
    const target = last.modRevision;
    await s.compact(target);
    assert.ok((await s.compactedRevision()) >= target);
    await rejectsWith(s.get(p + 'k', { revision: c.modRevision }), 'Compacted');
    await rejectsWith(s.list(p, { revision: c.modRevision }), 'Compacted');
    assert.equal((await s.get(p + 'k', { revision: target })).kv?.value.toString(), '5');
    assert.equal((await s.get(p + 'k')).kv?.value.toString(), '5');
    assert.equal((await s.get(p + 'kept')).kv?.value.toString(), 'kept');
    assert.equal((await s.get(p + 'gone')).kv, undefined);
    const err = await watchError(s, p, c.modRevision - 1);
    assert.ok(isStorageError(err, 'Compacted'), `got ${String(err)}`);
    // Every write after the compacted revision is still delivered, with prevKv even when the
    // previous value is the one kept at the compacted revision.
    const six = await s.update(p + 'k', b('6'), last.modRevision);
    const evs = await collect(s, p, target, (e) => e.length >= 4);
    assert.deepEqual(evs.map((e) => e.kv.modRevision), [target + 1, del.revision, keep.modRevision, six.modRevision]);
    assert.equal(evs[1]!.prevKv?.value.toString(), 'x');
    assert.equal(evs[3]!.prevKv?.value.toString(), '5');
    assert.equal(evs[3]!.prevKv?.modRevision, target);
    assert.equal(evs[3]!.kv.version, 6);
  });

  withStore('a TTL key is deleted by the store with a DELETE event', async (s, p) => {
    const start = await s.currentRevision();
    const kv = await s.create(p + 'ttl', b('short'), { ttlSeconds: 1 });
    assert.notEqual(kv.lease, 0);
    await s.create(p + 'forever', b('long'));
    const evs = await collect(s, p, start, (e) => e.some((x) => x.type === 'DELETE'), true, 8000);
    const del = evs.find((e) => e.type === 'DELETE')!;
    assert.equal(del.kv.key, p + 'ttl');
    assert.equal(del.prevKv?.value.toString(), 'short');
    assert.equal((await s.get(p + 'ttl')).kv, undefined);
    assert.equal((await s.get(p + 'forever')).kv?.value.toString(), 'long');
  });

  withStore('values over 1.5 MiB are refused', async (s, p) => {
    await rejectsWith(s.create(p + 'big', Buffer.alloc(2 * 1024 * 1024)), 'TooLarge');
    const ok = await s.create(p + 'fine', Buffer.alloc(512 * 1024, 1));
    assert.equal((await s.get(p + 'fine')).kv?.value.length, ok.value.length);
  });

  withStore('snapshot writes a file', async (s, p) => {
    await s.create(p + 'snap', b('v'));
    const { mkdtempSync, statSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-snap-'));
    try {
      await s.snapshot(join(dir, 'snap.db'));
      assert.ok(statSync(join(dir, 'snap.db')).size > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${backend}: close ends watches and refuses further calls`, async () => {
    const s = await open();
    const rev = await s.currentRevision();
    const ended = new Promise<unknown>((resolve) => {
      s.watch({ prefix: '/closing/', afterRevision: rev, onEvents: () => {}, onError: resolve });
    });
    await s.close();
    assert.ok(isStorageError(await ended, 'Closed'));
    await rejectsWith(s.get('/x'), 'Closed');
    await rejectsWith(s.create('/x', b('1')), 'Closed');
    await s.close();
  });
}
