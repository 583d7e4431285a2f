/** The object shape the client needs, satisfied by every kubernetes-types interface. */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/**
 * ApiObject is any API object. Unlike src/api's KubeObject it has no index signature, so the
 * kubernetes-types interfaces fit as they are: `client.resource<Pod>(gvr.pods)`.
 */
export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}
