/**
 * The certificates.k8s.io/v1 CertificateSigningRequest flow, as upstream's CSR registry,
 * CertificateApproval/CertificateSigning admission and kube-controller-manager's csrapproving
 * and csrsigning controllers:
 * - on create, spec.username/uid/groups/extra are set from the requester;
 * - the approval subresource (served by the registry: metadata and status.conditions only) is
 *   written only by users allowed to `approve` the CSR's signer (`signers`, resourceName the
 *   signer name or `<domain>/*`): csrApprovalAdmission;
 * - kubelet client CSRs (signer kubernetes.io/kube-apiserver-client-kubelet, CN system:node:<n>,
 *   O system:nodes, client-auth usages) are auto-approved when the requester may create
 *   `certificatesigningrequests/nodeclient` (or `/selfnodeclient` for its own name);
 * - approved CSRs for the kube-apiserver-client(-kubelet) signers are signed with the client CA.
 */
import { forbidden, invalid, notFound } from '../../api/errors.js';
import { field } from '../../api/field.js';
import type { KubeObject } from '../../api/types.js';
import { issue, readCSR, type CertKey } from '../../pki/index.js';
import type { AdmissionPlugin, UserInfo } from '../pipeline.js';
import { timestamp } from '../registry/store.js';
import type { ObjectSource } from './objects.js';
import type { AttributesAuthorizer } from './rbac/authorizer.js';
import type { StartAccess } from './security.js';

export const CSR_GROUP = 'certificates.k8s.io';
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
const SIGNED_HERE = new Set([KUBELET_CLIENT_SIGNER, CLIENT_SIGNER]);
const KUBELET_USAGES = new Set(['digital signature', 'key encipherment', 'client auth']);

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

interface CSR {
  metadata: { name: string; resourceVersion?: string };
  spec: { request?: string; signerName?: string; usages?: string[]; expirationSeconds?: number; username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  status?: { conditions?: Condition[]; certificate?: string };
}

const isCSR = (r: { group: string; resource: string }): boolean => r.group === CSR_GROUP && r.resource === 'certificatesigningrequests';
const has = (c: CSR, type: string): boolean => (c.status?.conditions ?? []).some((x) => x.type === type && x.status === 'True');

function requestPem(c: CSR): string {
  return Buffer.from(c.spec.request ?? '', 'base64').toString('utf8');
}

/**
 * csrApprovalAdmission is upstream's CertificateApproval admission plugin: every write of a CSR's
 * /approval needs the `approve` verb on its signer (signers/<signerName> or <domain>/*).
 */
export function csrApprovalAdmission(authorizer: AttributesAuthorizer): AdmissionPlugin {
  return {
    name: 'CertificateApproval',
    validate(a) {
      if (!isCSR(a.resource) || a.subresource !== 'approval' || !a.object) return;
      const signer = (a.object as unknown as CSR).spec?.signerName ?? '';
      if (!mayApprove(authorizer, a.user, signer)) throw forbidden({ group: CSR_GROUP, resource: 'certificatesigningrequests' }, a.name, `user not permitted to approve requests with signerName "${signer}"`);
    },
  };
}

/** csrAdmission records the requester on create and validates the request, as upstream's CSR strategy. */
export function csrAdmission(): AdmissionPlugin {
  return {
    name: 'CertificateSigningRequest',
    admit(a) {
      if (!isCSR(a.resource) || a.operation !== 'CREATE' || a.subresource || !a.object) return;
      const spec = ((a.object as unknown as CSR).spec ??= {});
      spec.username = a.user.username;
      if (a.user.uid) spec.uid = a.user.uid;
      else delete spec.uid;
      spec.groups = [...a.user.groups];
      if (a.user.extra) spec.extra = a.user.extra;
      else delete spec.extra;
    },
    async validate(a) {
      if (!isCSR(a.resource) || a.operation !== 'CREATE' || a.subresource || !a.object) return;
      const c = a.object as unknown as CSR;
      const gk = { group: CSR_GROUP, kind: 'CertificateSigningRequest' };
      const errs = [];
      if (!c.spec.request) errs.push(field.required('spec.request', ''));
      else {
        try {
          await readCSR(requestPem(c));
        } catch (err) {
          errs.push(field.invalid('spec.request', '<omitted>', `${(err as Error).message}`));
        }
      }
      if (!c.spec.signerName) errs.push(field.required('spec.signerName', ''));
      if (!c.spec.usages?.length) errs.push(field.required('spec.usages', ''));
      if (c.spec.expirationSeconds !== undefined && c.spec.expirationSeconds < 600) errs.push(field.invalid('spec.expirationSeconds', c.spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
      if (errs.length) throw invalid(gk, a.name, errs);
    },
  };
}

/** mayApprove checks the `approve` verb on the CSR's signer, as upstream's CertificateApproval plugin. */
function mayApprove(authorizer: AttributesAuthorizer, user: UserInfo, signer: string): boolean {
  const names = [signer, `${signer.split('/')[0]}/*`];
  return names.some(
    (name) => authorizer.authorize({ user, verb: 'approve', resourceRequest: true, apiGroup: CSR_GROUP, namespace: '', resource: 'signers', subresource: '', name, path: '' }).decision === 'allow',
  );
}

/** CSRController auto-approves kubelet client CSRs and signs approved ones (the registry serves /approval). */
export class CSRController {
  private access?: StartAccess;
  private seen = '';
  private running = false;

  constructor(
    private readonly clientCA: CertKey,
    private readonly objects: ObjectSource,
    private readonly authorizer: AttributesAuthorizer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(access: StartAccess): void {
    this.access = access;
  }

  private resource() {
    return this.access!.resolve(CSR_GROUP, 'v1', 'certificatesigningrequests')!;
  }

  private async writeStatus(name: string, mutate: (c: CSR) => CSR | undefined, user: UserInfo): Promise<KubeObject> {
    const a = this.access!;
    const r = await a.store.update(
      this.resource(),
      '',
      name,
      (cur) => {
        if (!cur) throw notFound({ group: CSR_GROUP, resource: 'certificatesigningrequests' }, name);
        return (mutate(structuredClone(cur) as unknown as CSR) ?? cur) as unknown as KubeObject;
      },
      { dryRun: false, fieldManager: 'kube-controller-manager', user, admission: a.admission, now: this.now() },
      'status',
    );
    return r.obj;
  }

  /** reconcile approves and signs what is due; runs when CSRs changed (cheap to call often). */
  async reconcile(): Promise<void> {
    if (!this.access || this.running) return;
    const rev = this.objects.revision(CSR_GROUP, 'certificatesigningrequests');
    if (rev === this.seen) return;
    this.running = true;
    try {
      this.seen = rev;
      for (const c of this.objects.list<CSR>(CSR_GROUP, 'certificatesigningrequests', '')) {
        if (!has(c, 'Approved') && !has(c, 'Denied') && c.spec.signerName === KUBELET_CLIENT_SIGNER) await this.autoApprove(c);
        else if (has(c, 'Approved') && !has(c, 'Denied') && !has(c, 'Failed') && !c.status?.certificate && SIGNED_HERE.has(c.spec.signerName ?? '')) await this.sign(c);
      }
    } finally {
      this.running = false;
    }
  }

  private controllerUser: UserInfo = { username: 'system:serviceaccount:kube-system:certificate-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] };

  private async autoApprove(c: CSR): Promise<void> {
    let subject;
    try {
      subject = await readCSR(requestPem(c));
    } catch {
      return;
    }
    const usagesOK = (c.spec.usages ?? []).every((u) => KUBELET_USAGES.has(u)) && (c.spec.usages ?? []).includes('client auth');
    if (!subject.commonName.startsWith('system:node:') || subject.organizations.join(',') !== 'system:nodes' || !usagesOK) return;
    const requester: UserInfo = { username: c.spec.username ?? '', groups: c.spec.groups ?? [] };
    const self = subject.commonName === c.spec.username;
    const allowed = (sub: string): boolean =>
      this.authorizer.authorize({ user: requester, verb: 'create', resourceRequest: true, apiGroup: CSR_GROUP, namespace: '', resource: 'certificatesigningrequests', subresource: sub, name: '', path: '' }).decision === 'allow';
    if (!(self && allowed('selfnodeclient')) && !allowed('nodeclient')) return;
    await this.writeStatus(
      c.metadata.name,
      (cur) => {
        if (has(cur, 'Approved') || has(cur, 'Denied')) return undefined;
        const when = timestamp(this.now());
        cur.status = { ...(cur.status ?? {}), conditions: [...(cur.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message: 'Auto approving kubelet client certificate after SubjectAccessReview.', lastUpdateTime: when, lastTransitionTime: when }] };
        return cur;
      },
      this.controllerUser,
    );
  }

  private async sign(c: CSR): Promise<void> {
    const when = timestamp(this.now());
    let certPem: string | undefined;
    let failure: string | undefined;
    try {
      const subject = await readCSR(requestPem(c));
      if (c.spec.signerName === KUBELET_CLIENT_SIGNER && (!subject.commonName.startsWith('system:node:') || subject.organizations.join(',') !== 'system:nodes')) {
        failure = 'subject must be CN=system:node:<name>, O=system:nodes for signer kubernetes.io/kube-apiserver-client-kubelet';
      } else {
        const seconds = c.spec.expirationSeconds ?? 365 * 24 * 3600;
        certPem = await issue(this.clientCA, { commonName: subject.commonName, organizations: subject.organizations, usage: 'client', validityDays: seconds / 86400, now: this.now() }, subject.publicKey);
      }
    } catch (err) {
      failure = (err as Error).message;
    }
    await this.writeStatus(
      c.metadata.name,
      (cur) => {
        if (cur.status?.certificate) return undefined;
        if (certPem) cur.status = { ...(cur.status ?? {}), certificate: Buffer.from(certPem).toString('base64') };
        else cur.status = { ...(cur.status ?? {}), conditions: [...(cur.status?.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: failure ?? 'signing failed', lastUpdateTime: when, lastTransitionTime: when }] };
        return cur;
      },
      this.controllerUser,
    );
  }
}
