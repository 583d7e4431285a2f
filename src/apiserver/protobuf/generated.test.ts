import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinResources } from '../../api/resources.js';
import { messageForKind } from './index.js';
import { MESSAGES } from './schemas.generated.js';

const root = join(import.meta.dirname, '../../../..');
const generated = join(root, 'src/apiserver/protobuf/schemas.generated.ts');

describe('generated protobuf schemas', () => {
  test('every built-in kind k8ts serves has a message', () => {
    const missing = builtinResources.filter((r) => !messageForKind(r.group ? `${r.group}/${r.version}` : r.version, r.kind)).map((r) => `${r.group}/${r.version} ${r.kind}`);
    assert.deepEqual(missing, []);
  });

  const bodies: [string, string, string][] = [
    ['subresource scale', 'autoscaling/v1', 'Scale'],
    ['subresource binding', 'v1', 'Binding'],
    ['subresource eviction', 'policy/v1', 'Eviction'],
    ['token request', 'authentication.k8s.io/v1', 'TokenRequest'],
    ['DeleteOptions in core', 'v1', 'DeleteOptions'],
    ['DeleteOptions in a group', 'batch/v1', 'DeleteOptions'],
    ['token review', 'authentication.k8s.io/v1', 'TokenReview'],
    ['self subject review', 'authentication.k8s.io/v1', 'SelfSubjectReview'],
    ['subject access review', 'authorization.k8s.io/v1', 'SubjectAccessReview'],
    ['local subject access review', 'authorization.k8s.io/v1', 'LocalSubjectAccessReview'],
    ['self subject access review', 'authorization.k8s.io/v1', 'SelfSubjectAccessReview'],
    ['self subject rules review', 'authorization.k8s.io/v1', 'SelfSubjectRulesReview'],
  ];
  for (const [name, apiVersion, kind] of bodies) {
    test(`${name} (${apiVersion} ${kind}) has a message`, () => {
      const m = messageForKind(apiVersion, kind);
      assert.ok(m && MESSAGES[m], `${apiVersion}/${kind}`);
    });
  }

  // The committed table must be what the generator makes from the kubectl named in its header.
  const header = /embedded in kubectl (\S+)/.exec(readFileSync(generated, 'utf8'))?.[1];
  let kubectlVersion: string | undefined;
  try {
    kubectlVersion = (JSON.parse(execFileSync('kubectl', ['version', '--client', '-o', 'json']).toString()) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  } catch {
    kubectlVersion = undefined;
  }
  test('regenerating from the same kubectl gives the committed file', { skip: kubectlVersion !== header && `needs kubectl ${header} on PATH` }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-pbgen-'));
    try {
      const out = join(dir, 'schemas.ts');
      execFileSync(process.execPath, [join(root, 'scripts/gen-protobuf-schemas.mjs'), '--out', out], { stdio: 'ignore' });
      assert.equal(readFileSync(out, 'utf8'), readFileSync(generated, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
