/**
 * SIMULATION of the node side of a landscape (kubelet, cloud-controller-manager, gardener-node-agent, pod GC) for
 * the playground, tests and benchmarks. Not part of what runs in a real seed.
 */
export { NodeSimulator, type NodeSimulatorOptions, type NodeSimulatorStats } from "./node_simulator.ts";
export { metalDevices, simulatedDevice } from "./metal_source.ts";
export {
  CCM_PROVIDER_ID_PREFIX,
  CRITICAL_COMPONENTS_TAINT,
  nodeAddresses,
  nodeFor,
  planNodes,
  readyStatus,
  type SimNode,
  SIMULATED_NODE_LABEL,
  type SimulatedDevice,
} from "./node_plan.ts";
