/**
 * What the apiserver serves at /openapi/v2 is the one encoding src/api/openapi builds: the same
 * bytes for the protobuf Accept headers client-go sends, and the JSON document otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../api/resources.js';
import { openAPIV2JSON, openAPIV2Protobuf, openAPIV3JSON } from '../api/openapi/index.js';
import { startTestApiServer } from './testing.js';

test('/openapi/v2 serves the gnostic protobuf and JSON documents of src/api/openapi', async () => {
  const cases: Array<{ name: string; accept: string; type: RegExp; body: Uint8Array }> = [
    {
      name: 'client-go OpenAPISchema() Accept',
      accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
      type: /^application\/com\.github\.proto-openapi\.spec\.v2\.v1\.0\+protobuf/,
      body: openAPIV2Protobuf(builtinResources),
    },
    {
      name: 'older spelling',
      accept: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
      type: /^application\/com\.github\.proto-openapi\.spec\.v2\.v1\.0\+protobuf/,
      body: openAPIV2Protobuf(builtinResources),
    },
    { name: 'JSON', accept: 'application/json', type: /^application\/json/, body: Buffer.from(openAPIV2JSON(builtinResources)) },
  ];
  const srv = await startTestApiServer();
  try {
    for (const c of cases) {
      const res = await fetch(`${srv.url}/openapi/v2`, { headers: { accept: c.accept } });
      assert.equal(res.status, 200, c.name);
      assert.match(res.headers.get('content-type') ?? '', c.type, c.name);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(c.body), `${c.name}: body`);
    }
  } finally {
    await srv.stop();
  }
});

test('/openapi/v3/<group-version> serves the documents of src/api/openapi, 404 for unknown ones', async () => {
  const cases: Array<{ name: string; path: string; json?: string }> = [
    { name: 'core', path: 'api/v1', json: openAPIV3JSON(builtinResources, 'api/v1')!.json },
    { name: 'group', path: 'apis/apps/v1', json: openAPIV3JSON(builtinResources, 'apis/apps/v1')!.json },
    { name: 'core again (cached bytes)', path: 'api/v1', json: openAPIV3JSON(builtinResources, 'api/v1')!.json },
    { name: 'unknown group-version', path: 'apis/nope.example.com/v1' },
  ];
  const srv = await startTestApiServer();
  try {
    for (const c of cases) {
      const res = await fetch(`${srv.url}/openapi/v3/${c.path}`);
      const body = await res.text();
      if (c.json === undefined) {
        assert.equal(res.status, 404, c.name);
        continue;
      }
      assert.equal(res.status, 200, c.name);
      assert.equal(body, c.json, `${c.name}: body`);
    }
  } finally {
    await srv.stop();
  }
});
