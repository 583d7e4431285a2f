import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { naturalLess, toYAML } from './yaml.js';

// dist/src/kubectl → src/kubectl/testdata (fixtures are not compiled).
const testdata = join(import.meta.dirname, '..', '..', '..', 'src', 'kubectl', 'testdata');

test('toYAML reproduces real kubectl -o yaml byte for byte (quoting, folding, blocks, key order)', () => {
  // tricky.yaml is what kubectl 1.32 printed for tricky.json.
  const obj = JSON.parse(readFileSync(join(testdata, 'tricky.json'), 'utf8')) as unknown;
  assert.equal(toYAML(obj), readFileSync(join(testdata, 'tricky.yaml'), 'utf8'));
});

const cases: Array<{ name: string; value: unknown; want: string }> = [
  { name: 'lists are not indented under their key', value: { containers: [{ image: 'x', name: 'web' }] }, want: 'containers:\n- image: x\n  name: web\n' },
  { name: 'empty collections are inline', value: { a: {}, b: [] }, want: 'a: {}\nb: []\n' },
  { name: 'null, booleans and numbers are plain', value: { a: null, b: true, c: 3, d: 0.5 }, want: 'a: null\nb: true\nc: 3\nd: 0.5\n' },
  { name: 'strings that would resolve to other types are double-quoted', value: { a: 'true', b: '123', c: 'null', d: '' }, want: 'a: "true"\nb: "123"\nc: "null"\nd: ""\n' },
  { name: 'indicators force single quotes', value: { a: '*', b: 'x: y' }, want: "a: '*'\nb: 'x: y'\n" },
  { name: 'multi-line strings become literal blocks with chomping', value: { a: 'x\ny', b: 'x\n' }, want: 'a: |-\n  x\n  y\nb: |\n  x\n' },
  { name: 'nested sequences', value: [[1, 2], { k: [3] }], want: '- - 1\n  - 2\n- k:\n  - 3\n' },
];

for (const c of cases) {
  test(`toYAML: ${c.name}`, () => assert.equal(toYAML(c.value), c.want));
}

test('naturalLess orders keys as go-yaml v2 (non-letters first, digit runs numerically)', () => {
  const keys = ['b', 'a10', 'A', '_u', 'a9', '-d', '0', '1k'];
  assert.deepEqual(
    [...keys].sort((x, y) => (naturalLess(x, y) ? -1 : naturalLess(y, x) ? 1 : 0)),
    ['-d', '_u', '0', '1k', 'A', 'a9', 'a10', 'b'],
  );
});
