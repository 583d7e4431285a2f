import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { customColumns, goJSON, jsonpathTemplate, tabwrite } from './printers.js';
import { goTabwriter } from './tabwriter.js';

const testdata = join(import.meta.dirname, '..', '..', '..', 'src', 'kubectl', 'testdata');

test('goJSON matches kubectl -o json (4 spaces, sorted keys, HTML-safe escapes)', () => {
  const obj = JSON.parse(readFileSync(join(testdata, 'tricky.json'), 'utf8')) as unknown;
  assert.equal(goJSON(obj, 4) + '\n', readFileSync(join(testdata, 'tricky.kubectl.json'), 'utf8'));
});

const list = { items: [{ metadata: { name: 'a', labels: { x: '1' } }, spec: { n: 2 } }, { metadata: { name: 'b' }, spec: { n: 3 } }] };

const jsonpathCases: Array<{ name: string; tpl: string; want: string }> = [
  { name: 'wildcard joins with spaces', tpl: '{.items[*].metadata.name}', want: 'a b' },
  { name: 'range with literals', tpl: '{range .items[*]}{.metadata.name}{"\\t"}{.spec.n}{"\\n"}{end}', want: 'a\t2\nb\t3\n' },
  { name: 'maps print as JSON', tpl: '{.items[0].metadata.labels}', want: '{"x":"1"}' },
  { name: 'filters', tpl: '{.items[?(@.spec.n==3)].metadata.name}', want: 'b' },
  { name: 'text around actions', tpl: 'n={.items[0].spec.n}!', want: 'n=2!' },
  { name: 'missing keys print nothing', tpl: '{.items[0].nope}', want: '' },
];
for (const c of jsonpathCases) test(`jsonpathTemplate: ${c.name}`, () => assert.equal(jsonpathTemplate(c.tpl, list), c.want));

test('customColumns prints <none> for missing values and aligns columns', () => {
  assert.equal(customColumns('NAME:.metadata.name,X:.metadata.labels.x', list.items, false), 'NAME   X\na      1\nb      <none>\n');
});

test('tabwrite pads every column but the last to max(6, width+3)', () => {
  assert.equal(tabwrite([['NAME', 'AGE'], ['a-long-name', '1s']]), 'NAME          AGE\na-long-name   1s\n');
});

test('goTabwriter aligns column blocks like Go text/tabwriter (describe layout)', () => {
  const text = 'Name:\tx\nLabels:\ta=b\n\tc=d\nData\n  k:\tv\n  longer:\tw\n';
  assert.equal(goTabwriter(text, 0, 2), 'Name:    x\nLabels:  a=b\n         c=d\nData\n  k:       v\n  longer:  w\n');
});
