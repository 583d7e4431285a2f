import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cronScheduleError } from './cron.js';
import { goLabelSelector, goStringMap, goStringSlice } from './govalue.js';
import {
  cidrErrors,
  ipErrors,
  isConfigMapKey,
  isDNS1123Label,
  isQualifiedName,
  isValidLabelValue,
  isValidPercent,
  isValidPortName,
  nameIsDNSSubdomain,
  regexError,
  validatePathSegmentName,
} from './names.js';

describe('regexError', () => {
  it('joins examples as upstream does (with its double space)', () => {
    assert.equal(regexError('msg', 'fmt', 'a', 'b'), "msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')");
  });
  it('omits examples when there are none', () => assert.equal(regexError('msg', 'fmt'), "msg (regex used for validation is 'fmt')"));
});

describe('format checks', () => {
  const cases: { name: string; got: () => string[]; want: string[] }[] = [
    { name: 'qualified name with prefix', got: () => isQualifiedName('example.com/MyName'), want: [] },
    { name: 'qualified name empty prefix', got: () => isQualifiedName('/a'), want: ['prefix part must be non-empty'] },
    {
      name: 'qualified name empty name',
      got: () => isQualifiedName('a/'),
      want: [
        'name part must be non-empty',
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    },
    { name: 'label value may be empty', got: () => isValidLabelValue(''), want: [] },
    {
      name: 'label value must end alphanumeric',
      got: () => isValidLabelValue('a-'),
      want: [
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    },
    { name: 'DNS label with dots', got: () => isDNS1123Label('a.b'), want: ['must not contain dots'] },
    { name: 'generateName prefix may end with a dash', got: () => nameIsDNSSubdomain('web-', true), want: [] },
    {
      name: 'port name rules',
      got: () => isValidPortName('-1--'),
      want: ['must contain at least one letter (a-z)', 'must not contain consecutive hyphens', 'must not begin or end with a hyphen'],
    },
    { name: 'config key ..', got: () => isConfigMapKey('..'), want: ["must not be '..'"] },
    { name: 'path segment name', got: () => validatePathSegmentName('..', false), want: ["may not be '..'"] },
    { name: 'percent', got: () => isValidPercent('25'), want: ["a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"] },
    { name: 'IPv6 address', got: () => ipErrors('fd00::1'), want: [] },
    { name: 'bad IP', got: () => ipErrors('300.1.1.1'), want: ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
    { name: 'CIDR', got: () => cidrErrors('10.42.0.0/16'), want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.got(), c.want));
});

describe('cronScheduleError (robfig/cron wording)', () => {
  const cases: [string, string | undefined][] = [
    ['*/5 * * * *', undefined],
    ['0 0 * * MON-FRI', undefined],
    ['@hourly', undefined],
    ['@every 1h30m', undefined],
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
  ];
  for (const [spec, want] of cases) it(spec || '(empty)', () => assert.equal(cronScheduleError(spec), want));
});

describe('Go value rendering', () => {
  it('renders maps with sorted keys', () => assert.equal(String(goStringMap({ b: '2', a: '1' })), 'map[string]string{"a":"1", "b":"2"}'));
  it('renders nil maps and slices', () => {
    assert.equal(String(goStringMap(undefined)), 'map[string]string(nil)');
    assert.equal(String(goStringSlice(undefined)), '[]string(nil)');
  });
  it('renders label selectors', () =>
    assert.equal(
      String(goLabelSelector({ matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] })),
      'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"k", Operator:"In", Values:[]string{"v"}}}}',
    ));
});
