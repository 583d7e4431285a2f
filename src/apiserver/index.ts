/**
 * The apiserver's public surface: start one (`startApiServer`), the pipeline seams that
 * authentication, authorization and admission plug into, and the Kubernetes version it speaks.
 */
export { startApiServer, KUBE_VERSION, type ApiServerOptions, type RunningApiServer } from './server.js';
export {
  Admission,
  ANONYMOUS_ADMIN,
  allowAllAuthenticator,
  alwaysAllowAuthorizer,
  type AdmissionAttributes,
  type AdmissionPlugin,
  type Authenticator,
  type AuthorizationDecision,
  type Authorizer,
  type UserInfo,
} from './pipeline.js';
export { requestInfo, type RequestInfo } from './requestinfo.js';
export { SYSTEM_NAMESPACES } from './bootstrap.js';
