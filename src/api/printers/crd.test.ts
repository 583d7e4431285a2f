import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JSONPath, JSONPathError, printCustomResourceTable } from './index.js';

const NOW = new Date('2025-06-01T12:00:00Z');

describe('JSONPath', () => {
  const doc = {
    metadata: { name: 'c1', labels: { 'app.kubernetes.io/name': 'x' } },
    spec: { replicas: 3, ports: [{ port: 80 }, { port: 443 }], tls: { enabled: true } },
    status: {
      conditions: [
        { type: 'Issuing', status: 'False' },
        { type: 'Ready', status: 'True', count: 4 },
      ],
    },
  };
  const cases: [string, unknown[]][] = [
    ['.spec.replicas', [3]],
    ['{.spec.replicas}', [3]],
    ['.spec.missing', []],
    ['.spec.ports[0].port', [80]],
    ['.spec.ports[-1].port', [443]],
    ['.spec.ports[*].port', [80, 443]],
    ['.spec.ports[0:1].port', [80]],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    [".status.conditions[?(@.type=='Issuing')].status", ['False']],
    ['.status.conditions[?(@.count > 2)].type', ['Ready']],
    ['.status.conditions[?(@.count)].type', ['Ready']],
    [".metadata.labels['app.kubernetes.io/name']", ['x']],
    ['..port', [80, 443]],
    ['.spec.tls', [{ enabled: true }]],
  ];
  for (const [expr, want] of cases) it(expr, () => assert.deepEqual(new JSONPath(expr).find(doc), want));

  it('rejects malformed expressions', () => {
    assert.throws(() => new JSONPath('.spec.ports[0'), JSONPathError);
    assert.throws(() => new JSONPath('.a[?(@.b == nope)]'), JSONPathError);
  });
});

describe('printCustomResourceTable', () => {
  const cert = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'web-tls', namespace: 'default', creationTimestamp: '2025-06-01T11:00:00Z' },
    spec: { secretName: 'web-tls', dnsNames: ['a.example.com'], duration: 3, ratio: 1.5 },
    status: { conditions: [{ type: 'Ready', status: 'True', message: 'Certificate is up to date and has not expired' }], notAfter: '2025-09-01T00:00:00Z' },
  };

  it('evaluates the declared columns with their types', () => {
    const t = printCustomResourceTable(
      [
        { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
        { name: 'Secret', type: 'string', jsonPath: '.spec.secretName' },
        { name: 'Issuer', type: 'string', jsonPath: '.spec.issuerRef.name', priority: 1 },
        { name: 'DNS', type: 'string', jsonPath: '.spec.dnsNames', priority: 1 },
        { name: 'Duration', type: 'integer', jsonPath: '.spec.ratio' },
        { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio' },
        { name: 'Mismatch', type: 'boolean', jsonPath: '.spec.secretName' },
        { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message', description: 'The status', priority: 1 },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
      [cert],
      NOW,
    );
    assert.deepEqual(
      t.columnDefinitions.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Ready', 'string', 0],
        ['Secret', 'string', 0],
        ['Issuer', 'string', 1],
        ['DNS', 'string', 1],
        ['Duration', 'integer', 0],
        ['Ratio', 'number', 0],
        ['Mismatch', 'boolean', 0],
        ['Status', 'string', 1],
        ['Age', 'date', 0],
      ],
    );
    assert.equal(t.columnDefinitions[1]!.description, 'Custom resource definition column (in JSONPath format): .status.conditions[?(@.type=="Ready")].status');
    assert.equal(t.columnDefinitions[8]!.description, 'The status');
    assert.deepEqual(t.rows[0]!.cells, ['web-tls', 'True', 'web-tls', null, '["a.example.com"]', 1, 1.5, null, 'Certificate is up to date and has not expired', '60m']);
  });

  it('defaults to an Age column', () => {
    const t = printCustomResourceTable(undefined, [cert], NOW);
    assert.deepEqual(
      t.columnDefinitions.map((c) => c.name),
      ['Name', 'Age'],
    );
    assert.deepEqual(t.rows[0]!.cells, ['web-tls', '60m']);
  });
});
