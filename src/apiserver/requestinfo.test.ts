import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestInfo } from './requestinfo.js';

test('requestInfo parses paths and methods as upstream', () => {
  const cases: Array<{ name: string; method: string; path: string; query?: string; want: Partial<ReturnType<typeof requestInfo>> }> = [
    { name: 'core list', method: 'GET', path: '/api/v1/namespaces/ns1/pods', want: { verb: 'list', namespace: 'ns1', resource: 'pods', name: '', apiGroup: '', apiVersion: 'v1' } },
    { name: 'core get', method: 'GET', path: '/api/v1/namespaces/ns1/pods/p', want: { verb: 'get', name: 'p' } },
    { name: 'watch param', method: 'GET', path: '/api/v1/pods', query: 'watch=true', want: { verb: 'watch', namespace: '', resource: 'pods' } },
    { name: 'legacy watch prefix', method: 'GET', path: '/api/v1/watch/namespaces/a/pods', want: { verb: 'watch', namespace: 'a', resource: 'pods' } },
    { name: 'subresource', method: 'PUT', path: '/apis/apps/v1/namespaces/a/deployments/d/scale', want: { verb: 'update', apiGroup: 'apps', resource: 'deployments', name: 'd', subresource: 'scale' } },
    { name: 'namespace object', method: 'GET', path: '/api/v1/namespaces/foo', want: { verb: 'get', resource: 'namespaces', name: 'foo', namespace: '' } },
    { name: 'namespace status', method: 'PUT', path: '/api/v1/namespaces/foo/status', want: { verb: 'update', resource: 'namespaces', name: 'foo', subresource: 'status' } },
    { name: 'namespace list', method: 'GET', path: '/api/v1/namespaces', want: { verb: 'list', resource: 'namespaces' } },
    { name: 'deletecollection', method: 'DELETE', path: '/api/v1/namespaces/a/configmaps', want: { verb: 'deletecollection' } },
    { name: 'create', method: 'POST', path: '/api/v1/namespaces/a/configmaps', want: { verb: 'create' } },
    { name: 'discovery is not a resource', method: 'GET', path: '/apis/apps/v1', want: { isResourceRequest: false, verb: 'get' } },
    { name: 'non-resource', method: 'GET', path: '/healthz', want: { isResourceRequest: false } },
  ];
  for (const c of cases) {
    const got = requestInfo(c.method, c.path, new URLSearchParams(c.query ?? ''));
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k as keyof typeof got], v, `${c.name}: ${k}`);
  }
});
