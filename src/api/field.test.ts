import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, Path } from './field.js';

test('Path renders as upstream field paths', () => {
  const cases: Array<[string, Path, string]> = [
    ['root', Path.root('spec'), 'spec'],
    ['root with more names', Path.root('spec', 'template', 'spec'), 'spec.template.spec'],
    ['child, index, child', Path.root('spec').child('containers').index(0).child('image'), 'spec.containers[0].image'],
    ['key', Path.root('metadata').child('labels').key('a/b'), 'metadata.labels[a/b]'],
    ['child with more names, index, key', Path.root('spec').child('a', 'b', 'c').index(3).key('k').child('x'), 'spec.a.b.c[3][k].x'],
    ['empty root', Path.root(''), ''],
    ['child of an empty root', Path.root('').child('x'), '.x'],
  ];
  for (const [name, p, want] of cases) {
    assert.equal(p.toString(), want, name);
    assert.equal(`${p}`, want, name);
  }
});

test('Path: a parent is unchanged by its children, and siblings share it', () => {
  const containers = Path.root('spec').child('containers');
  const a = containers.index(0).child('name');
  const b = containers.index(1).child('image');
  assert.equal(String(containers), 'spec.containers');
  assert.equal(String(a), 'spec.containers[0].name');
  assert.equal(String(b), 'spec.containers[1].image');
  assert.equal(field.required(b, 'x').field, 'spec.containers[1].image');
});
