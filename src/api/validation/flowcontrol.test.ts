import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults, prepareForCreate } from '../defaults/index.js';
import { fieldErrorString } from '../field.js';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { nonResourceURLError, requiredEntropyBits } from './flowcontrol.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from './index.js';

const FS: GroupVersionKind = { group: 'flowcontrol.apiserver.k8s.io', version: 'v1', kind: 'FlowSchema' };
const PL: GroupVersionKind = { group: 'flowcontrol.apiserver.k8s.io', version: 'v1', kind: 'PriorityLevelConfiguration' };

function prepared(k: GroupVersionKind, obj: Record<string, unknown>): KubeObject {
  const o = structuredClone(obj) as KubeObject;
  applyDefaults(k, o);
  prepareForCreate(k, o);
  return o;
}
const errs = (k: GroupVersionKind, obj: Record<string, unknown>): string[] => validateCreate(k, prepared(k, obj)).map(fieldErrorString);

const userSubject = { kind: 'User', user: { name: 'alice' } };
const rule = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  subjects: [userSubject],
  resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], namespaces: ['default'] }],
  ...extra,
});
const flowSchema = (spec: Record<string, unknown>, name = 'fs'): Record<string, unknown> => ({
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
  kind: 'FlowSchema',
  metadata: { name },
  spec: { priorityLevelConfiguration: { name: 'global-default' }, ...spec },
});
const queued = (queuing: Record<string, unknown>): Record<string, unknown> => ({ type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing } } });
const level = (spec: Record<string, unknown>, name = 'pl'): Record<string, unknown> => ({
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
  kind: 'PriorityLevelConfiguration',
  metadata: { name },
  spec,
});

describe('flowcontrol defaulting', () => {
  const cases: { name: string; kind: GroupVersionKind; obj: Record<string, unknown>; want: Record<string, unknown> }[] = [
    { name: 'matchingPrecedence defaults to 1000', kind: FS, obj: flowSchema({}), want: { priorityLevelConfiguration: { name: 'global-default' }, matchingPrecedence: 1000 } },
    { name: 'matchingPrecedence 0 means unset', kind: FS, obj: flowSchema({ matchingPrecedence: 0 }), want: { priorityLevelConfiguration: { name: 'global-default' }, matchingPrecedence: 1000 } },
    { name: 'explicit matchingPrecedence kept', kind: FS, obj: flowSchema({ matchingPrecedence: 7 }), want: { priorityLevelConfiguration: { name: 'global-default' }, matchingPrecedence: 7 } },
    {
      name: 'queuing level gets shares, lendablePercent and queuing defaults',
      kind: PL,
      obj: level(queued({})),
      want: { type: 'Limited', limited: { nominalConcurrencyShares: 30, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } } } },
    },
    {
      name: 'explicit zero shares stay zero (v1 pointer field)',
      kind: PL,
      obj: level({ type: 'Limited', limited: { nominalConcurrencyShares: 0, limitResponse: { type: 'Reject' } } }),
      want: { type: 'Limited', limited: { nominalConcurrencyShares: 0, lendablePercent: 0, limitResponse: { type: 'Reject' } } },
    },
    {
      name: 'exempt config gets zero shares and lendablePercent',
      kind: PL,
      obj: level({ type: 'Exempt', exempt: {} }, 'exempt'),
      want: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } },
    },
    { name: 'exempt without exempt config stays so', kind: PL, obj: level({ type: 'Exempt' }, 'exempt'), want: { type: 'Exempt' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const o = prepared(c.kind, c.obj);
      assert.deepEqual(o.spec, c.want);
      assert.deepEqual(o.status, {});
      assert.equal(o.metadata?.generation, 1);
    });
  }
});

describe('flowcontrol validation', () => {
  const cases: { name: string; kind: GroupVersionKind; obj: Record<string, unknown>; want: string[] }[] = [
    { name: 'valid flow schema', kind: FS, obj: flowSchema({ distinguisherMethod: { type: 'ByUser' }, rules: [rule()] }), want: [] },
    {
      name: 'valid upstream-conformance flow schema',
      kind: FS,
      obj: flowSchema({ matchingPrecedence: 10000, rules: [{ subjects: [userSubject], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }] }),
      want: [],
    },
    {
      name: 'missing priority level name',
      kind: FS,
      obj: { metadata: { name: 'fs' }, spec: {} },
      want: ['spec.priorityLevelConfiguration.name: Required value: must reference a priority level'],
    },
    {
      name: 'bad priority level name',
      kind: FS,
      obj: flowSchema({ priorityLevelConfiguration: { name: 'Bad_Name' } }),
      want: [
        "spec.priorityLevelConfiguration.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    },
    { name: 'matchingPrecedence too big', kind: FS, obj: flowSchema({ matchingPrecedence: 10001 }), want: ['spec.matchingPrecedence: Invalid value: 10001: must not be greater than 10000'] },
    { name: 'negative matchingPrecedence', kind: FS, obj: flowSchema({ matchingPrecedence: -1 }), want: ['spec.matchingPrecedence: Invalid value: -1: must be a positive value'] },
    {
      name: 'matchingPrecedence 1 is only for exempt',
      kind: FS,
      obj: flowSchema({ matchingPrecedence: 1 }),
      want: ["spec.matchingPrecedence: Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1"],
    },
    { name: 'exempt may have matchingPrecedence 1', kind: FS, obj: flowSchema({ matchingPrecedence: 1, priorityLevelConfiguration: { name: 'exempt' } }, 'exempt'), want: [] },
    {
      name: 'unsupported distinguisher',
      kind: FS,
      obj: flowSchema({ distinguisherMethod: { type: 'ByColour' } }),
      want: ['spec.distinguisherMethod.type: Unsupported value: &flowcontrol.FlowDistinguisherMethod{Type:"ByColour"}: supported values: "ByNamespace", "ByUser"'],
    },
    {
      name: 'invalid verb',
      kind: FS,
      obj: flowSchema({ rules: [rule({ resourceRules: [{ verbs: ['get', 'fly'], apiGroups: [''], resources: ['pods'], clusterScope: true }] })] }),
      want: [
        'spec.rules[0].resourceRules[0].verbs: Unsupported value: []string{"get", "fly"}: supported values: "create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch"',
      ],
    },
    {
      name: 'wildcard verb with others',
      kind: FS,
      obj: flowSchema({ rules: [rule({ resourceRules: [{ verbs: ['*', 'get'], apiGroups: ['*'], resources: ['*'], clusterScope: true }] })] }),
      want: ['spec.rules[0].resourceRules[0].verbs: Invalid value: []string{"*", "get"}: if \'*\' is present, must not specify other verbs'],
    },
    {
      name: 'unsupported subject kind',
      kind: FS,
      obj: flowSchema({ rules: [rule({ subjects: [{ kind: 'Robot' }] })] }),
      want: ['spec.rules[0].subjects[0].kind: Unsupported value: "Robot": supported values: "Group", "ServiceAccount", "User"'],
    },
    {
      name: 'service account subject needs namespace, user field forbidden',
      kind: FS,
      obj: flowSchema({ rules: [rule({ subjects: [{ kind: 'ServiceAccount', serviceAccount: { name: '*' }, user: { name: 'x' } }] })] }),
      want: [
        'spec.rules[0].subjects[0].serviceAccount.namespace: Required value: must specify namespace for service account',
        "spec.rules[0].subjects[0].user: Forbidden: user is forbidden when subject kind is not 'User'",
      ],
    },
    {
      name: 'rule without subjects or rules',
      kind: FS,
      obj: flowSchema({ rules: [{}] }),
      want: ['spec.rules[0].subjects: Required value: subjects must contain at least one value', 'spec.rules[0]: Required value: at least one of resourceRules and nonResourceRules has to be non-empty'],
    },
    {
      name: 'namespaced resource rule without namespaces',
      kind: FS,
      obj: flowSchema({ rules: [rule({ resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] })] }),
      want: ['spec.rules[0].resourceRules[0].namespaces: Required value: resource rules that are not cluster scoped must supply at least one namespace'],
    },
    {
      name: 'bad non-resource URL',
      kind: FS,
      obj: flowSchema({ rules: [rule({ resourceRules: undefined, nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['healthz'] }] })] }),
      want: ['spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid value: "healthz": must start with slash'],
    },
    { name: 'valid queuing level', kind: PL, obj: level(queued({})), want: [] },
    { name: 'valid reject level', kind: PL, obj: level({ type: 'Limited', limited: { nominalConcurrencyShares: 2, limitResponse: { type: 'Reject' } } }), want: [] },
    {
      name: 'handSize greater than queues',
      kind: PL,
      obj: level(queued({ queues: 4, handSize: 8 })),
      want: ['spec.limited.limitResponse.queuing.handSize: Invalid value: 8: should not be greater than queues (4)'],
    },
    {
      name: 'too much entropy',
      kind: PL,
      obj: level(queued({ queues: 10000000, handSize: 5 })),
      want: ['spec.limited.limitResponse.queuing.handSize: Invalid value: 5: required entropy bits of deckSize 10000000 and handSize 5 should not be greater than 60'],
    },
    {
      name: 'negative queue settings',
      kind: PL,
      obj: level(queued({ queues: -1, handSize: -1, queueLengthLimit: -1 })),
      want: [
        'spec.limited.limitResponse.queuing.queueLengthLimit: Invalid value: -1: must be positive',
        'spec.limited.limitResponse.queuing.queues: Invalid value: -1: must be positive',
        'spec.limited.limitResponse.queuing.handSize: Invalid value: -1: must be positive',
      ],
    },
    {
      name: 'queue response without queuing',
      kind: PL,
      obj: level({ type: 'Limited', limited: { limitResponse: { type: 'Queue' } } }),
      want: ['spec.limited.limitResponse.queuing: Required value: must not be empty if limited.limitResponse.type is Limited'],
    },
    {
      name: 'reject response with queuing',
      kind: PL,
      obj: level({ type: 'Limited', limited: { limitResponse: { type: 'Reject', queuing: {} } } }),
      want: ['spec.limited.limitResponse.queuing: Forbidden: must be nil if limited.limitResponse.type is not Limited'],
    },
    {
      name: 'negative shares, lendable over 100, negative borrowing',
      kind: PL,
      obj: level({ type: 'Limited', limited: { nominalConcurrencyShares: -1, lendablePercent: 101, borrowingLimitPercent: -1, limitResponse: { type: 'Reject' } } }),
      want: [
        'spec.limited.nominalConcurrencyShares: Invalid value: -1: must be a non-negative integer',
        'spec.limited.lendablePercent: Invalid value: 101: must be between 0 and 100, inclusive',
        'spec.limited.borrowingLimitPercent: Invalid value: -1: if specified, must be a non-negative integer',
      ],
    },
    {
      name: 'Exempt type needs the name exempt',
      kind: PL,
      obj: level({ type: 'Exempt' }),
      want: ["spec.type: Invalid value: \"Exempt\": type must be 'Exempt' if and only if name is 'exempt'"],
    },
    {
      name: 'exempt level must be Exempt',
      kind: PL,
      obj: level({ type: 'Limited', limited: { limitResponse: { type: 'Reject' } } }, 'exempt'),
      want: ["spec.type: Invalid value: \"Limited\": type must be 'Exempt' if and only if name is 'exempt'"],
    },
    {
      name: 'exempt level with limited config',
      kind: PL,
      obj: level({ type: 'Exempt', limited: { limitResponse: { type: 'Reject' } } }, 'exempt'),
      want: ['spec.limited: Forbidden: must be nil if the type is not Limited'],
    },
    {
      name: 'Limited without limited',
      kind: PL,
      obj: level({ type: 'Limited' }),
      want: ['spec.limited: Required value: must not be empty when type is Limited'],
    },
    {
      name: 'Limited with exempt config',
      kind: PL,
      obj: level({ type: 'Limited', exempt: {}, limited: { limitResponse: { type: 'Reject' } } }),
      want: ['spec.exempt: Forbidden: must be nil if the type is Limited'],
    },
    {
      name: 'unknown type',
      kind: PL,
      obj: level({ type: 'Sometimes' }),
      want: ['spec.type: Unsupported value: "Sometimes": supported values: "Exempt", "Limited"'],
    },
    {
      name: 'exempt config out of range',
      kind: PL,
      obj: level({ type: 'Exempt', exempt: { nominalConcurrencyShares: -1, lendablePercent: 200 } }, 'exempt'),
      want: ['spec.exempt.nominalConcurrencyShares: Invalid value: -1: must be a non-negative integer', 'spec.exempt.lendablePercent: Invalid value: 200: must be between 0 and 100, inclusive'],
    },
    {
      name: 'namespace is not allowed',
      kind: PL,
      obj: { ...level(queued({})), metadata: { name: 'pl', namespace: 'default' } },
      want: ['metadata.namespace: Forbidden: not allowed on this type'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(errs(c.kind, c.obj), c.want));
  }
});

describe('flowcontrol status and update validation', () => {
  it('duplicate and empty condition types are refused on status writes', () => {
    const old = prepared(FS, flowSchema({}));
    old.metadata = { ...old.metadata, resourceVersion: '1', uid: 'u', creationTimestamp: '2026-01-01T00:00:00Z' };
    const next = structuredClone(old);
    next.status = { conditions: [{ type: 'Dangling', status: 'True' }, { type: 'Dangling', status: 'False' }, { status: 'True' }] };
    assert.deepEqual(validateStatusUpdate(FS, next, old).map(fieldErrorString), [
      'status.conditions[1].type: Duplicate value: "Dangling"',
      'status.conditions[2].type: Required value: must not be empty',
    ]);
  });
  it('an update is validated as a create (spec changes allowed)', () => {
    const old = prepared(PL, level(queued({})));
    old.metadata = { ...old.metadata, resourceVersion: '1', uid: 'u', creationTimestamp: '2026-01-01T00:00:00Z' };
    const next = structuredClone(old) as KubeObject & { spec: { limited: { limitResponse: { queuing: { handSize: number } } } } };
    next.spec.limited.limitResponse.queuing.handSize = 65;
    assert.deepEqual(validateUpdate(PL, next, old).map(fieldErrorString), ['spec.limited.limitResponse.queuing.handSize: Invalid value: 65: should not be greater than queues (64)']);
  });
});

describe('flowcontrol helpers', () => {
  const urls: [string, string][] = [
    ['/', ''],
    ['/healthz', ''],
    ['/apis/*', ''],
    ['', 'must not be empty'],
    ['/a b', 'must not contain white-space'],
    ['/a//b', 'must not contain double slash'],
    ['/a*', 'wildcard can only do suffix matching'],
    ['/*/b/*', 'wildcard can only do suffix matching'],
  ];
  for (const [u, want] of urls) it(`non-resource URL ${JSON.stringify(u)}`, () => assert.equal(nonResourceURLError(u), want));
  it('entropy bits as upstream (64 queues, hand 8 = 48 bits)', () => {
    assert.equal(requiredEntropyBits(64, 8), 48);
    assert.equal(requiredEntropyBits(128, 6), 42);
  });
});
