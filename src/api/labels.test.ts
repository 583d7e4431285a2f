import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStatusError } from './errors.js';
import { everything, formatLabelSelector, nothing, parseLabelSelector, selectorFromLabelSelector, selectorFromSet } from './labels.js';

const badRequestWith = (message: string) => (err: unknown) => isStatusError(err, 'BadRequest') && err.code === 400 && err.message === message;

describe('parseLabelSelector', () => {
  // input → canonical string (sorted by key, values sorted, spacing normalised)
  const good: [string, string][] = [
    ['', ''],
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['z=c,x=a', 'x=a,z=c'],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x==a', 'x==a'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x=,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x', 'x'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    ['x in (a)', 'x in (a)'],
    ['x in (b,a)', 'x in (a,b)'],
    [' x  in (  a )  ', 'x in (a)'],
    ['x notin (a,b)', 'x notin (a,b)'],
    ['x in ()', 'x in ()'],
    ['x in (,a)', 'x in (,a)'],
    ['x in (in,notin)', 'x in (in,notin)'],
    ['x in (a,a)', 'x in (a)'],
    ['example.com/app=web,tier', 'example.com/app=web,tier'],
  ];
  for (const [input, out] of good) {
    it(`parses ${JSON.stringify(input)}`, () => assert.equal(parseLabelSelector(input).toString(), out));
  }

  const bad: [string, string][] = [
    ['x=a||y=b', "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x<a', "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    ['x=a,', "found '', expected: identifier after ','"],
    [',x', "found ',', expected: !, identifier, or 'end of string'"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x y', "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"],
    ['x=!', "unable to parse requirement: found '!', expected: identifier"],
    ['-x', "unable to parse requirement: <nil>: Invalid value: \"-x\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
    ['/x', 'unable to parse requirement: <nil>: Invalid value: "/x": prefix part must be non-empty'],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)} with upstream's 400`, () => assert.throws(() => parseLabelSelector(input), badRequestWith(message)));
  }

  it('matches labels', () => {
    const labels = { app: 'web', tier: 'front', n: '5' };
    const cases: [string, boolean][] = [
      ['', true],
      ['app=web', true],
      ['app=db', false],
      ['app!=db', true],
      ['missing!=x', true],
      ['app in (web,db)', true],
      ['app notin (web)', false],
      ['missing notin (web)', true],
      ['tier', true],
      ['missing', false],
      ['!missing', true],
      ['!app', false],
      ['n>4', true],
      ['n<5', false],
      ['app>1', false],
      ['missing<9', false],
      ['app=web,tier=front', true],
      ['app=web,tier=back', false],
    ];
    for (const [sel, want] of cases) assert.equal(parseLabelSelector(sel).matches(labels), want, sel);
    assert.equal(parseLabelSelector('x').matches(undefined), false);
    assert.equal(parseLabelSelector('!x').matches(undefined), true);
  });

  it('requiresExactMatch as upstream', () => {
    const s = parseLabelSelector('a=1,b==2,c in (3),d in (4,5),e!=6,f');
    assert.equal(s.requiresExactMatch('a'), '1');
    assert.equal(s.requiresExactMatch('b'), '2');
    assert.equal(s.requiresExactMatch('c'), '3');
    assert.equal(s.requiresExactMatch('d'), undefined);
    assert.equal(s.requiresExactMatch('e'), undefined);
    assert.equal(s.requiresExactMatch('f'), undefined);
    assert.equal(s.requiresExactMatch('zz'), undefined);
  });

  it('empty only for the match-everything selector', () => {
    assert.equal(parseLabelSelector('').empty(), true);
    assert.equal(parseLabelSelector('a').empty(), false);
  });
});

describe('selectorFromLabelSelector', () => {
  it('compiles matchLabels and matchExpressions sorted by key', () => {
    const s = selectorFromLabelSelector({
      matchLabels: { tier: 'front', app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'zone', operator: 'NotIn', values: ['a'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'owner', operator: 'Exists' },
      ],
    });
    assert.equal(s.toString(), 'app=web,!canary,env in (dev,prod),owner,tier=front,zone notin (a)');
    assert.equal(s.matches({ app: 'web', tier: 'front', env: 'dev', owner: 'me' }), true);
    assert.equal(s.matches({ app: 'web', tier: 'front', env: 'dev', owner: 'me', canary: '' }), false);
    assert.equal(s.matches({ app: 'web', tier: 'front', env: 'qa', owner: 'me' }), false);
  });

  it('nil selects nothing and {} selects everything', () => {
    assert.equal(selectorFromLabelSelector(undefined), nothing);
    assert.equal(selectorFromLabelSelector(null).matches({}), false);
    assert.equal(selectorFromLabelSelector({}), everything);
    assert.equal(selectorFromLabelSelector({}).matches({ a: 'b' }), true);
  });

  const bad: [string, Parameters<typeof selectorFromLabelSelector>[0], string][] = [
    ['empty In', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, 'values: Invalid value: []string(nil): for \'in\', \'notin\' operators, values set can\'t be empty'],
    ['values on Exists', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'],
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, '"Gt" is not a valid label selector operator'],
    ['bad key', { matchLabels: { 'a b': 'x' } }, "key: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
  ];
  for (const [name, ls, message] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => selectorFromLabelSelector(ls), badRequestWith(message)));
  }

  it('formatLabelSelector as kubectl shows it', () => {
    assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector(undefined), '<none>');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
  });

  it('selectorFromSet matches exactly', () => {
    const s = selectorFromSet({ b: '2', a: '1' });
    assert.equal(s.toString(), 'a=1,b=2');
    assert.equal(s.matches({ a: '1', b: '2', c: '3' }), true);
    assert.equal(s.matches({ a: '1' }), false);
  });
});
