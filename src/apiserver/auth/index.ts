/**
 * The apiserver's security (upstream's authentication, authorization and RBAC): build it with
 * `createSecurity(options, deps)` and pass it to the server; the rest of the folder is private.
 */
export { createSecurity, type Security, type SecurityDeps, type SecurityOptions, type ServeContext, type StartAccess } from './security.js';
export { cacheObjectSource, type ObjectSource } from './objects.js';
export { ANONYMOUS_USER, GROUP_AUTHENTICATED, GROUP_MASTERS, GROUP_UNAUTHENTICATED, parseTokenFile } from './authn.js';
export { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './rbac/policy.js';
