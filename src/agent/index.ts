/**
 * src/agent: `k8ts agent` (k3s agent): join one node, or N simulated nodes, to a k8ts server.
 */
export { startAgent, type AgentOptions, type RunningAgent } from './agent.js';
