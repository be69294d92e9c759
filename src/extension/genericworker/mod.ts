/**
 * Gardener's generic Worker logic, provider-agnostic (the counterpart of Gardener's
 * `extensions/pkg/controller/worker/genericactuator`): MachineDeployments per pool and zone, their names and sizes,
 * replicas, rollout, failed machines, deletion, machine state and restore. A provider plugs in through a
 * `WorkerDelegate` (delegate.ts); ../worker is provider equinixmetal's.
 */
export { DEFAULT_POLL_INTERVAL_MS, WorkerActuator, type WorkerActuatorOptions } from "./actuator_reconcile.ts";
export type { DesiredStateInputs, PoolContext, ProviderPool, WorkerContext, WorkerDelegate } from "./delegate.ts";
export { computeDesiredState, describeWorker, type DesiredWorker, userDataSecretNames } from "./desired_state.ts";
export type { DesiredDeployment } from "./machine_deployment.ts";
export { continueWait, type WaitRecord } from "./bounded_wait.ts";
export { failedMachineCodes } from "./failed_machines.ts";
export { machineDeploymentProblem } from "./rollout.ts";
