/**
 * API Priority and Fairness (flowcontrol.apiserver.k8s.io): upstream's bootstrap
 * configuration objects, and the request dispatcher that classifies requests by
 * FlowSchema and queues them fairly per PriorityLevelConfiguration.
 */
export {
  autoUpdateAnnotationKey,
  bootstrapFlowSchemas,
  bootstrapPriorityLevels,
  isMandatory,
  mandatoryFlowSchemas,
  mandatoryPriorityLevels,
  suggestedFlowSchemas,
  suggestedPriorityLevels,
} from './bootstrap.js';
export { defaultRequestWaitLimitMs, Dispatcher, Ticket, type Classification, type DispatcherOptions, type RequestDigest } from './dispatcher.js';
