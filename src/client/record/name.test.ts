import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventNameSuffix } from './name.js';

test('EventNameSuffix is the hex of ms * 1e6 + seq, exactly as with BigInt, past 2^53 and across the bit-20 carry', () => {
  const cases = [
    { name: 'epoch + 1 ms', ms: 1, repeats: 3 },
    { name: 'below bit 20', ms: 0xfffff, repeats: 2 },
    { name: 'at bit 20', ms: 0x100000, repeats: 2 },
    { name: 'now-ish', ms: 1_763_800_000_123, repeats: 5 },
    { name: 'low part carries into high', ms: 0x100000 * 77 + 0xfffff, repeats: 1_000_001 },
    { name: 'year 2200', ms: 7_258_118_400_000, repeats: 2 },
  ];
  for (const c of cases) {
    const s = new EventNameSuffix();
    for (let seq = 0; seq < c.repeats; seq++) {
      const got = s.next(c.ms);
      // only spot-check long runs: every value is the same arithmetic
      if (seq < 3 || seq > c.repeats - 3 || seq % 99_991 === 0) assert.equal(got, (BigInt(c.ms) * 1_000_000n + BigInt(seq % 1_000_000)).toString(16), `${c.name}: seq ${seq}`);
    }
  }
});
