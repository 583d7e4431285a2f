import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REVISION_ANNOTATION, parseRevision, revisionOf } from './deployment_util.js';

test('parseRevision reads revisions as strconv.ParseInt(v, 10, 64)', () => {
  const cases: { name: string; in: string | undefined; want: bigint }[] = [
    { name: 'missing', in: undefined, want: 0n },
    { name: 'first revision', in: '1', want: 1n },
    { name: 'past 2^53 keeps every digit', in: '3546343826724305832', want: 3546343826724305832n },
    { name: 'int64 max', in: '9223372036854775807', want: 9223372036854775807n },
    { name: 'past int64 is not a revision', in: '9223372036854775808', want: 0n },
    { name: 'not a number', in: 'abc', want: 0n },
    { name: 'empty', in: '', want: 0n },
    { name: 'fraction', in: '1.5', want: 0n },
  ];
  for (const c of cases) assert.equal(parseRevision(c.in), c.want, c.name);
});

test('revisionOf answers the next revision after a large one exactly', () => {
  const rs = { metadata: { annotations: { [REVISION_ANNOTATION]: '3546343826724305832' } } };
  assert.equal(String(revisionOf(rs) + 1n), '3546343826724305833');
});
