/**
 * The authorization chain as kube-apiserver builds it from --authorization-mode: the
 * privileged group system:masters first (always allowed), then each mode in order (Node, RBAC,
 * AlwaysAllow, AlwaysDeny). The first allow or deny wins; reasons of "no opinion" answers are
 * joined into the forbidden message, as upstream's union authorizer does.
 */
import { forbidden, StatusError } from '../../api/errors.js';
import type { AuthorizationDecision, Authorizer, UserInfo } from '../pipeline.js';
import type { RequestInfo } from '../requestinfo.js';
import { GROUP_MASTERS } from './authn.js';
import type { AttributesAuthorizer, Decision } from './rbac/authorizer.js';
import type { Attributes } from './rbac/rules.js';

/** attributesOf turns a parsed request into authorization attributes. */
export function attributesOf(user: UserInfo, info: RequestInfo): Attributes {
  return {
    user,
    verb: info.verb,
    resourceRequest: info.isResourceRequest,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    namespace: info.namespace,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
    path: info.path,
  };
}

export const privilegedGroups: AttributesAuthorizer = {
  authorize: (a) => (a.user.groups.includes(GROUP_MASTERS) ? { decision: 'allow', reason: '' } : { decision: 'noOpinion', reason: '' }),
};

export const alwaysAllow: AttributesAuthorizer = { authorize: () => ({ decision: 'allow', reason: '' }) };
export const alwaysDeny: AttributesAuthorizer = { authorize: () => ({ decision: 'deny', reason: 'Everything is forbidden.' }) };

/** ChainAuthorizer asks authorizers in order. */
export class ChainAuthorizer implements AttributesAuthorizer {
  constructor(private readonly links: readonly AttributesAuthorizer[]) {}

  /** asRequestAuthorizer adapts the chain to the apiserver pipeline's Authorizer seam. */
  asRequestAuthorizer(): Authorizer {
    return {
      authorize: (user: UserInfo, info: RequestInfo): AuthorizationDecision => {
        const d = this.authorize(attributesOf(user, info));
        return d.decision === 'allow' ? { allowed: true } : { allowed: false, reason: d.reason };
      },
    };
  }

  authorize(a: Attributes): Decision {
    const reasons: string[] = [];
    for (const l of this.links) {
      const d = l.authorize(a);
      if (d.decision !== 'noOpinion') return d;
      if (d.reason) reasons.push(d.reason);
    }
    return { decision: 'noOpinion', reason: reasons.join('\n') };
  }
}

/** forbiddenError renders a denial as upstream's responsewriters.Forbidden. */
export function forbiddenError(a: Attributes, reason: string): StatusError {
  const suffix = reason ? `: ${reason}` : '';
  if (!a.resourceRequest) {
    return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403, message: `forbidden: User "${a.user.username}" cannot ${a.verb} path "${a.path}"${suffix}`, details: {} });
  }
  const what = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return forbidden({ group: a.apiGroup, resource: a.resource }, a.name, `User "${a.user.username}" cannot ${a.verb} resource "${what}" in API group "${a.apiGroup}"${scope}${suffix}`);
}
