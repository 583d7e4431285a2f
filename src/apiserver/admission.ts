/**
 * Built-in admission plugins that are part of the apiserver core (upstream's NamespaceLifecycle):
 * no new objects in a namespace that does not exist or is terminating, and the system
 * namespaces cannot be deleted.
 */
import { forbidden, notFound } from '../api/errors.js';
import type { AdmissionPlugin } from './pipeline.js';

/** The namespaces upstream's NamespaceLifecycle protects from deletion. */
const IMMORTAL = new Set(['default', 'kube-system', 'kube-public']);

export interface NamespaceLookup {
  /** phase returns the namespace's status.phase, or undefined when it does not exist. */
  phase(name: string): Promise<string | undefined>;
}

export function namespaceLifecycle(lookup: NamespaceLookup): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async validate(a) {
      const r = a.resource;
      if (r.group === '' && r.resource === 'namespaces') {
        if (a.operation === 'DELETE' && IMMORTAL.has(a.name)) throw forbidden({ group: '', resource: 'namespaces' }, a.name, 'this namespace may not be deleted');
        return;
      }
      if (a.operation !== 'CREATE' || !r.namespaced || !a.namespace) return;
      const phase = await lookup.phase(a.namespace);
      if (phase === undefined) throw notFound({ group: '', resource: 'namespaces' }, a.namespace);
      // Events about a terminating namespace's contents are still accepted, as upstream.
      if (phase === 'Terminating' && r.resource !== 'events') {
        throw forbidden({ group: r.group, resource: r.resource }, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`);
      }
    },
  };
}
