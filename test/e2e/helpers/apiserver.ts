/**
 * Helpers for e2e suites that talk to one apiserver per file, shared so each suite states only
 * its cases:
 * - raw REST calls: `fetchCall` (plain HTTP, e.g. a TestApiServer) or `secureCall` (HTTPS as an
 *   identity of a SecureApiServer) send one request and parse the answer; `restClient` adds `ok`
 *   (assert a 2xx answer) and `newNamespace` (a fresh namespace per test, as upstream's e2e
 *   framework makes one).
 * - `describeKubectlCases` runs a table of cases through real kubectl against one shared
 *   TestApiServer, each case in its own namespace.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../../../src/apiserver/testing.js';
import { Kubectl, kubectlPath } from './kubectl.js';
import type { Identity, SecureApiServer } from './secure.js';
import { until } from './wait.js';

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are free-form JSON

/** RestResponse is one answer; body is its JSON, or `{ text }` when it is not JSON (or empty). */
export interface RestResponse {
  status: number;
  headers: Headers;
  /** text is the body as received. */
  text: string;
  body: Obj;
}

/**
 * RestCall sends one request. A string body is sent as it is (for malformed or hand-written
 * JSON); any other body is JSON-encoded. Content-Type defaults to application/json.
 */
export type RestCall = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<RestResponse>;

function parse(text: string): Obj {
  try {
    return JSON.parse(text) as Obj;
  } catch {
    return { text };
  }
}

/** fetchCall sends plain-HTTP requests to the server at url(), read at each call (servers start in `before`). */
export function fetchCall(url: () => string): RestCall {
  return async (method, path, body, headers = {}) => {
    const init: RequestInit = { method, headers: { 'Content-Type': 'application/json', ...headers } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const r = await fetch(url() + path, init);
    const text = await r.text();
    return { status: r.status, headers: r.headers, text, body: parse(text) };
  };
}

/** secureCall sends HTTPS requests as id to the server srv(), read at each call. A string body is JSON-encoded as a string. */
export function secureCall(srv: () => SecureApiServer, id: Identity): RestCall {
  return async (method, path, body, headers = {}) => {
    const r = await srv().request(id, method, path, body, headers);
    // SecureApiServer.request answers no headers; tests that need them use fetchCall.
    return { status: r.status, headers: new Headers(), text: r.body, body: parse(r.body) };
  };
}

export interface RestClientOptions {
  /**
   * waitForServiceAccount makes newNamespace wait for the namespace's `default` ServiceAccount,
   * as upstream's framework does; only meaningful with a controller-manager running.
   */
  waitForServiceAccount?: boolean;
  /**
   * next answers the number newNamespace puts after the base name; default: a count from 1 per
   * client. Pass one to share a suite's sequence with the other unique names it makes.
   */
  next?: () => number;
}

export interface RestClient {
  call: RestCall;
  /** ok calls and asserts a 2xx answer, returning its body. */
  ok(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Obj>;
  /** newNamespace creates namespace `<base>-<n>` (n from RestClientOptions.next) and answers its name. */
  newNamespace(base: string): Promise<string>;
}

export function restClient(call: RestCall, o: RestClientOptions = {}): RestClient {
  let n = 0;
  const next = o.next ?? (() => ++n);
  const ok = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Obj> => {
    const r = await call(method, path, body, headers);
    assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
    return r.body;
  };
  return {
    call,
    ok,
    async newNamespace(base) {
      const name = `${base}-${next()}`;
      await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      if (o.waitForServiceAccount) {
        await until('default ServiceAccount', async () => ((await call('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`)).status === 200 ? true : undefined), 10_000, 50);
      }
      return name;
    },
  };
}

export interface KubectlCaseContext {
  srv: TestApiServer;
  k: Kubectl;
  /** ns is the case's own namespace, `case-<index>`, already created. */
  ns: string;
  /** write writes a file into the server's temporary directory (removed with it) and answers its path. */
  write(name: string, content: string): string;
}

/**
 * describeKubectlCases declares a suite `title` (skipped when kubectl is not on PATH) that starts
 * one TestApiServer for all cases and runs each case as a test named `c.name`, with a fresh
 * namespace; run holds the case's kubectl calls and assertions.
 */
export function describeKubectlCases<C extends { name: string }>(title: string, cases: readonly C[], run: (c: C, i: number, ctx: KubectlCaseContext) => Promise<void>): void {
  describe(title, { skip: kubectlPath() ? false : 'kubectl not on PATH' }, () => {
    let srv: TestApiServer;
    let k: Kubectl;

    before(async () => {
      srv = await startTestApiServer();
      k = new Kubectl(srv.kubeconfig);
    });
    after(async () => {
      await srv?.stop();
    });

    cases.forEach((c, i) => {
      it(c.name, async () => {
        const ns = `case-${i}`;
        await k.ok(['create', 'namespace', ns]);
        const write = (name: string, content: string): string => {
          const file = join(srv.dir, name);
          writeFileSync(file, content);
          return file;
        };
        await run(c, i, { srv, k, ns, write });
      });
    });
  });
}
