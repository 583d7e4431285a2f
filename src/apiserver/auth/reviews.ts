/**
 * The review APIs, as upstream's pkg/registry/authentication and pkg/registry/authorization:
 * create-only resources answered from the caller's identity and the authorizer, never stored.
 * - authentication.k8s.io/v1 tokenreviews (is this token valid, and whose is it),
 *   selfsubjectreviews (`kubectl auth whoami`);
 * - authorization.k8s.io/v1 subjectaccessreviews, localsubjectaccessreviews,
 *   selfsubjectaccessreviews (`kubectl auth can-i`), selfsubjectrulesreviews (`can-i --list`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, invalid, methodNotSupported } from '../../api/errors.js';
import { field } from '../../api/field.js';
import { decodeBody } from '../encoding.js';
import { readBody } from '../handlers.js';
import { decodeProtobufObject, isProtobuf } from '../protobuf.js';
import { negotiate, partialObjectMetadata, writeValue } from '../negotiation.js';
import type { UserInfo } from '../pipeline.js';
import type { RequestInfo } from '../requestinfo.js';
import { nodeName } from './node.js';
import type { AttributesAuthorizer, RBACAuthorizer } from './rbac/authorizer.js';
import type { Attributes, PolicyRule } from './rbac/rules.js';

export interface ReviewDeps {
  authorizer: AttributesAuthorizer;
  /** rbac lists a user's rules for SelfSubjectRulesReview. */
  rbac: Pick<RBACAuthorizer, 'rulesFor'>;
  /** authenticateToken answers a TokenReview (undefined: not a valid token for these audiences). */
  authenticateToken(token: string, audiences: readonly string[]): Promise<{ user: UserInfo; audiences: string[] } | undefined>;
  /** apiAudiences are the apiserver's own audiences (the default of a TokenReview). */
  apiAudiences: readonly string[];
}

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface ReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  namespace?: string;
  token?: string;
  audiences?: string[];
}

interface Review {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
  spec?: ReviewSpec;
  status?: unknown;
}

const REVIEWS: Record<string, { group: string; kind: string; namespaced: boolean }> = {
  tokenreviews: { group: 'authentication.k8s.io', kind: 'TokenReview', namespaced: false },
  selfsubjectreviews: { group: 'authentication.k8s.io', kind: 'SelfSubjectReview', namespaced: false },
  subjectaccessreviews: { group: 'authorization.k8s.io', kind: 'SubjectAccessReview', namespaced: false },
  localsubjectaccessreviews: { group: 'authorization.k8s.io', kind: 'LocalSubjectAccessReview', namespaced: true },
  selfsubjectaccessreviews: { group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview', namespaced: false },
  selfsubjectrulesreviews: { group: 'authorization.k8s.io', kind: 'SelfSubjectRulesReview', namespaced: false },
};

/**
 * alwaysAllowReviews answers reviews for a server without authorization (upstream's
 * AlwaysAllow mode): every access is allowed, the rules are `*`, and no token is valid.
 */
export const alwaysAllowReviews: ReviewDeps = {
  authorizer: { authorize: () => ({ decision: 'allow', reason: '' }) },
  rbac: {
    rulesFor: () => ({
      rules: [
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
        { verbs: ['*'], nonResourceURLs: ['*'] },
      ],
      errors: [],
    }),
  },
  authenticateToken: async () => undefined,
  apiAudiences: [],
};

/** isReview reports whether a request addresses one of the review resources. */
export function isReview(info: RequestInfo): boolean {
  const r = REVIEWS[info.resource];
  return !!r && r.group === info.apiGroup && info.apiVersion === 'v1' && !info.subresource;
}

function accessAttributes(user: UserInfo, spec: ReviewSpec): Attributes {
  const ra = spec.resourceAttributes;
  if (ra) {
    return { user, verb: ra.verb ?? '', resourceRequest: true, apiGroup: ra.group ?? '', apiVersion: ra.version ?? '', namespace: ra.namespace ?? '', resource: ra.resource ?? '', subresource: ra.subresource ?? '', name: ra.name ?? '', path: '' };
  }
  const nr = spec.nonResourceAttributes ?? {};
  return { user, verb: nr.verb ?? '', resourceRequest: false, apiGroup: '', namespace: '', resource: '', subresource: '', name: '', path: nr.path ?? '' };
}

function accessStatus(d: AttributesAuthorizer, a: Attributes): { allowed: boolean; denied?: boolean; reason?: string } {
  const r = d.authorize(a);
  const s: { allowed: boolean; denied?: boolean; reason?: string } = { allowed: r.decision === 'allow' };
  if (r.decision === 'deny') s.denied = true;
  if (r.reason) s.reason = r.reason;
  return s;
}

/** rulesStatus converts RBAC rules into a SubjectRulesReviewStatus. */
export function rulesStatus(rules: readonly PolicyRule[], errors: readonly string[]): object {
  const resourceRules: object[] = [];
  const nonResourceRules: object[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
    if (r.resources?.length) {
      const rr: Record<string, string[]> = { verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources };
      if (r.resourceNames?.length) rr.resourceNames = r.resourceNames;
      resourceRules.push(rr);
    }
  }
  const status: Record<string, unknown> = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
  if (errors.length) status.evaluationError = errors.join(', ');
  return status;
}

/** serveReview answers one review create. */
export async function serveReview(deps: ReviewDeps, req: IncomingMessage, res: ServerResponse, info: RequestInfo, user: UserInfo): Promise<void> {
  const def = REVIEWS[info.resource]!;
  if (info.verb !== 'create' || info.name) throw methodNotSupported({ group: def.group, resource: info.resource }, info.verb);
  // Reviews have no Table convertor upstream: as=Table is 406, decided before any work is done.
  const out = negotiate(req.headers.accept, false, false);
  const raw = await readBody(req);
  const contentType = req.headers['content-type'] ?? 'application/json';
  const decoded = (isProtobuf(contentType) ? decodeProtobufObject(raw) : decodeBody(raw, contentType, false).value) as Review | null;
  if (!decoded || typeof decoded !== 'object') throw badRequest('the body of the request was in an unknown format');
  const body: Review = decoded;
  const spec: ReviewSpec = body.spec ?? {};
  const gk = { group: def.group, kind: def.kind };
  let status: unknown;
  switch (info.resource) {
    case 'selfsubjectreviews':
      status = { userInfo: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) } };
      break;
    case 'tokenreviews': {
      if (!spec.token) throw invalid(gk, '', [field.required('spec.token', '')]);
      const wanted = spec.audiences?.length ? spec.audiences : deps.apiAudiences;
      const r = await deps.authenticateToken(spec.token, wanted);
      if (!r) {
        status = { user: {}, error: 'invalid bearer token' };
      } else {
        status = {
          authenticated: true,
          user: { username: r.user.username, ...(r.user.uid ? { uid: r.user.uid } : {}), groups: r.user.groups, ...(r.user.extra ? { extra: r.user.extra } : {}) },
          audiences: r.audiences,
        };
      }
      break;
    }
    case 'selfsubjectaccessreviews':
      if (!spec.resourceAttributes && !spec.nonResourceAttributes) throw invalid(gk, '', [field.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')]);
      status = accessStatus(deps.authorizer, accessAttributes(user, spec));
      break;
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      if (!spec.resourceAttributes && !spec.nonResourceAttributes) throw invalid(gk, '', [field.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')]);
      if (!spec.user && !(spec.groups ?? []).length) throw invalid(gk, '', [field.invalid('spec.user', '', 'at least one of user or group must be specified')]);
      if (info.resource === 'localsubjectaccessreviews') {
        if (spec.nonResourceAttributes) throw invalid(gk, '', [field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request')]);
        const ns = spec.resourceAttributes?.namespace ?? '';
        if (ns !== info.namespace) throw invalid(gk, '', [field.invalid('spec.resourceAttributes.namespace', ns, 'must match metadata.namespace')]);
      }
      const subject: UserInfo = { username: spec.user ?? '', groups: spec.groups ?? [] };
      if (spec.uid) subject.uid = spec.uid;
      if (spec.extra) subject.extra = spec.extra;
      status = accessStatus(deps.authorizer, accessAttributes(subject, spec));
      break;
    }
    case 'selfsubjectrulesreviews': {
      const r = deps.rbac.rulesFor(user, spec.namespace ?? '');
      const errors = [...r.errors];
      // Kubelets' permissions depend on their pods, so they cannot be listed (upstream's node authorizer says so too).
      if (nodeName(user) !== undefined) errors.unshift('node authorizer does not support user rule resolution');
      status = rulesStatus(r.rules, errors);
      break;
    }
  }
  const metadata: Record<string, unknown> = { creationTimestamp: null };
  if (def.namespaced) metadata.namespace = info.namespace;
  const review = { kind: def.kind, apiVersion: `${def.group}/v1`, metadata, spec: body.spec ?? {}, status };
  writeValue(res, 201, out.kind === 'partial' ? partialObjectMetadata(review, out.version) : review, out);
}
