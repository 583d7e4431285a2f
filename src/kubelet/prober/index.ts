/** Container probes: one run (`runProbe`) and the workers that drive them (`ProbeManager`). */
export { runProbe, httpProbe, tcpProbe, grpcProbe, resolvePort, type ProbeResult, type ProbeOutcome, type ProbeContext } from './prober.js';
export { ProbeManager, type ProbeType, type ProbeManagerOptions, type ProbeResultEvent, type ContainerProbeState } from './manager.js';
