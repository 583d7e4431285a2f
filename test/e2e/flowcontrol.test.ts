/**
 * End-to-end: the flowcontrol.apiserver.k8s.io/v1 API (API Priority and Fairness configuration)
 * as real kubectl and client-go's conformance tests see it: upstream's bootstrap objects and
 * table columns, validation errors, the Dangling condition, mandatory objects that come back,
 * and the operations of upstream's "API priority and fairness should support FlowSchema /
 * PriorityLevelConfiguration API operations" conformance tests, over HTTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { Kubectl, kubectlPath } from './helpers/kubectl.js';
import { until } from './helpers/wait.js';

const GV = '/apis/flowcontrol.apiserver.k8s.io/v1';

describe('flowcontrol.apiserver.k8s.io/v1', () => {
  let srv: TestApiServer;
  let k: Kubectl;
  const haveKubectl = kubectlPath() !== undefined;

  before(async () => {
    srv = await startTestApiServer();
    k = new Kubectl(srv.kubeconfig);
    // The controller writes the bootstrap FlowSchemas' conditions right after start.
    await until('bootstrap Dangling conditions', async () => {
      const list = (await (await fetch(`${srv.url}${GV}/flowschemas`)).json()) as { items: { status?: { conditions?: unknown[] } }[] };
      return list.items.length > 0 && list.items.every((i) => (i.status?.conditions ?? []).length > 0) ? true : undefined;
    }, 5000, 20);
  });
  after(async () => {
    await srv?.stop();
  });

  const api = async (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ code: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${srv.url}${path}`, { method, headers: { 'content-type': contentType, accept: 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { code: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  test('kubectl get flowschemas: upstream columns and bootstrap rows', { skip: !haveKubectl && 'kubectl not installed' }, async () => {
    const out = await k.ok(['get', 'flowschemas']);
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+PRIORITYLEVEL\s+MATCHINGPRECEDENCE\s+DISTINGUISHERMETHOD\s+AGE\s+MISSINGPL$/);
    assert.match(out, /^catch-all\s+catch-all\s+10000\s+ByUser\s+\S+\s+False$/m);
    assert.match(out, /^exempt\s+exempt\s+1\s+<none>\s+\S+\s+False$/m);
    assert.match(out, /^probes\s+exempt\s+2\s+<none>\s+\S+\s+False$/m);
    assert.match(out, /^system-leader-election\s+leader-election\s+100\s+ByUser\s+\S+\s+False$/m);
    assert.match(out, /^kube-system-service-accounts\s+workload-high\s+900\s+ByNamespace\s+\S+\s+False$/m);
    assert.match(out, /^global-default\s+global-default\s+9900\s+ByUser\s+\S+\s+False$/m);
    assert.equal(lines.length - 1, 13);
  });

  test('kubectl get prioritylevelconfigurations: upstream columns and bootstrap rows', { skip: !haveKubectl && 'kubectl not installed' }, async () => {
    const out = await k.ok(['get', 'prioritylevelconfigurations']);
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+TYPE\s+NOMINALCONCURRENCYSHARES\s+QUEUES\s+HANDSIZE\s+QUEUELENGTHLIMIT\s+AGE$/);
    assert.match(out, /^exempt\s+Exempt\s+<none>\s+<none>\s+<none>\s+<none>\s+\S+$/m);
    assert.match(out, /^catch-all\s+Limited\s+5\s+<none>\s+<none>\s+<none>\s+\S+$/m);
    assert.match(out, /^global-default\s+Limited\s+20\s+128\s+6\s+50\s+\S+$/m);
    assert.match(out, /^leader-election\s+Limited\s+10\s+16\s+4\s+50\s+\S+$/m);
    assert.match(out, /^workload-low\s+Limited\s+100\s+128\s+6\s+50\s+\S+$/m);
    assert.equal(lines.length - 1, 8);
  });

  test('discovery, explain and describe', { skip: !haveKubectl && 'kubectl not installed' }, async () => {
    const res = await k.ok(['api-resources', '--api-group=flowcontrol.apiserver.k8s.io']);
    assert.match(res, /^flowschemas\s+flowcontrol\.apiserver\.k8s\.io\/v1\s+false\s+FlowSchema$/m);
    assert.match(res, /^prioritylevelconfigurations\s+flowcontrol\.apiserver\.k8s\.io\/v1\s+false\s+PriorityLevelConfiguration$/m);
    assert.match(await k.ok(['explain', 'prioritylevelconfiguration.spec.limited']), /nominalConcurrencyShares\s+<integer>/);
    const d = await k.ok(['describe', 'flowschema', 'catch-all']);
    assert.match(d, /^Name:\s+catch-all$/m);
    assert.match(d, /^\s+Reason:\s+Found$/m);
  });

  test('a FlowSchema naming a missing level is Dangling until the level exists', { skip: !haveKubectl && 'kubectl not installed' }, async () => {
    const fs = `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: {name: e2e-orphan}
spec:
  priorityLevelConfiguration: {name: e2e-missing}
  rules:
  - subjects: [{kind: User, user: {name: e2e-user}}]
    nonResourceRules: [{verbs: ['*'], nonResourceURLs: ['*']}]
`;
    assert.equal(await k.ok(['create', '-f', '-'], { stdin: fs }), 'flowschema.flowcontrol.apiserver.k8s.io/e2e-orphan created\n');
    const dangling = "jsonpath={.status.conditions[?(@.type=='Dangling')].status} {.status.conditions[?(@.type=='Dangling')].reason}";
    await until('Dangling True', async () => ((await k.ok(['get', 'flowschema', 'e2e-orphan', '-o', dangling])) === 'True NotFound' ? true : undefined), 5000, 50);
    assert.match(await k.ok(['get', 'flowschema', 'e2e-orphan']), /^e2e-orphan\s+e2e-missing\s+1000\s+<none>\s+\S+\s+True$/m);
    const pl = `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata: {name: e2e-missing}
spec:
  type: Limited
  limited:
    limitResponse: {type: Queue, queuing: {}}
`;
    await k.ok(['create', '-f', '-'], { stdin: pl });
    await until('Dangling False', async () => ((await k.ok(['get', 'flowschema', 'e2e-orphan', '-o', dangling])) === 'False Found' ? true : undefined), 5000, 50);
    // The level was defaulted as upstream's.
    assert.match(await k.ok(['get', 'prioritylevelconfiguration', 'e2e-missing']), /^e2e-missing\s+Limited\s+30\s+64\s+8\s+50\s+\S+$/m);
    await k.ok(['delete', 'flowschema', 'e2e-orphan']);
    await k.ok(['delete', 'prioritylevelconfiguration', 'e2e-missing']);
  });

  test('invalid objects are refused with upstream field errors', { skip: !haveKubectl && 'kubectl not installed' }, async () => {
    const bad = await k.run(['create', '-f', '-'], {
      stdin: `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata: {name: e2e-bad}
spec:
  type: Limited
  limited:
    limitResponse: {type: Queue, queuing: {queues: 4, handSize: 8}}
`,
    });
    assert.notEqual(bad.code, 0);
    assert.equal(bad.stderr, 'The PriorityLevelConfiguration "e2e-bad" is invalid: spec.limited.limitResponse.queuing.handSize: Invalid value: 8: should not be greater than queues (4)\n');
    const noLevel = await k.run(['create', '-f', '-'], { stdin: 'apiVersion: flowcontrol.apiserver.k8s.io/v1\nkind: FlowSchema\nmetadata: {name: e2e-bad}\nspec: {priorityLevelConfiguration: {name: ""}}\n' });
    assert.match(noLevel.stderr, /spec\.priorityLevelConfiguration\.name: Required value: must reference a priority level/);
  });

  test('deleted or edited mandatory objects come back', { skip: !haveKubectl && 'kubectl not installed' }, async () => {
    await k.ok(['delete', 'flowschema', 'catch-all']);
    await k.ok(['delete', 'prioritylevelconfiguration', 'exempt']);
    await until('catch-all back', async () => ((await k.run(['get', 'flowschema', 'catch-all'])).code === 0 ? true : undefined), 5000, 50);
    await until('exempt back', async () => ((await k.run(['get', 'prioritylevelconfiguration', 'exempt'])).code === 0 ? true : undefined), 5000, 50);
    await k.ok(['patch', 'prioritylevelconfiguration', 'catch-all', '--type=merge', '-p', '{"spec":{"limited":{"nominalConcurrencyShares":99}}}']);
    await until('catch-all spec restored', async () => ((await k.ok(['get', 'prioritylevelconfiguration', 'catch-all', '-o', 'jsonpath={.spec.limited.nominalConcurrencyShares}'])) === '5' ? true : undefined), 5000, 50);
  });

  test('protobuf bodies (client-go typed clients) create FlowSchemas and PriorityLevelConfigurations', async () => {
    const plBody = envelope('PriorityLevelConfiguration', [
      field(1, [field(1, 'e2e-proto-pl'), field(11, [field(1, 'example-e2e-label'), field(2, 'proto')])]),
      field(2, [field(1, 'Limited'), field(2, [varintField(1, 2), field(2, [field(1, 'Reject')])])]),
      field(3, []),
    ]);
    const fsBody = envelope('FlowSchema', [
      field(1, [field(1, 'e2e-proto-fs')]),
      field(2, [
        field(1, [field(1, 'e2e-proto-pl')]),
        varintField(2, 10000),
        field(3, [field(1, 'ByUser')]),
        field(4, [field(1, [field(1, 'User'), field(2, [field(1, 'someone')])]), field(2, [field(1, 'get'), field(2, ''), field(3, 'pods'), varintField(4, 0), field(5, 'default')])]),
      ]),
      field(3, []),
    ]);
    for (const [resource, body] of [['prioritylevelconfigurations', plBody], ['flowschemas', fsBody]] as const) {
      const res = await fetch(`${srv.url}${GV}/${resource}`, { method: 'POST', headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/json' }, body });
      assert.equal(res.status, 201, await res.clone().text());
    }
    const pl = (await api('GET', `${GV}/prioritylevelconfigurations/e2e-proto-pl`)).json as { metadata: { labels: Record<string, string> }; spec: unknown };
    assert.deepEqual(pl.metadata.labels, { 'example-e2e-label': 'proto' });
    assert.deepEqual(pl.spec, { type: 'Limited', limited: { nominalConcurrencyShares: 2, lendablePercent: 0, limitResponse: { type: 'Reject' } } });
    const fs = (await api('GET', `${GV}/flowschemas/e2e-proto-fs`)).json as { spec: { matchingPrecedence: number; rules: { resourceRules: { namespaces: string[] }[] }[] } };
    assert.equal(fs.spec.matchingPrecedence, 10000);
    assert.deepEqual(fs.spec.rules[0]!.resourceRules[0]!.namespaces, ['default']);
    await api('DELETE', `${GV}/flowschemas/e2e-proto-fs`);
    await api('DELETE', `${GV}/prioritylevelconfigurations/e2e-proto-pl`);
  });

  for (const kind of [
    {
      resource: 'flowschemas',
      kind: 'FlowSchema',
      spec: {
        matchingPrecedence: 10000,
        priorityLevelConfiguration: { name: 'global-default' },
        distinguisherMethod: { type: 'ByUser' },
        rules: [{ subjects: [{ kind: 'User', user: { name: 'example-e2e-non-existent-user' } }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }],
      },
      patch: { metadata: { annotations: { patched: 'true' } }, spec: { matchingPrecedence: 9999 } },
      update: (spec: Record<string, unknown>) => ({ ...spec, matchingPrecedence: 9000 }),
    },
    {
      resource: 'prioritylevelconfigurations',
      kind: 'PriorityLevelConfiguration',
      spec: { type: 'Limited', limited: { nominalConcurrencyShares: 2, limitResponse: { type: 'Reject' } } },
      patch: { metadata: { annotations: { patched: 'true' } }, spec: { limited: { nominalConcurrencyShares: 4 } } },
      update: (spec: Record<string, unknown>) => ({ ...spec, limited: { ...(spec.limited as object), nominalConcurrencyShares: 6 } }),
    },
  ]) {
    test(`conformance: ${kind.kind} API operations`, async () => {
      const base = `${GV}/${kind.resource}`;
      const label = `example-e2e-label=${kind.resource}`;
      const disc = await api('GET', GV);
      const names = (disc.json.resources as { name: string }[]).map((r) => r.name);
      assert.ok(names.includes(kind.resource) && names.includes(`${kind.resource}/status`));
      const template = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: kind.kind, metadata: { generateName: 'e2e-example-', labels: { 'example-e2e-label': kind.resource } }, spec: kind.spec };
      const created: Record<string, unknown>[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await api('POST', base, template);
        assert.equal(r.code, 201);
        created.push(r.json);
      }
      const name = (created[2]!.metadata as { name: string }).name;
      const uid = (created[2]!.metadata as { uid: string }).uid;
      const read = await api('GET', `${base}/${name}`);
      assert.equal((read.json.metadata as { uid: string }).uid, uid);
      const list = await api('GET', `${base}?labelSelector=${encodeURIComponent(label)}`);
      assert.equal((list.json.items as unknown[]).length, 3);
      const rv = (list.json.metadata as { resourceVersion: string }).resourceVersion;

      // Watch from the list's revision: every event of the three objects is a modification.
      const ac = new AbortController();
      const watch = await fetch(`${srv.url}${base}?watch=true&resourceVersion=${rv}&labelSelector=${encodeURIComponent(label)}`, { signal: ac.signal });
      const events: { type: string; object: { metadata: { annotations?: Record<string, string> } } }[] = [];
      const sawPatched = (async () => {
        let buf = '';
        const decoder = new TextDecoder();
        for await (const chunk of watch.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const ev = JSON.parse(buf.slice(0, nl)) as (typeof events)[number];
            buf = buf.slice(nl + 1);
            events.push(ev);
            if (ev.object.metadata.annotations?.['patched'] === 'true') return;
          }
        }
      })();

      const patched = await api('PATCH', `${base}/${name}`, kind.patch, 'application/merge-patch+json');
      assert.equal(patched.code, 200);
      assert.equal((patched.json.metadata as { annotations: Record<string, string> }).annotations['patched'], 'true');
      assert.ok(Number((patched.json.metadata as { resourceVersion: string }).resourceVersion) > Number((created[2]!.metadata as { resourceVersion: string }).resourceVersion));

      // Update with retry on conflict (the controller may write status meanwhile), as client-go's RetryOnConflict.
      let updated: { code: number; json: Record<string, unknown> } | undefined;
      for (let i = 0; i < 5; i++) {
        const cur = (await api('GET', `${base}/${name}`)).json;
        const meta = cur.metadata as { annotations: Record<string, string> };
        meta.annotations['updated'] = 'true';
        updated = await api('PUT', `${base}/${name}`, { ...cur, spec: kind.update(cur.spec as Record<string, unknown>) });
        if (updated.code !== 409) break;
      }
      assert.equal(updated!.code, 200);
      assert.equal((updated!.json.metadata as { annotations: Record<string, string> }).annotations['updated'], 'true');
      await Promise.race([sawPatched, new Promise((_, reject) => setTimeout(() => reject(new Error('no watch event with the patched annotation')), 5000))]);
      ac.abort();
      assert.ok(events.length > 0 && events.every((e) => e.type === 'MODIFIED'), JSON.stringify(events.map((e) => e.type)));

      const status = await api('GET', `${base}/${name}/status`);
      assert.equal(status.json.kind, kind.kind);
      assert.equal((status.json.metadata as { uid: string }).uid, uid);
      const sp = await api('PATCH', `${base}/${name}/status`, { status: { conditions: [{ type: 'PatchStatusFailed', status: 'False', reason: 'e2e' }] } }, 'application/merge-patch+json');
      assert.equal(sp.code, 200);
      assert.ok(((sp.json.status as { conditions: { type: string }[] }).conditions ?? []).some((c) => c.type === 'PatchStatusFailed'));
      let su: { code: number; json: Record<string, unknown> } | undefined;
      for (let i = 0; i < 5; i++) {
        const cur = (await api('GET', `${base}/${name}`)).json;
        const st = (cur.status ?? {}) as { conditions?: unknown[] };
        su = await api('PUT', `${base}/${name}/status`, { ...cur, status: { ...st, conditions: [...(st.conditions ?? []), { type: 'StatusUpdateFailed', status: 'False', reason: 'E2E', message: 'Set from an e2e test' }] } });
        if (su.code !== 409) break;
      }
      assert.equal(su!.code, 200);
      assert.ok(((su!.json.status as { conditions: { type: string }[] }).conditions ?? []).some((c) => c.type === 'StatusUpdateFailed'));

      assert.equal((await api('DELETE', `${base}/${name}`)).code, 200);
      assert.equal((await api('GET', `${base}/${name}`)).code, 404);
      assert.equal(((await api('GET', `${base}?labelSelector=${encodeURIComponent(label)}`)).json.items as unknown[]).length, 2);
      assert.equal((await api('DELETE', `${base}?labelSelector=${encodeURIComponent(label)}`)).code, 200);
      assert.equal(((await api('GET', `${base}?labelSelector=${encodeURIComponent(label)}`)).json.items as unknown[]).length, 0);
    });
  }
});

// A minimal protobuf writer for the test's request bodies, as client-go's encoder frames them:
// the `k8s\0` magic, then runtime.Unknown{typeMeta, raw}.
function varint(n: number): Buffer {
  const out: number[] = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}
function field(no: number, value: string | Buffer[]): Buffer {
  const payload = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.concat(value);
  return Buffer.concat([varint((no << 3) | 2), varint(payload.length), payload]);
}
function varintField(no: number, value: number): Buffer {
  return Buffer.concat([varint(no << 3), varint(value)]);
}
function envelope(kind: string, fields: Buffer[]): Buffer {
  const typeMeta = field(1, [field(1, 'flowcontrol.apiserver.k8s.io/v1'), field(2, kind)]);
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), typeMeta, field(2, fields)]);
}
