import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64DecodeError, goTimeParseError, quantityDecodeError, timeDecodeError } from './selfdecoding.js';

const FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const NUMERIC = 'unable to parse numeric part of quantity';
const SUFFIX = "unable to parse quantity's suffix";

test('quantityDecodeError: resource.Quantity.UnmarshalJSON -> ParseQuantity', () => {
  const cases: Array<[name: string, value: unknown, want: string | undefined]> = [
    // Valid in every form ParseQuantity's grammar allows.
    ['integer', '1', undefined],
    ['decimal', '1.5', undefined],
    ['milli', '100m', undefined],
    ['binary SI', '1Gi', undefined],
    ['decimal exponent', '1e3', undefined],
    ['upper-case exponent', '1E3', undefined],
    ['signed exponent', '1e+3', undefined],
    ['exa (E alone is the decimal suffix)', '1E', undefined],
    ['plus sign', '+1', undefined],
    ['minus sign', '-1', undefined],
    ['no integer part', '.5', undefined],
    ['no fraction digits', '5.', undefined],
    ['a lone dot is zero (parseQuantityString)', '.', undefined],
    ['a lone sign is zero', '+', undefined],
    ['a binary suffix without digits on the int64 path is zero', 'Ki', undefined],
    ['e-9 without digits stays on the int64 path', 'e-9', undefined],
    ['surrounding spaces (strings.TrimSpace)', ' 1 ', undefined],
    ['a JSON number (its raw text is parsed)', 0.5, undefined],
    ['a large JSON number', 1e21, undefined],
    ['null', null, undefined],
    // ErrFormatWrong: parseQuantityString does not reach the end.
    ['unknown unit letter', '1Gb', FORMAT],
    ['empty string', '', FORMAT],
    ['letters', 'x', FORMAT],
    ['a tab arrives escaped (\\t) and is not trimmed', '\t1', FORMAT],
    ['a boolean reaches ParseQuantity as "true"', true, FORMAT],
    ['an object', { a: 1 }, FORMAT],
    ['an array', [1], FORMAT],
    // ErrSuffix: quantitySuffixer.interpret refuses the suffix.
    ['lower-case ki', '1ki', SUFFIX],
    ['e without an exponent', '1e', SUFFIX],
    // ErrNumeric: the inf.Dec path finds no digits.
    ['Pi without digits (precision below zero)', 'Pi', NUMERIC],
    ['Ei without digits', 'Ei', NUMERIC],
    ['signed dot and Pi', '+.Pi', NUMERIC],
    ['exponent below nano without digits', 'e-10', NUMERIC],
    ['dot and exponent below nano', '.e-10', NUMERIC],
  ];
  for (const [name, value, want] of cases) assert.equal(quantityDecodeError(value), want, name);
});

test('goTimeParseError / timeDecodeError: time.Parse with RFC3339 (metav1.Time.UnmarshalJSON)', () => {
  const L = '"2006-01-02T15:04:05Z07:00"';
  const cases: Array<[name: string, value: string, want: string | undefined]> = [
    ['canonical UTC', '2024-01-01T00:00:00Z', undefined],
    ['fraction the layout does not name', '2024-01-01T00:00:00.123Z', undefined],
    ['comma fraction', '2024-01-01T00:00:00,5Z', undefined],
    ['numeric offset', '2024-01-01T00:00:00+01:00', undefined],
    ['leap day', '2024-02-29T00:00:00Z', undefined],
    ['one-digit hour (stdHour is not fixed)', '2024-01-01T9:00:00Z', undefined],
    ['offset hour 24 (range test is >)', '2024-01-01T00:00:00+24:00', undefined],
    ['not a time', 'x', `parsing time "x" as ${L}: cannot parse "x" as "2006"`],
    ['empty string', '', `parsing time "" as ${L}: cannot parse "" as "2006"`],
    ['date only', '2024-01-01', `parsing time "2024-01-01" as ${L}: cannot parse "" as "T"`],
    ['space instead of T', '2024-01-01 00:00:00Z', `parsing time "2024-01-01 00:00:00Z" as ${L}: cannot parse " 00:00:00Z" as "T"`],
    ['one-digit month', '2024-1-01T00:00:00Z', `parsing time "2024-1-01T00:00:00Z" as ${L}: cannot parse "1-01T00:00:00Z" as "01"`],
    ['no zone', '2024-01-01T00:00:00', `parsing time "2024-01-01T00:00:00" as ${L}: cannot parse "" as "Z07:00"`],
    ['lower-case z', '2024-01-01T00:00:00z', `parsing time "2024-01-01T00:00:00z" as ${L}: cannot parse "z" as "Z07:00"`],
    ['offset without colon', '2024-01-01T00:00:00+0100', `parsing time "2024-01-01T00:00:00+0100" as ${L}: cannot parse "+0100" as "Z07:00"`],
    ['month 13', '2024-13-01T00:00:00Z', 'parsing time "2024-13-01T00:00:00Z": month out of range'],
    ['hour 24', '2024-01-01T24:00:00Z', 'parsing time "2024-01-01T24:00:00Z": hour out of range'],
    ['minute 61', '2024-01-01T00:61:00Z', 'parsing time "2024-01-01T00:61:00Z": minute out of range'],
    ['second 60', '2024-01-01T00:00:60Z', 'parsing time "2024-01-01T00:00:60Z": second out of range'],
    ['offset hour 25', '2024-01-01T00:00:00+25:00', 'parsing time "2024-01-01T00:00:00+25:00": time zone offset hour out of range'],
    ['offset minute 61', '2024-01-01T00:00:00+01:61', 'parsing time "2024-01-01T00:00:00+01:61": time zone offset minute out of range'],
    ['29 February of a common year', '2023-02-29T00:00:00Z', 'parsing time "2023-02-29T00:00:00Z": day out of range'],
    ['day 0', '2023-01-00T00:00:00Z', 'parsing time "2023-01-00T00:00:00Z": day out of range'],
    ['text after the zone', '2024-01-01T00:00:00Zjunk', 'parsing time "2024-01-01T00:00:00Zjunk": extra text: "junk"'],
    ['non-ASCII bytes are quoted as \\x', 'ä2024', `parsing time "\\xc3\\xa42024" as ${L}: cannot parse "\\xc3\\xa42024" as "2006"`],
    ['quotes are escaped', '"x', `parsing time "\\"x" as ${L}: cannot parse "\\"x" as "2006"`],
  ];
  for (const [name, value, want] of cases) {
    assert.equal(goTimeParseError('RFC3339', value), want, name);
    assert.equal(timeDecodeError('RFC3339', value), want, `${name} (fast path)`);
  }
});

test('goTimeParseError / timeDecodeError: time.Parse with RFC3339Micro (metav1.MicroTime.UnmarshalJSON)', () => {
  const L = '"2006-01-02T15:04:05.000000Z07:00"';
  const cases: Array<[name: string, value: string, want: string | undefined]> = [
    ['six fraction digits', '2024-01-01T00:00:00.123456Z', undefined],
    ['with an offset', '2024-01-01T00:00:00.000000-07:00', undefined],
    ['a sign counts as a digit (time.atoi)', '2024-01-01T00:00:00.+12345Z', undefined],
    ['no fraction', '2024-01-01T00:00:00Z', `parsing time "2024-01-01T00:00:00Z" as ${L}: cannot parse "Z" as ".000000"`],
    ['three digits', '2024-01-01T00:00:00.123Z', `parsing time "2024-01-01T00:00:00.123Z" as ${L}: cannot parse ".123Z" as ".000000"`],
    ['nine digits', '2024-01-01T00:00:00.123456789Z', `parsing time "2024-01-01T00:00:00.123456789Z" as ${L}: cannot parse "789Z" as "Z07:00"`],
    ['negative fraction', '2024-01-01T00:00:00.-12345Z', 'parsing time "2024-01-01T00:00:00.-12345Z": fractional second out of range'],
  ];
  for (const [name, value, want] of cases) {
    assert.equal(goTimeParseError('RFC3339Micro', value), want, name);
    assert.equal(timeDecodeError('RFC3339Micro', value), want, `${name} (fast path)`);
  }
});

test('base64DecodeError: base64.StdEncoding.Decode CorruptInputError offsets', () => {
  const cases: Array<[name: string, value: string, want: number | undefined]> = [
    ['empty', '', undefined],
    ['padded', 'YQ==', undefined],
    ['full group', 'YWJj', undefined],
    ['newlines are skipped anywhere', 'YW\nJj\r\n', undefined],
    ['newlines inside the padding', 'YQ\n=\n=', undefined],
    ['newline after the padding', 'YQ==\n', undefined],
    ['unpadded short group fails at its first byte', 'YWJjZA', 4],
    ['unpadded two bytes', 'YQ', 0],
    ['one byte', 'Y', 0],
    ['one of two padding bytes', 'YQ=', 3],
    ['padding then a symbol', 'YQ=a', 2],
    ['padding after one symbol', 'a===', 1],
    ['data after the padding', 'YQ==YQ==', 4],
    ['a symbol outside the alphabet', 'YWJ@', 3],
    ['a space', 'hello world', 5],
    ['PEM text in a caBundle', '-----BEGIN CERTIFICATE-----', 0],
    ['URL-safe alphabet is not StdEncoding', 'YW-j', 2],
    ['a non-ASCII byte', 'héllo', 1],
  ];
  for (const [name, value, want] of cases) assert.equal(base64DecodeError(value), want === undefined ? undefined : `illegal base64 data at input byte ${want}`, name);
});
