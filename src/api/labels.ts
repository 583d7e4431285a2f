/**
 * Label selectors as upstream's k8s.io/apimachinery/pkg/labels: the string syntax
 * (`a=b,c!=d,e in (f,g),!h,i>3`) and metav1.LabelSelector, both compiled to a Selector.
 *
 * Errors carry upstream's text; kube-apiserver returns it verbatim in a 400 BadRequest
 * (`unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label must ...`),
 * so both entry points throw badRequest(...) StatusErrors.
 */
import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js';
import { badRequest } from './errors.js';
import { aggregateString, field, fieldErrorString, type FieldError } from './field.js';

export interface Selector {
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** empty is true for the selector that matches everything. */
  empty(): boolean;
  /** requiresExactMatch returns the value when the selector pins `label=value` (for indexing). */
  requiresExactMatch(label: string): string | undefined;
  toString(): string;
}

/** Operator is upstream's selection.Operator. */
export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** Requirement is one term of a selector: key, operator and values (as upstream's labels.Requirement). */
export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/** RequirementsSelector is a Selector that also exposes its requirements, sorted by key. */
export interface RequirementsSelector extends Selector {
  readonly requirements: readonly Requirement[];
}

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

// ---- label key / value checks (upstream's IsQualifiedName and IsValidLabelValue texts) ----

const NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  // Upstream appends `'x', ` per example joined by ` or `, hence the double spaces.
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

/** labelKeyErrors returns upstream's complaints about a label key (empty when valid). */
export function labelKeyErrors(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split('/');
  if (parts.length > 2) {
    return [`a valid label key ${regexError(NAME_MSG, NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const name = parts[parts.length - 1]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
      if (!SUBDOMAIN_RE.test(prefix)) errs.push('prefix part ' + regexError(SUBDOMAIN_MSG, SUBDOMAIN_FMT, 'example.com'));
    }
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!NAME_RE.test(name)) errs.push('name part ' + regexError(NAME_MSG, NAME_FMT, 'MyName', 'my.name', '123-abc'));
  return errs;
}

/** labelValueErrors returns upstream's complaints about a label value (empty when valid). */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (value !== '' && !NAME_RE.test(value)) errs.push(regexError(VALUE_MSG, `(${NAME_FMT})?`, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---- requirements ----

const INT64 = /^[+-]?[0-9]+$/;
const parseInt64 = (s: string): bigint | undefined => {
  if (!INT64.test(s)) return undefined;
  const v = BigInt(s);
  return v >= -(1n << 63n) && v < 1n << 63n ? v : undefined;
};

/**
 * requirementErrors validates a requirement as upstream's NewRequirement; `path` prefixes field
 * paths (undefined renders as upstream's nil path). Returns the field errors, empty when valid.
 */
function requirementErrors(key: string, op: Operator, values: readonly string[], path?: string): FieldError[] {
  const at = (p: string): string => (path ? `${path}.${p}` : p);
  const errs: FieldError[] = [];
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length) errs.push(field.invalid(at('key'), key, keyErrs.join('; ')));
  const valuePath = at('values');
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(field.invalid(valuePath, new GoStringSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(field.invalid(valuePath, new GoStringSlice(values), 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(field.invalid(valuePath, new GoStringSlice(values), 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(field.invalid(valuePath, new GoStringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(field.invalid(`${valuePath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(field.notSupported(at('operator'), op, BINARY_OPERATORS.concat(['exists', '!'])));
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length) errs.push(field.invalid(`${valuePath}[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  return errs;
}

/**
 * GoStringSlice renders a []string bad value as Go's %#v does (`[]string{"a", "b"}`). Upstream
 * copies values with append([]string(nil), ...), so an empty list is a nil slice there.
 */
class GoStringSlice {
  constructor(private readonly values: readonly string[]) {}
  toString(): string {
    if (this.values.length === 0) return '[]string(nil)';
    return `[]string{${this.values.map((v) => JSON.stringify(v)).join(', ')}}`;
  }
}

function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key]! : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(value!);
      const bound = parseInt64(r.values[0]!);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** requirementString prints a requirement as upstream (`a in (x,y)`, `!a`, `a>1`). */
export function requirementString(r: Requirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return '!' + r.key;
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  switch (r.operator) {
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return r.key + r.operator + values;
  }
}

class RequirementSelector implements RequirementsSelector {
  readonly requirements: readonly Requirement[];

  constructor(requirements: readonly Requirement[]) {
    // Sorted by key (stably) so the printed form is deterministic, as upstream's ByKey.
    this.requirements = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    const l = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, l));
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  requiresExactMatch(label: string): string | undefined {
    const r = this.requirements.find((x) => x.key === label);
    if (!r) return undefined;
    return (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1 ? r.values[0] : undefined;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

/** everything matches all label sets (upstream's labels.Everything()). */
export const everything: RequirementsSelector = new RequirementSelector([]);

/** nothing matches no label set (upstream's labels.Nothing(), what a nil LabelSelector means). */
export const nothing: RequirementsSelector = {
  requirements: [],
  matches: () => false,
  empty: () => false,
  requiresExactMatch: () => undefined,
  toString: () => '',
};

/** selectorFromSet matches exactly the given labels (upstream's SelectorFromSet; no validation). */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined): RequirementsSelector {
  return new RequirementSelector(Object.entries(set ?? {}).map(([key, value]) => ({ key, operator: '=' as const, values: [value] })));
}

// ---- the string syntax ----

type Token = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
interface Item {
  tok: Token;
  lit: string;
}

const KEYWORDS: Readonly<Record<string, Token>> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(' };
const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);

/** lex splits the selector into tokens as upstream's Lexer (longest operator match). */
function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    // Go's lexer reads a NUL byte as the end of input.
    if (pos >= s.length || s[pos] === '\0') {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(s[pos]!)) {
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        const next = buf + s[pos];
        const tok = Object.hasOwn(KEYWORDS, next) ? KEYWORDS[next] : undefined;
        if (tok) {
          last = { tok, lit: next };
        } else if (last) {
          break;
        }
        buf = next;
        pos++;
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
    } else {
      const start = pos;
      while (pos < s.length && s[pos] !== '\0' && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) pos++;
      const word = s.slice(start, pos);
      const tok = Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word]! : 'id';
      items.push({ tok, lit: word });
    }
  }
}

class ParseError extends Error {}

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  /** In value context the keywords `in` and `notin` are plain identifiers. */
  private peek(values: boolean): Item {
    const it = this.items[this.position]!;
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }

  private next(values: boolean): Item {
    const it = this.peek(values);
    this.position++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (err) {
        throw new ParseError(`unable to parse requirement: ${(err as Error).message}`, { cause: err });
      }
      const after = this.next(true);
      if (after.tok === 'eos') return reqs;
      if (after.tok !== ',') throw new ParseError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.peek(true);
      if (following.tok !== 'id' && following.tok !== '!') throw new ParseError(`found '${following.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let operator: Operator | undefined;
    let { tok, lit } = this.next(true);
    if (tok === '!') {
      operator = '!';
      ({ tok, lit } = this.next(true));
    }
    if (tok !== 'id') throw new ParseError(`found '${lit}', expected: identifier`);
    const keyErrs = labelKeyErrors(lit);
    if (keyErrs.length) throw new ParseError(fieldErrorString(field.invalid('<nil>', lit, keyErrs.join('; '))));
    const key = lit;
    const la = this.peek(true).tok;
    if (la === 'eos' || la === ',') operator = operator ?? 'exists';
    if (operator === 'exists' || operator === '!') return checked(key, operator, []);

    const opItem = this.next(false);
    const op = ({ in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' } as Partial<Record<Token, Operator>>)[opItem.tok];
    if (!op) throw new ParseError(`found '${opItem.lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    const values = op === 'in' || op === 'notin' ? this.valueSet() : this.exactValue();
    // Parsed values are a set, listed sorted (upstream's sets.String.List()).
    return checked(key, op, [...new Set(values)].sort());
  }

  private valueSet(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw new ParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.peek(true);
    if (tok === ')') {
      this.next(true);
      return [''];
    }
    if (tok !== 'id' && tok !== ',') throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
    const values = this.identifierList();
    if (this.next(true).tok !== ')') throw new ParseError(`found '${lit}', expected: ')'`);
    return values;
  }

  private identifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const { tok, lit } = this.next(true);
      if (tok === 'id') {
        values.push(lit);
        const after = this.peek(true);
        if (after.tok === ',') continue;
        if (after.tok === ')') return values;
        throw new ParseError(`found '${after.lit}', expected: ',' or ')'`);
      }
      if (tok === ',') {
        // `(,`, `,,` and `,)` each stand for an empty value.
        if (values.length === 0) values.push('');
        const after = this.peek(true).tok;
        if (after === ')') {
          values.push('');
          return values;
        }
        if (after === ',') values.push('');
        continue;
      }
      throw new ParseError(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private exactValue(): string[] {
    const la = this.peek(true).tok;
    if (la === 'eos' || la === ',') return [''];
    const { tok, lit } = this.next(true);
    if (tok === 'id') return [lit];
    throw new ParseError(`found '${lit}', expected: identifier`);
  }
}

function checked(key: string, operator: Operator, values: string[]): Requirement {
  const errs = requirementErrors(key, operator, values);
  if (errs.length) throw new ParseError(aggregateString(errs));
  return { key, operator, values };
}

/**
 * parseLabelSelector parses the query-string syntax (`labelSelector=`) into a selector sorted by
 * key. Throws a 400 BadRequest StatusError carrying upstream's parse error text.
 */
export function parseLabelSelector(s: string): RequirementsSelector {
  try {
    return new RequirementSelector(new Parser(lex(s)).parse());
  } catch (err) {
    if (err instanceof ParseError) throw badRequest(err.message);
    throw err;
  }
}

/**
 * selectorFromLabelSelector compiles metav1.LabelSelector (matchLabels + matchExpressions) as
 * upstream's LabelSelectorAsSelector: null/undefined selects nothing, `{}` selects everything.
 * Throws a 400 BadRequest StatusError with upstream's text for an invalid selector.
 */
export function selectorFromLabelSelector(ls: MetaLabelSelector | undefined | null): RequirementsSelector {
  if (ls === undefined || ls === null) return nothing;
  const matchLabels = Object.entries(ls.matchLabels ?? {});
  const exprs = ls.matchExpressions ?? [];
  if (matchLabels.length + exprs.length === 0) return everything;
  const reqs: Requirement[] = [];
  const add = (key: string, operator: Operator, values: string[]): void => {
    const errs = requirementErrors(key, operator, values);
    if (errs.length) throw badRequest(aggregateString(errs));
    reqs.push({ key, operator, values });
  };
  for (const [key, value] of matchLabels) add(key, '=', [value]);
  for (const e of exprs) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as Record<string, Operator>)[e.operator];
    if (!op || !Object.hasOwn({ In: 1, NotIn: 1, Exists: 1, DoesNotExist: 1 }, e.operator)) {
      throw badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    }
    add(e.key, op, [...(e.values ?? [])]);
  }
  return new RequirementSelector(reqs);
}

/**
 * formatLabelSelector prints a metav1.LabelSelector the way kubectl and the API show it
 * (upstream's FormatLabelSelector): `<none>` for an empty or nil one, `<error>` for an invalid one.
 */
export function formatLabelSelector(ls: MetaLabelSelector | undefined | null): string {
  let s: string;
  try {
    s = selectorFromLabelSelector(ls).toString();
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}
