/**
 * Validation of flowcontrol.apiserver.k8s.io/v1 (API Priority and Fairness) objects, as
 * upstream's pkg/apis/flowcontrol/validation: FlowSchema and PriorityLevelConfiguration, their
 * status writes, with upstream's field paths and messages. Objects arrive defaulted (../defaults).
 *
 * Not checked, as upstream no longer does either: that a mandatory object's spec equals the
 * built-in one (the apiserver's configuration ensurer restores it instead).
 */
import type {
  FlowSchema,
  FlowSchemaSpec,
  LimitedPriorityLevelConfiguration,
  NonResourcePolicyRule,
  PolicyRulesWithSubjects,
  PriorityLevelConfiguration,
  QueuingConfiguration,
  ResourcePolicyRule,
  Subject,
} from 'kubernetes-types/flowcontrol/v1.js';
import { field, type FieldError, Path } from '../field.js';
import { GoValue, goStringSlice } from './govalue.js';
import { kind, type KindValidator } from './kind.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';

const META = Path.root('metadata');
const SPEC = Path.root('spec');
const STATUS = Path.root('status');

/** FlowSchemaMaxMatchingPrecedence is the largest allowed spec.matchingPrecedence. */
export const FLOW_SCHEMA_MAX_MATCHING_PRECEDENCE = 10000;
const MAX_QUEUES = 10_000_000;
/** Shuffle sharding hashes into 60 bits (upstream's shufflesharding.MaxHashBits). */
const MAX_HASH_BITS = 60;

const SUPPORTED_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];
const SUPPORTED_SUBJECT_KINDS = ['Group', 'ServiceAccount', 'User'];
const SUPPORTED_DISTINGUISHERS = ['ByNamespace', 'ByUser'];
const SUPPORTED_PL_TYPES = ['Exempt', 'Limited'];
const SUPPORTED_LIMIT_RESPONSES = ['Queue', 'Reject'];
const NS_ERR_INTRO = "each member of this list must be '*' or a DNS-1123 label; ";

const hasWildcard = (list: readonly string[]): boolean => list.includes('*');
const isSet = (v: unknown): boolean => v !== undefined && v !== null;

function validateFlowSchemaSpec(name: string, spec: FlowSchemaSpec | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const s = spec ?? ({} as FlowSchemaSpec);
  const mp = s.matchingPrecedence ?? 0;
  if (mp <= 0) errs.push(field.invalid(p.child('matchingPrecedence'), mp, 'must be a positive value'));
  if (mp > FLOW_SCHEMA_MAX_MATCHING_PRECEDENCE) errs.push(field.invalid(p.child('matchingPrecedence'), mp, `must not be greater than ${FLOW_SCHEMA_MAX_MATCHING_PRECEDENCE}`));
  if (mp === 1 && name !== 'exempt') errs.push(field.invalid(p.child('matchingPrecedence'), mp, "only the schema named 'exempt' may have matchingPrecedence 1"));
  const dm = s.distinguisherMethod;
  if (isSet(dm) && !SUPPORTED_DISTINGUISHERS.includes(dm!.type ?? '')) {
    errs.push(field.notSupported(p.child('distinguisherMethod', 'type'), new GoValue(`&flowcontrol.FlowDistinguisherMethod{Type:${JSON.stringify(dm!.type ?? '')}}`), SUPPORTED_DISTINGUISHERS));
  }
  const plName = s.priorityLevelConfiguration?.name ?? '';
  const plPath = p.child('priorityLevelConfiguration', 'name');
  if (plName) for (const m of nameIsDNSSubdomain(plName, false)) errs.push(field.invalid(plPath, plName, m));
  else errs.push(field.required(plPath, 'must reference a priority level'));
  (s.rules ?? []).forEach((r, i) => errs.push(...validatePolicyRulesWithSubjects(r, p.child('rules').index(i))));
  return errs;
}

function validatePolicyRulesWithSubjects(rule: PolicyRulesWithSubjects, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const subjects = rule.subjects ?? [];
  if (subjects.length > 0) subjects.forEach((s, i) => errs.push(...validateSubject(s, p.child('subjects').index(i))));
  else errs.push(field.required(p.child('subjects'), 'subjects must contain at least one value'));
  const rr = rule.resourceRules ?? [];
  const nr = rule.nonResourceRules ?? [];
  if (rr.length === 0 && nr.length === 0) errs.push(field.required(p, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
  rr.forEach((r, i) => errs.push(...validateResourcePolicyRule(r, p.child('resourceRules').index(i))));
  nr.forEach((r, i) => errs.push(...validateNonResourcePolicyRule(r, p.child('nonResourceRules').index(i))));
  return errs;
}

function validateSubject(s: Subject, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const forbidUser = (): void => {
    if (isSet(s.user)) errs.push(field.forbidden(p.child('user'), "user is forbidden when subject kind is not 'User'"));
  };
  const forbidGroup = (): void => {
    if (isSet(s.group)) errs.push(field.forbidden(p.child('group'), "group is forbidden when subject kind is not 'Group'"));
  };
  const forbidSA = (): void => {
    if (isSet(s.serviceAccount)) errs.push(field.forbidden(p.child('serviceAccount'), "serviceAccount is forbidden when subject kind is not 'ServiceAccount'"));
  };
  switch (s.kind) {
    case 'ServiceAccount': {
      const sa = s.serviceAccount;
      const sp = p.child('serviceAccount');
      if (!isSet(sa)) errs.push(field.required(sp, "serviceAccount is required when subject kind is 'ServiceAccount'"));
      else {
        if (!sa!.name) errs.push(field.required(sp.child('name'), ''));
        else if (sa!.name !== '*') for (const m of nameIsDNSSubdomain(sa!.name, false)) errs.push(field.invalid(sp.child('name'), sa!.name, m));
        if (sa!.namespace) for (const m of nameIsDNSLabel(sa!.namespace, false)) errs.push(field.invalid(sp.child('namespace'), sa!.namespace, m));
        else errs.push(field.required(sp.child('namespace'), 'must specify namespace for service account'));
      }
      forbidUser();
      forbidGroup();
      break;
    }
    case 'User':
      if (!isSet(s.user)) errs.push(field.required(p.child('user'), "user is required when subject kind is 'User'"));
      else if (!s.user!.name) errs.push(field.required(p.child('user', 'name'), ''));
      forbidSA();
      forbidGroup();
      break;
    case 'Group':
      if (!isSet(s.group)) errs.push(field.required(p.child('group'), "group is required when subject kind is 'Group'"));
      else if (!s.group!.name) errs.push(field.required(p.child('group', 'name'), ''));
      forbidSA();
      forbidUser();
      break;
    default:
      errs.push(field.notSupported(p.child('kind'), s.kind ?? '', SUPPORTED_SUBJECT_KINDS));
  }
  return errs;
}

function validateVerbs(verbs: readonly string[], p: Path): FieldError[] {
  if (verbs.length === 0) return [field.required(p, 'verbs must contain at least one value')];
  if (hasWildcard(verbs)) return verbs.length > 1 ? [field.invalid(p, goStringSlice(verbs), "if '*' is present, must not specify other verbs")] : [];
  if (!verbs.every((v) => SUPPORTED_VERBS.includes(v))) return [field.notSupported(p, goStringSlice(verbs), SUPPORTED_VERBS)];
  return [];
}

function validateResourcePolicyRule(r: ResourcePolicyRule, p: Path): FieldError[] {
  const errs = validateVerbs(r.verbs ?? [], p.child('verbs'));
  const groups = r.apiGroups ?? [];
  if (groups.length === 0) errs.push(field.required(p.child('apiGroups'), 'resource rules must supply at least one api group'));
  else if (groups.length > 1 && hasWildcard(groups)) errs.push(field.invalid(p.child('apiGroups'), goStringSlice(groups), "if '*' is present, must not specify other api groups"));
  const resources = r.resources ?? [];
  if (resources.length === 0) errs.push(field.required(p.child('resources'), 'resource rules must supply at least one resource'));
  else if (resources.length > 1 && hasWildcard(resources)) errs.push(field.invalid(p.child('resources'), goStringSlice(resources), "if '*' is present, must not specify other resources"));
  const nss = r.namespaces ?? [];
  if (nss.length === 0 && !r.clusterScope) {
    errs.push(field.required(p.child('namespaces'), 'resource rules that are not cluster scoped must supply at least one namespace'));
  } else if (hasWildcard(nss)) {
    if (nss.length > 1) errs.push(field.invalid(p.child('namespaces'), goStringSlice(nss), "if '*' is present, must not specify other namespaces"));
  } else {
    nss.forEach((ns, i) => {
      for (const m of nameIsDNSLabel(ns, false)) errs.push(field.invalid(p.child('namespaces').index(i), ns, NS_ERR_INTRO + m));
    });
  }
  return errs;
}

function validateNonResourcePolicyRule(r: NonResourcePolicyRule, p: Path): FieldError[] {
  const errs = validateVerbs(r.verbs ?? [], p.child('verbs'));
  const urls = r.nonResourceURLs ?? [];
  const up = p.child('nonResourceURLs');
  if (urls.length === 0) errs.push(field.required(up, 'nonResourceURLs must contain at least one value'));
  else if (hasWildcard(urls)) {
    if (urls.length > 1) errs.push(field.invalid(up, goStringSlice(urls), "if '*' is present, must not specify other non-resource URLs"));
  } else {
    urls.forEach((u, i) => {
      const msg = nonResourceURLError(u);
      if (msg) errs.push(field.invalid(up.index(i), u, msg));
    });
  }
  return errs;
}

/** nonResourceURLError is upstream's ValidateNonResourceURLPath: '' when the path is valid. */
export function nonResourceURLError(path: string): string {
  if (path === '') return 'must not be empty';
  if (path === '/') return '';
  if (!path.startsWith('/')) return 'must start with slash';
  if (path.includes(' ')) return 'must not contain white-space';
  if (path.includes('//')) return 'must not contain double slash';
  const stars = path.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !path.endsWith('/*'))) return 'wildcard can only do suffix matching';
  return '';
}

function validateConditions(conditions: readonly { type?: string }[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (conditions ?? []).forEach((c, i) => {
    const cp = p.child('conditions').index(i);
    const t = c.type ?? '';
    if (seen.has(t)) errs.push(field.duplicate(cp.child('type'), t));
    seen.add(t);
    if (!t) errs.push(field.required(cp.child('type'), 'must not be empty'));
  });
  return errs;
}

/** validateFlowSchema is upstream's ValidateFlowSchema (create and update alike). */
export function validateFlowSchema(fs: FlowSchema): FieldError[] {
  const errs = validateObjectMeta(fs.metadata, false, nameIsDNSSubdomain, META);
  errs.push(...validateFlowSchemaSpec(fs.metadata?.name ?? '', fs.spec, SPEC));
  errs.push(...validateConditions(fs.status?.conditions, STATUS));
  return errs;
}

function validateLimited(l: LimitedPriorityLevelConfiguration, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  // v1 allows zero shares (a "jail" level); only negative values are refused.
  const ncs = l.nominalConcurrencyShares ?? 0;
  if (ncs < 0) errs.push(field.invalid(p.child('nominalConcurrencyShares'), ncs, 'must be a non-negative integer'));
  const lr = l.limitResponse;
  const lp = p.child('limitResponse');
  switch (lr?.type) {
    case 'Reject':
      if (isSet(lr.queuing)) errs.push(field.forbidden(lp.child('queuing'), 'must be nil if limited.limitResponse.type is not Limited'));
      break;
    case 'Queue':
      if (!isSet(lr.queuing)) errs.push(field.required(lp.child('queuing'), 'must not be empty if limited.limitResponse.type is Limited'));
      else errs.push(...validateQueuing(lr.queuing!, lp.child('queuing')));
      break;
    default:
      errs.push(field.notSupported(lp.child('type'), lr?.type ?? '', SUPPORTED_LIMIT_RESPONSES));
  }
  if (isSet(l.lendablePercent) && !(l.lendablePercent! >= 0 && l.lendablePercent! <= 100)) {
    errs.push(field.invalid(p.child('lendablePercent'), l.lendablePercent, 'must be between 0 and 100, inclusive'));
  }
  if (isSet(l.borrowingLimitPercent) && l.borrowingLimitPercent! < 0) {
    errs.push(field.invalid(p.child('borrowingLimitPercent'), l.borrowingLimitPercent, 'if specified, must be a non-negative integer'));
  }
  return errs;
}

/** requiredEntropyBits is upstream's shufflesharding.RequiredEntropyBits: ceil(log2(deck^hand)). */
export function requiredEntropyBits(deckSize: number, handSize: number): number {
  return Math.ceil(Math.log2(deckSize) * handSize);
}

function validateQueuing(q: QueuingConfiguration, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const qll = q.queueLengthLimit ?? 0;
  const queues = q.queues ?? 0;
  const hand = q.handSize ?? 0;
  if (qll <= 0) errs.push(field.invalid(p.child('queueLengthLimit'), qll, 'must be positive'));
  if (queues <= 0) errs.push(field.invalid(p.child('queues'), queues, 'must be positive'));
  else if (queues > MAX_QUEUES) errs.push(field.invalid(p.child('queues'), queues, `must not be greater than ${MAX_QUEUES}`));
  if (hand <= 0) errs.push(field.invalid(p.child('handSize'), hand, 'must be positive'));
  else if (hand > queues) errs.push(field.invalid(p.child('handSize'), hand, `should not be greater than queues (${queues})`));
  else if (requiredEntropyBits(queues, hand) > MAX_HASH_BITS) {
    errs.push(field.invalid(p.child('handSize'), hand, `required entropy bits of deckSize ${queues} and handSize ${hand} should not be greater than ${MAX_HASH_BITS}`));
  }
  return errs;
}

/** validatePriorityLevelConfiguration is upstream's ValidatePriorityLevelConfiguration for v1. */
export function validatePriorityLevelConfiguration(pl: PriorityLevelConfiguration): FieldError[] {
  const errs = validateObjectMeta(pl.metadata, false, nameIsDNSSubdomain, META);
  const spec = pl.spec ?? ({} as NonNullable<PriorityLevelConfiguration['spec']>);
  const type = spec.type ?? '';
  if ((pl.metadata?.name === 'exempt') !== (type === 'Exempt')) {
    errs.push(field.invalid(SPEC.child('type'), type, "type must be 'Exempt' if and only if name is 'exempt'"));
  }
  switch (type) {
    case 'Exempt': {
      if (isSet(spec.limited)) errs.push(field.forbidden(SPEC.child('limited'), 'must be nil if the type is not Limited'));
      const ex = spec.exempt;
      if (isSet(ex)) {
        const ep = SPEC.child('exempt');
        if (isSet(ex!.nominalConcurrencyShares) && ex!.nominalConcurrencyShares! < 0) {
          errs.push(field.invalid(ep.child('nominalConcurrencyShares'), ex!.nominalConcurrencyShares, 'must be a non-negative integer'));
        }
        if (isSet(ex!.lendablePercent) && !(ex!.lendablePercent! >= 0 && ex!.lendablePercent! <= 100)) {
          errs.push(field.invalid(ep.child('lendablePercent'), ex!.lendablePercent, 'must be between 0 and 100, inclusive'));
        }
      }
      break;
    }
    case 'Limited':
      if (isSet(spec.exempt)) errs.push(field.forbidden(SPEC.child('exempt'), 'must be nil if the type is Limited'));
      if (!isSet(spec.limited)) errs.push(field.required(SPEC.child('limited'), 'must not be empty when type is Limited'));
      else errs.push(...validateLimited(spec.limited!, SPEC.child('limited')));
      break;
    default:
      errs.push(field.notSupported(SPEC.child('type'), type, SUPPORTED_PL_TYPES));
  }
  errs.push(...validateConditions(pl.status?.conditions, STATUS));
  return errs;
}

const metaUpdate = (n: { metadata?: FlowSchema['metadata'] }, o: { metadata?: FlowSchema['metadata'] }): FieldError[] => validateObjectMetaUpdate(n.metadata, o.metadata, META);

export const validators: [string, KindValidator][] = [
  [
    'flowcontrol.apiserver.k8s.io/FlowSchema',
    kind<FlowSchema>(
      validateFlowSchema,
      (n, o) => [...metaUpdate(n, o), ...validateFlowSchema(n)],
      (n, o) => [...metaUpdate(n, o), ...validateConditions(n.status?.conditions, STATUS)],
    ),
  ],
  [
    'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
    kind<PriorityLevelConfiguration>(
      validatePriorityLevelConfiguration,
      (n, o) => [...metaUpdate(n, o), ...validatePriorityLevelConfiguration(n)],
      (n, o) => [...metaUpdate(n, o), ...validateConditions(n.status?.conditions, STATUS)],
    ),
  ],
];
