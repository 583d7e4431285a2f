/** Event recording as client-go's tools/record (core/v1) and tools/events (events.k8s.io/v1). */
export {
  EventBroadcaster,
  apiEventSink,
  getReference,
  EVENT_TYPE_NORMAL,
  EVENT_TYPE_WARNING,
  type EventRecorder,
  type EventSink,
  type EventBroadcasterOptions,
} from './events.js';
export { sprintf } from './sprintf.js';
export { EventsV1Broadcaster, apiEventsV1Sink, type EventsV1BroadcasterOptions, type EventsV1Event, type EventsV1Sink } from './eventsv1.js';
