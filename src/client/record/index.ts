/** Event recording as client-go's tools/record. */
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
