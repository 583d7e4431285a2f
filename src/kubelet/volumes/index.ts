/** Pod volumes for local runtimes: AtomicWriter and the VolumeManager. */
export { writeAtomically, validatePath, type Payload, type FileProjection } from './atomicwriter.js';
export { VolumeManager, VolumeError, containerMounts, type VolumeSources } from './volumes.js';
