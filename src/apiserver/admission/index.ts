/**
 * The admission plugins beyond the core's NamespaceLifecycle, by upstream name, and the order
 * kube-apiserver runs them in. `admissionPlugins(names, deps)` builds the enabled ones;
 * `bootstrapAdmission` creates the objects they expect at start-up (system PriorityClasses).
 */
import type { KubeObject } from '../../api/types.js';
import type { AdmissionPlugin } from '../pipeline.js';
import type { AdmissionObjects } from './objects.js';
import { priorityAdmission, systemPriorityClasses } from './priority.js';
import { serviceAccountAdmission } from './serviceaccount.js';
import { defaultTolerationSeconds } from './tolerations.js';
import { limitRanger } from './limitranger.js';
import { podSecurityAdmission } from './podsecurity.js';
import { mutatingWebhooks, validatingWebhooks } from './webhook.js';
import { resourceQuotaAdmission, type QuotaStatusWriter } from './resourcequota.js';
import { taintNodesByCondition } from './nodetaint.js';
import { defaultStorageClass, persistentVolumeClaimResize } from './storageclass.js';
import { storageObjectInUseProtection } from './storageprotection.js';
import { runtimeClassAdmission } from './runtimeclass.js';
import { defaultIngressClass } from './ingressclass.js';

export { admissionObjects, cachedAdmissionObjects, type AdmissionObjects, type LiveGet } from './objects.js';
export { projectedTokenVolume, TOKEN_MOUNT_PATH, TOKEN_EXPIRATION_SECONDS, DEFAULT_SERVICE_ACCOUNT } from './serviceaccount.js';
export { systemPriorityClasses } from './priority.js';
export { LIMIT_RANGER_ANNOTATION } from './limitranger.js';
export { evaluate as evaluatePodSecurity, policyFor as podSecurityPolicyFor, type Level as PodSecurityLevel } from './podsecurity.js';
export type { QuotaStatusWriter } from './resourcequota.js';
export { mutatingWebhooks, validatingWebhooks, ruleMatches, httpsCall, type WebhookCaller, type WebhookDeps } from './webhook.js';

export interface AdmissionPluginDeps {
  objects: AdmissionObjects;
  /** writeQuotaStatus updates a ResourceQuota's status (ResourceQuota charges creations there). */
  writeQuotaStatus: QuotaStatusWriter;
}

type Factory = (deps: AdmissionPluginDeps) => AdmissionPlugin;

/** PLUGINS in upstream's run order (kube-apiserver's AllOrderedPlugins, restricted to ours). */
const PLUGINS: ReadonlyArray<readonly [string, Factory]> = [
  ['LimitRanger', (d) => limitRanger(d.objects)],
  ['ServiceAccount', (d) => serviceAccountAdmission(d.objects)],
  ['TaintNodesByCondition', () => taintNodesByCondition()],
  ['PodSecurity', (d) => podSecurityAdmission(d.objects)],
  ['Priority', (d) => priorityAdmission(d.objects)],
  ['DefaultTolerationSeconds', () => defaultTolerationSeconds()],
  ['DefaultStorageClass', (d) => defaultStorageClass(d.objects)],
  ['StorageObjectInUseProtection', () => storageObjectInUseProtection()],
  ['PersistentVolumeClaimResize', (d) => persistentVolumeClaimResize(d.objects)],
  ['RuntimeClass', (d) => runtimeClassAdmission(d.objects)],
  ['DefaultIngressClass', (d) => defaultIngressClass(d.objects)],
  ['MutatingAdmissionWebhook', (d) => mutatingWebhooks({ objects: d.objects })],
  ['ValidatingAdmissionWebhook', (d) => validatingWebhooks({ objects: d.objects })],
  ['ResourceQuota', (d) => resourceQuotaAdmission(d.objects, d.writeQuotaStatus)],
];

/** AVAILABLE_ADMISSION_PLUGINS are the names admissionPlugins accepts. */
export const AVAILABLE_ADMISSION_PLUGINS: readonly string[] = PLUGINS.map(([n]) => n);

/** DEFAULT_ADMISSION_PLUGINS are the ones kube-apiserver enables by default (of ours: all). */
export const DEFAULT_ADMISSION_PLUGINS: readonly string[] = AVAILABLE_ADMISSION_PLUGINS;

/**
 * admissionPlugins builds the named plugins in upstream's order. Names that are not ours
 * (NamespaceLifecycle, NodeRestriction, ...) are ignored: other parts of the apiserver own them.
 */
export function admissionPlugins(names: readonly string[], deps: AdmissionPluginDeps): AdmissionPlugin[] {
  const want = new Set(names);
  return PLUGINS.filter(([n]) => want.has(n)).map(([, f]) => f(deps));
}

/** BootstrapCreate creates an object unless it exists (AlreadyExists is not an error). */
export type BootstrapCreate = (group: string, version: string, resource: string, obj: KubeObject) => Promise<void>;

/** bootstrapAdmission creates what the enabled plugins rely on: the system PriorityClasses. */
export async function bootstrapAdmission(names: readonly string[], create: BootstrapCreate): Promise<void> {
  if (names.includes('Priority')) for (const pc of systemPriorityClasses()) await create('scheduling.k8s.io', 'v1', 'priorityclasses', pc as unknown as KubeObject);
}

/**
 * enabledAdmissionPlugins resolves --enable-admission-plugins / --disable-admission-plugins
 * against the defaults, as kube-apiserver: enabled = defaults + enable - disable. Names nobody
 * in k8ts implements are refused so a typo does not silently weaken admission.
 */
export function enabledAdmissionPlugins(enable: readonly string[], disable: readonly string[]): string[] {
  const known = new Set([...AVAILABLE_ADMISSION_PLUGINS, ...BUILT_IN_ELSEWHERE]);
  for (const n of [...enable, ...disable]) if (!known.has(n)) throw new Error(`admission plugin ${JSON.stringify(n)} is not known (known: ${[...known].sort().join(', ')})`);
  const off = new Set(disable);
  return [...new Set([...DEFAULT_ADMISSION_PLUGINS, ...enable])].filter((n) => !off.has(n) && AVAILABLE_ADMISSION_PLUGINS.includes(n));
}

/** Plugins implemented outside this folder (always on in k8ts): accepted in the flags. */
const BUILT_IN_ELSEWHERE = ['NamespaceLifecycle', 'NodeRestriction', 'CertificateApproval', 'CertificateSigning', 'CertificateSubjectRestriction'];
