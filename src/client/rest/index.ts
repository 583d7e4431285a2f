/** The REST layer: config loading, transports, the client and typed resource verbs. */
export { RestClient, encodeQuery, readAll, parseWarnings, type RestConfig, type RequestOptions, type QueryValue } from './client.js';
export { HttpTransport, InProcessTransport, DEFAULT_MAX_SOCKETS, isLongRunning, type Transport, type TransportRequest, type TransportResponse, type TLSOptions } from './transport.js';
export { PortTransport, servePort } from './porttransport.js';
export { statusErrorFrom, isStatus } from './errors.js';
export { parseWatchStream, type WatchDecodeOptions, type WatchEvent, type WatchEventType } from './watch.js';
export {
  ResourceClient,
  ResourceInterface,
  apiPath,
  resourcePath,
  type ObjectList,
  type ListOptions,
  type WatchOptions,
  type GetOptions,
  type WriteOptions,
  type PatchOptions,
  type DeleteOptions,
  type PatchType,
  type LogOptions,
  type Scale,
} from './resource.js';
export { gvr } from './gvr.js';
export {
  loadRestConfig,
  loadKubeconfig,
  parseKubeconfig,
  mergeKubeconfigs,
  kubeconfigPaths,
  restConfigFromKubeconfig,
  inClusterConfig,
  SERVICE_ACCOUNT_DIR,
  type Kubeconfig,
  type KubeconfigCluster,
  type KubeconfigUser,
  type KubeconfigContext,
  type ContextOverrides,
  type LoadRestConfigOptions,
} from './kubeconfig.js';
