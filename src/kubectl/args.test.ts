import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, type FlagSpecs } from './args.js';

const specs: FlagSpecs = { output: { type: 'string', short: 'o' }, stdin: { type: 'bool', short: 'i' }, tty: { type: 'bool', short: 't' }, env: { type: 'array' }, 'dry-run': { type: 'string', noOptDefVal: 'unchanged' } };

const cases: Array<{ name: string; argv: string[]; flags: Record<string, string[]>; positional: string[]; afterDash?: string[] }> = [
  { name: 'long with =', argv: ['get', '--output=yaml'], flags: { output: ['yaml'] }, positional: ['get'] },
  { name: 'long with separate value', argv: ['--output', 'json', 'pods'], flags: { output: ['json'] }, positional: ['pods'] },
  { name: 'short attached and with =', argv: ['-oyaml', '-n=kube-system'], flags: { output: ['yaml'], namespace: ['kube-system'] }, positional: [] },
  { name: 'grouped booleans', argv: ['-it', 'pod'], flags: { stdin: ['true'], tty: ['true'] }, positional: ['pod'] },
  { name: 'arrays split on commas and repeat', argv: ['--env=A=1,B=2', '--env', 'C=3'], flags: { env: ['A=1', 'B=2', 'C=3'] }, positional: [] },
  { name: 'optional value', argv: ['--dry-run', 'x'], flags: { 'dry-run': ['unchanged'] }, positional: ['x'] },
  { name: 'double dash ends flags', argv: ['p', '--', 'ls', '-l'], flags: {}, positional: ['p'], afterDash: ['ls', '-l'] },
];
for (const c of cases) {
  test(`parseArgs: ${c.name}`, () => {
    const p = parseArgs(c.argv, specs);
    assert.deepEqual(Object.fromEntries(p.flags), c.flags);
    assert.deepEqual(p.positional, c.positional);
    assert.deepEqual(p.afterDash, c.afterDash);
  });
}

test('parseArgs rejects unknown flags with pflag wording', () => {
  assert.throws(() => parseArgs(['--bogus'], specs), (e: unknown) => e instanceof UsageError && e.message === 'unknown flag: --bogus');
});
