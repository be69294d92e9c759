/**
 * SIMULATION of machine-controller-manager's MachineDeployment and MachineSet controllers — the part of MCM that is
 * not our product (a real landscape runs MCM's own `machine-controller-manager` binary; our provider binary runs the
 * machine controller, `src/mcm/controller/`). Used by the playground, tests and benchmarks.
 *
 * What it does, as MCM does it: MachineSets per template hash (label `machine-template-hash`, generateName'd
 * Machines with controller owner references), scaling (proportional during a rollout), RollingUpdate within
 * maxSurge/maxUnavailable, Recreate, replacement of Failed machines with the immediate Terminating status write
 * (unless preserved; auto-preservation up to `autoPreserveFailedMachineMax`),
 * deletion order by `machinepriority.machine.sapcloud.io`, freeze and scale-up-disabled labels, finalizers,
 * deletion cascade, and the status fields MCM computes. Like MCM, a machine counts as available as soon as it is
 * Running (`minReadySeconds` is copied to the MachineSets, never waited for). Not simulated: InPlaceUpdate,
 * rollbackTo, the PreferNoSchedule taint and autoscaler annotations MCM puts on old nodes, the safety controller.
 */
export {
  LOGGER_NAME,
  MachineDeploymentSimulation,
  type MachineDeploymentSimulationOptions,
  type RunningSimulation,
  startMachineDeploymentSimulation,
} from "./simulation.ts";
export type { SimulationStats } from "./object_writes.ts";
export { LABEL_TEMPLATE_HASH } from "./keys.ts";
export { computeMachineSetStatus } from "./machineset_status.ts";
export { computeDeploymentStatus, computeRolloutStatus } from "./deployment_status.ts";
