/**
 * Decode parity for PATCH, as users see it through real kubectl. kube-apiserver applies a patch
 * to the JSON of the current object and decodes the result into its Go struct
 * (handlers/patch.go); a value that does not decode is a 422 Invalid with no kind or name and one
 * cause on field `patch`, which kubectl prints as `The request is invalid: patch: Invalid value:
 * <value>: <error>` (not the 400 `cannot be handled as` of create and update):
 * - JSON and merge patch (jsonPatcher.applyPatchToCurrentObject): the value is the patched
 *   object's JSON, the error encoding/json's;
 * - strategic merge patch (applyPatchToObject): the value is the patch map printed with %+v,
 *   the error runtime.DefaultUnstructuredConverter's (fromUnstructured).
 * The patched JSON's key order is k8ts's own, so those cases compare the text around it and
 * check the value parses to the patched object.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { Kubectl, kubectlPath } from './helpers/kubectl.js';

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
`;

const FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

interface Case {
  name: string;
  /** args follow `kubectl patch deploy web`. */
  args: string[];
  /** For JSON and merge patches: the decode error after the patched JSON. */
  jsonError?: string;
  /** For strategic merge patches: the whole line after `The request is invalid: `. */
  smpError?: string;
}

const cases: Case[] = [
  {
    name: 'merge patch: a string for int32 replicas fails encoding/json',
    args: ['--type', 'merge', '-p', '{"spec":{"replicas":"3"}}'],
    jsonError: 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
  },
  {
    name: 'JSON patch: a Quantity of 1Gb fails resource.Quantity.UnmarshalJSON',
    args: ['--type', 'json', '-p', '[{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{"limits":{"memory":"1Gb"}}}]'],
    jsonError: FORMAT,
  },
  {
    name: 'strategic merge patch: a string for int32 is an unrecognized type to fromUnstructured',
    args: ['-p', '{"spec":{"replicas":"3"}}'],
    smpError: 'patch: Invalid value: "map[spec:map[replicas:3]]": unrecognized type: int32',
  },
  {
    name: 'strategic merge patch: a Quantity of 1Gb fails its UnmarshalJSON',
    args: ['-p', '{"spec":{"template":{"spec":{"containers":[{"name":"c","resources":{"limits":{"memory":"1Gb"}}}]}}}}'],
    smpError: `patch: Invalid value: "map[spec:map[template:map[spec:map[containers:[map[name:c resources:map[limits:map[memory:1Gb]]]]]]]]": ${FORMAT}`,
  },
  {
    name: 'strategic merge patch: a string for a struct cannot restore it',
    args: ['-p', '{"spec":{"template":{"spec":{"securityContext":"x"}}}}'],
    smpError: 'patch: Invalid value: "map[spec:map[template:map[spec:map[securityContext:x]]]]": cannot restore struct from: string',
  },
];

describe('PATCH decode parity through real kubectl', { skip: kubectlPath() ? false : 'kubectl not on PATH' }, () => {
  let srv: TestApiServer;
  let k: Kubectl;

  before(async () => {
    srv = await startTestApiServer();
    k = new Kubectl(srv.kubeconfig);
    await k.ok(['apply', '-f', '-'], { stdin: DEPLOY });
  });
  after(async () => {
    await srv?.stop();
  });

  for (const c of cases) {
    it(c.name, async () => {
      const r = await k.run(['patch', 'deploy', 'web', ...c.args]);
      assert.equal(r.code, 1, r.stdout);
      assert.equal(r.stdout, '');
      if (c.smpError !== undefined) {
        assert.equal(r.stderr, `The request is invalid: ${c.smpError}\n`);
        return;
      }
      const prefix = 'The request is invalid: patch: Invalid value: ';
      const suffix = `: ${c.jsonError}\n`;
      assert.ok(r.stderr.startsWith(prefix) && r.stderr.endsWith(suffix), r.stderr);
      const patched = JSON.parse(JSON.parse(r.stderr.slice(prefix.length, -suffix.length)) as string) as { kind: string; metadata: { name: string } };
      assert.equal(patched.kind, 'Deployment');
      assert.equal(patched.metadata.name, 'web');
    });
  }

  it('valid patches of each type still apply, and the failed ones stored nothing', async () => {
    await k.ok(['patch', 'deploy', 'web', '--type', 'merge', '-p', '{"spec":{"replicas":2}}']);
    await k.ok(['patch', 'deploy', 'web', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']);
    await k.ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"c","resources":{"limits":{"memory":"1Gi"}}}]}}}}']);
    const got = JSON.parse(await k.ok(['get', 'deploy', 'web', '-o', 'json'])) as {
      spec: { replicas: number; template: { spec: { containers: { resources?: { limits?: Record<string, string> } }[]; securityContext?: unknown } } };
    };
    assert.equal(got.spec.replicas, 3);
    assert.deepEqual(got.spec.template.spec.containers[0]!.resources, { limits: { memory: '1Gi' } });
  });

  it('the status subresource is checked as well', async () => {
    const r = await k.run(['patch', 'deploy', 'web', '--subresource', 'status', '--type', 'merge', '-p', '{"status":{"replicas":"x"}}']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /^The request is invalid: patch: Invalid value: ".*": json: cannot unmarshal string into Go struct field DeploymentStatus\.status\.replicas of type int32\n$/s);
  });
});
