/**
 * The apiserver's security, as kube-apiserver's: TLS material (src/pki), authentication
 * (client certificates, token file, ServiceAccount JWTs and the TokenRequest API, bootstrap and
 * join tokens, anonymous on public paths), impersonation, authorization (system:masters, Node,
 * RBAC with upstream's default policy, aggregation and escalation checks), the review APIs,
 * NodeRestriction, CertificateSigningRequests and the agents' join endpoints.
 *
 * Build it with `createSecurity(options, deps)`; `startApiServer({ security })` does that and
 * wires it into the request pipeline. The rest of the folder is private. See README.md.
 */
export { createSecurity, type Security, type SecurityDeps, type SecurityOptions, type ServeContext, type StartAccess } from './security.js';
export { cacheObjectSource, type ObjectSource } from './objects.js';
export { ANONYMOUS_USER, GROUP_AUTHENTICATED, GROUP_MASTERS, GROUP_UNAUTHENTICATED, parseTokenFile } from './authn.js';
export { GROUP_NODES, NODE_USER_PREFIX } from './node.js';
export { JOIN_GROUP, JOIN_USER, formatJoinToken, parseJoinToken } from './join.js';
export { bootstrapClusterRoleBindings, bootstrapClusterRoles, bootstrapNamespaceRoleBindings, bootstrapNamespaceRoles } from './rbac/policy.js';
