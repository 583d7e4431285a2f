import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERR_FORMAT_WRONG, ERR_SUFFIX, Quantity, QuantityParseError, type QuantityFormat } from './quantity.js';

const q = (s: string): Quantity => Quantity.parse(s);

// Cases from upstream's TestQuantityParse: input → value (mantissa, scale) and format.
const parseCases: [string, bigint, number, QuantityFormat][] = [
  ['0', 0n, 0, 'DecimalSI'],
  ['0n', 0n, 0, 'DecimalSI'],
  ['0Ki', 0n, 0, 'BinarySI'],
  ['0Ti', 0n, 0, 'BinarySI'],
  ['1', 1n, 0, 'DecimalSI'],
  ['1Ki', 1024n, 0, 'BinarySI'],
  ['8Ki', 8n * 1024n, 0, 'BinarySI'],
  ['7Mi', 7n * 1024n ** 2n, 0, 'BinarySI'],
  ['6Gi', 6n * 1024n ** 3n, 0, 'BinarySI'],
  ['5Ti', 5n * 1024n ** 4n, 0, 'BinarySI'],
  ['4Pi', 4n * 1024n ** 5n, 0, 'BinarySI'],
  ['3Ei', 3n * 1024n ** 6n, 0, 'BinarySI'],
  ['5n', 5n, -9, 'DecimalSI'],
  ['4u', 4n, -6, 'DecimalSI'],
  ['3m', 3n, -3, 'DecimalSI'],
  ['8k', 8n, 3, 'DecimalSI'],
  ['50k', 5n, 4, 'DecimalSI'],
  ['300T', 3n, 14, 'DecimalSI'],
  ['1E', 1n, 18, 'DecimalSI'],
  ['1E-3', 1n, -3, 'DecimalExponent'],
  ['1e3', 1n, 3, 'DecimalExponent'],
  ['1E18', 1n, 18, 'DecimalExponent'],
  ['100.035k', 100035n, 0, 'DecimalSI'],
  ['0.001', 1n, -3, 'DecimalSI'],
  ['0.0005k', 5n, -1, 'DecimalSI'],
  ['0.50000', 5n, -1, 'DecimalSI'],
  ['0.5e-2', 5n, -3, 'DecimalExponent'],
  ['10.035M', 10035n, 3, 'DecimalSI'],
  ['1.3E+6', 13n, 5, 'DecimalExponent'],
  ['1.7E18', 17n, 17, 'DecimalExponent'],
  ['6.987654321G', 6987654321n, 0, 'DecimalSI'],
  ['1.01E', 101n, 16, 'DecimalSI'],
  ['3.001n', 4n, -9, 'DecimalSI'],
  ['1.1E-9', 2n, -9, 'DecimalExponent'],
  ['0.0000000001', 1n, -9, 'DecimalSI'],
  ['0.5e-9', 1n, -9, 'DecimalExponent'],
  ['0.00000012345', 124n, -9, 'DecimalSI'],
  ['9Ei', (1n << 63n) - 1n, 0, 'BinarySI'],
  ['9223372036854775807Ki', (1n << 63n) - 1n, 0, 'BinarySI'],
  ['12E', 12n, 18, 'DecimalSI'],
  ['100.035Ki', 10243584n, -2, 'BinarySI'],
  ['0.5Mi', 524288n, 0, 'BinarySI'],
  ['0.025Ti', 274877906944n, -1, 'BinarySI'],
  ['0.000000000001Ki', 2n, -9, 'DecimalSI'],
  ['.001', 1n, -3, 'DecimalSI'],
  ['.0001k', 100n, -3, 'DecimalSI'],
  ['1.', 1n, 0, 'DecimalSI'],
  ['1.G', 1n, 9, 'DecimalSI'],
];

describe('Quantity.parse', () => {
  for (const [input, mantissa, scale, format] of parseCases) {
    it(`parses ${input}`, () => {
      const expect = Quantity.fromScaled(mantissa, scale);
      for (const [prefix, sign] of [['', 1n], ['+', 1n], ['-', -1n]] as const) {
        const got = q(prefix + input);
        assert.equal(got.cmp(sign === 1n ? expect : expect.neg()), 0, `${prefix}${input} = ${got.toString()}`);
        assert.equal(got.format, format);
      }
    });
  }

  const invalid: [string, string][] = [
    ['1.1.M', ERR_FORMAT_WRONG],
    ['1+1.0M', ERR_FORMAT_WRONG],
    ['0.1mi', ERR_SUFFIX],
    ['0.1am', ERR_FORMAT_WRONG],
    ['aoeu', ERR_FORMAT_WRONG],
    ['.5i', ERR_SUFFIX],
    ['1i', ERR_SUFFIX],
    ['-3.01i', ERR_SUFFIX],
    ['-3.01e-', ERR_SUFFIX],
    ['1e4294967297', ERR_SUFFIX],
    [' 1', ERR_FORMAT_WRONG],
    ['1 ', ERR_FORMAT_WRONG],
    ['', ERR_FORMAT_WRONG],
    ['1Gb', ERR_FORMAT_WRONG],
    ['1K', ERR_SUFFIX],
  ];
  for (const [input, message] of invalid) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => q(input), (err: unknown) => err instanceof QuantityParseError && err.message === message);
    });
  }

  it('uses upstream error text', () => {
    assert.equal(ERR_FORMAT_WRONG, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });

  it('reads JSON values as UnmarshalJSON (whitespace trimmed)', () => {
    assert.equal(Quantity.fromJSON(' 1').toString(), '1');
    assert.equal(Quantity.fromJSON('-1 ').toString(), '-1');
    assert.equal(Quantity.fromJSON(10).toString(), '10');
    assert.throws(() => Quantity.fromJSON(true), QuantityParseError);
  });

  it('accepts JSON numbers', () => {
    assert.equal(Quantity.parse(2).toString(), '2');
    assert.equal(Quantity.parse(0.5).toString(), '500m');
    assert.equal(Quantity.parse(1e21).toString(), '1e21');
  });
});

describe('Quantity.toString', () => {
  // upstream's TestQuantityString / TestQuantityParseEmit and the brief's examples: input → printed.
  const cases: [string, string][] = [
    ['1Ki', '1Ki'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['307200Ki', '300Mi'],
    ['1025024Mi', '1001Gi'],
    ['1024Gi', '1Ti'],
    ['1000M', '1G'],
    ['0.001T', '1G'],
    ['1000000k', '1G'],
    ['1000u', '1m'],
    ['1.08', '1080m'],
    ['1080000000n', '1080m'],
    ['1000E', '1e21'],
    ['5000E', '5e21'],
    ['.001e12', '1e9'],
    ['0.001e0', '1e-3'],
    ['1000e-12', '1e-9'],
    ['00', '0'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['.000000000001Ki', '2n'],
    ['1000m', '1'],
    ['1.5Gi', '1536Mi'],
    ['0.1', '100m'],
    ['1e3', '1e3'],
    ['1.5', '1500m'],
    ['0.5Ki', '512'],
    ['1.1Ki', '1126400m'],
    ['2000', '2k'],
    ['1025', '1025'],
    ['0Gi', '0'],
    // Canonical input is kept as written, as upstream's fast path does.
    ['+1', '+1'],
    ['100m', '100m'],
    ['-1Ki', '-1Ki'],
    ['-1.5Gi', '-1536Mi'],
  ];
  for (const [input, out] of cases) {
    it(`${input} prints ${out}`, () => assert.equal(q(input).toString(), out));
  }

  it('prints past Ei in exact decimal form', () => {
    assert.equal(q('1Ei').mul(1024).toString(), '1180591620717411303424');
    assert.equal(Quantity.fromValue(10n ** 70n, 'BinarySI').toString(), '10e69');
  });

  it('prints below nano in exponent form', () => {
    assert.equal(Quantity.fromScaled(1, -12).toString(), '1e-12');
    assert.equal(Quantity.fromScaled(1, -10).toString(), '100e-12');
  });

  it('NewMilliQuantity cases', () => {
    assert.equal(Quantity.fromMilli(1).toString(), '1m');
    assert.equal(Quantity.fromMilli(1234000).toString(), '1234');
    assert.equal(Quantity.fromMilli(1024, 'BinarySI').toString(), '1024m');
    assert.equal(Quantity.fromMilli(1024 * 1024, 'BinarySI').toString(), '1048576m');
    assert.equal(Quantity.fromScaled(-901, -2).toString(), '-9010m');
  });

  it('serializes to JSON as its string', () => {
    assert.equal(JSON.stringify({ cpu: q('0.1') }), '{"cpu":"100m"}');
  });
});

describe('Quantity arithmetic', () => {
  it('0.1 + 0.2 cpu is exactly 300m', () => {
    const sum = q('0.1').add(q('0.2'));
    assert.equal(sum.toString(), '300m');
    assert.equal(sum.cmp(q('300m')), 0);
    assert.equal(sum.milliValue(), 300);
  });

  it('adding or subtracting zero keeps the suffix', () => {
    for (const v of ['100m', '1Gi']) {
      assert.equal(q(v).add(q('0')).toString(), v);
      assert.equal(q('0').add(q(v)).toString(), v);
      assert.equal(q(v).sub(q('0')).toString(), v);
      assert.equal(q('0').sub(q(v)).toString(), q(v).neg().toString());
    }
  });

  it('stays bounded for absurd exponent gaps', () => {
    assert.equal(q('1e2000000000').add(q('1m')).toString(), '100e1999999998');
    assert.equal(q('1m').add(q('1e2000000000')).cmp(q('1e2000000000')), 0);
    assert.equal(q('1e2000000000').cmp(q('1m')), 1);
    assert.equal(q('1e2000000000').milliValue(), 9223372036854775807);
    assert.equal(q('1e-2000000000').toString(), '1e-9');
  });

  it('keeps the receiver format', () => {
    assert.equal(q('1Gi').add(q('1G')).toString(), '2073741824');
    assert.equal(q('1Gi').add(q('1Gi')).toString(), '2Gi');
    assert.equal(q('2Gi').sub(q('512Mi')).toString(), '1536Mi');
    assert.equal(q('1').sub(q('250m')).toString(), '750m');
    assert.ok(q('1').sub(q('1')).isZero());
  });

  const cmpCases: [string, string, -1 | 0 | 1][] = [
    ['0', '0', 0],
    ['100m', '50m', 1],
    ['50m', '100m', -1],
    ['10000T', '100Gi', 1],
    ['1', '1000m', 0],
    ['1Ki', '1024', 0],
    ['-1', '0', -1],
    ['-2', '-1', -1],
    ['1e100', '1e-9', 1],
    ['1e300', '1e299', 1],
  ];
  for (const [a, b, want] of cmpCases) {
    it(`cmp(${a}, ${b}) = ${want}`, () => {
      assert.equal(q(a).cmp(q(b)), want);
      assert.equal(q(b).cmp(q(a)), want === 0 ? 0 : -want);
    });
  }

  const valueCases: [string, number, number][] = [
    ['100m', 100, 1],
    ['1Ki', 1024000, 1024],
    ['0.1m', 1, 1],
    ['1.5', 1500, 2],
    ['1n', 1, 1],
    ['-1.5', -1500, -2],
    ['12E', 9223372036854775807, 9223372036854775807],
  ];
  for (const [input, milli, value] of valueCases) {
    it(`${input}: milliValue ${milli}, value ${value}`, () => {
      assert.equal(q(input).milliValue(), milli);
      assert.equal(q(input).value(), value);
    });
  }

  it('scaledValueBig rounds up and saturates', () => {
    assert.equal(q('9.01').scaledValueBig(-1), 91n);
    assert.equal(q('1e-6').scaledValueBig(0), 1n);
    assert.equal(q('1e20').scaledValueBig(0), (1n << 63n) - 1n);
    assert.equal(q('-1e20').scaledValueBig(0), -(1n << 63n));
  });
});

it('parse results are shared per string and errors are not remembered', () => {
  const cases: Array<{ name: string; s: string; want?: string }> = [
    { name: 'canonical input', s: '100m', want: '100m' },
    { name: 'canonicalized input', s: '1024Mi', want: '1Gi' },
    { name: 'malformed input', s: '12x' },
  ];
  for (const c of cases) {
    for (let i = 0; i < 2; i++) {
      if (c.want === undefined) assert.throws(() => Quantity.parse(c.s), c.name);
      else assert.equal(Quantity.parse(c.s).toString(), c.want, c.name);
    }
  }
  assert.equal(Quantity.parse('250m'), Quantity.parse('250m'), 'one immutable instance per string');
});
