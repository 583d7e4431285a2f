/** Leader election on Leases, as client-go's tools/leaderelection. */
export {
  LeaderElector,
  LeaseLock,
  toMicroTime,
  type LeaderElectionConfig,
  type LeaderCallbacks,
  type LeaderElectionRecord,
  type ResourceLock,
} from './leaderelection.js';
