/**
 * The kubelet's API clients as upstream builds them (kubelet.go makeKubeDeps): the main client
 * (pods, status patches, mirror pods), an event client and a heartbeat client (Node status and
 * Lease), each with a rate limiter of its own — events at `eventQPS`/`eventBurst` (upstream's
 * eventRecordQPS 50 / eventBurst 100), heartbeats unlimited — so a burst of pod starts neither
 * delays a lease renewal nor makes status patches wait behind its events.
 */
import { RestClient } from '../client/rest/client.js';
import { gvr } from '../client/rest/gvr.js';
import { resourcePath } from '../client/rest/resource.js';
import type { EventSink } from '../client/record/events.js';

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

/**
 * eventSink writes core/v1 Events (the same requests as apiEventSink) but drains each answer
 * without decoding it, and answers with the event as sent: the broadcaster reads only the
 * written event's name back (which the client chose) and its resourceVersion, which no later
 * write carries (count patches are strategic merge patches by name). Decoding the echoed Event
 * was most of an event write's client cost, and a kubelet writes two per container start.
 */
export function eventSink(client: RestClient): EventSink {
  return {
    create: async (e) => {
      await client.requestDiscard({ method: 'POST', path: resourcePath(gvr.events, e.metadata.namespace ?? 'default'), body: e });
      return e;
    },
    patch: async (e, p) => {
      await client.requestDiscard({ method: 'PATCH', path: resourcePath(gvr.events, e.metadata.namespace ?? 'default', e.metadata.name ?? ''), body: p, contentType: 'application/strategic-merge-patch+json' });
      return e;
    },
  };
}
