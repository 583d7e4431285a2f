import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestURL, requestInfo } from './requestinfo.js';

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

test('parseRequestURL splits path and query as WHATWG URL does', () => {
  const cases: Array<{ name: string; raw: string }> = [
    { name: 'plain path', raw: '/api/v1/namespaces/default/pods/web-1/status' },
    { name: 'query', raw: '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1&watch=true&resourceVersion=12' },
    { name: 'empty query', raw: '/api/v1/pods?' },
    { name: 'second question mark', raw: '/api/v1/pods?a=b?c' },
    { name: 'root', raw: '/' },
    { name: 'empty', raw: '' },
    { name: 'dot segments', raw: '/api/v1/../v1/./pods' },
    { name: 'encoded dot segment', raw: '/api/v1/%2E%2e/pods' },
    { name: 'dotted name', raw: '/apis/apps/v1/namespaces/a/deployments/.hidden' },
    { name: 'host-like start', raw: '//evil.example/api/v1/pods' },
    { name: 'space and quote in path', raw: '/api/v1/namespaces/a b/pods/"x"' },
    { name: 'non-ASCII', raw: '/api/v1/namespaces/ä/pods' },
    { name: 'backslash', raw: '/api\\v1\\pods' },
    { name: 'fragment', raw: '/api/v1/pods?watch=1#frag' },
    { name: 'apostrophe in query', raw: "/api/v1/pods?labelSelector=a%3D'b'" },
    { name: 'space in query', raw: '/api/v1/pods?labelSelector=a in (b, c)' },
    { name: 'malformed escape', raw: '/api/v1/pods%zz?x=%zz' },
    { name: 'no leading slash', raw: 'api/v1/pods' },
  ];
  for (const c of cases) {
    const want = new URL(c.raw, 'http://localhost');
    const got = parseRequestURL(c.raw);
    assert.equal(got.pathname, want.pathname, `${c.name}: pathname`);
    assert.equal(got.search, want.search, `${c.name}: search`);
    assert.deepEqual([...got.searchParams], [...want.searchParams], `${c.name}: searchParams`);
  }
});
