/**
 * The kubelet's API clients as upstream builds them (kubelet.go makeKubeDeps): the main client
 * (pods, status patches, mirror pods), an event client and a heartbeat client (Node status and
 * Lease), each with a rate limiter of its own — events at `eventQPS`/`eventBurst` (upstream's
 * eventRecordQPS 50 / eventBurst 100), heartbeats unlimited — so a burst of pod starts neither
 * delays a lease renewal nor makes status patches wait behind its events.
 */
import { RestClient } from '../client/rest/client.js';

export interface KubeletClients {
  main: RestClient;
  events: RestClient;
  heartbeat: RestClient;
  /** close closes the clients made here (not `main`). */
  close(): void;
}

export function kubeletClients(main: RestClient, opts: { eventQPS?: number; eventBurst?: number } = {}): KubeletClients {
  const c = main.config;
  // Each gets its own connections too, unless the caller supplied a transport (in-process):
  // that one is shared and left for the caller to close.
  const events = new RestClient({ ...c, qps: opts.eventQPS ?? (c.qps === Infinity ? Infinity : 50), burst: opts.eventBurst ?? 100 });
  const heartbeat = new RestClient({ ...c, qps: Infinity });
  return {
    main,
    events,
    heartbeat,
    close: () => {
      if (c.transport) return;
      events.close();
      heartbeat.close();
    },
  };
}
