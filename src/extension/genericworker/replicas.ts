/**
 * The replica count the Worker controller writes into a MachineDeployment, with the rules of Gardener's generic
 * Worker actuator (`deployMachineDeployments`). Pure. The rules, checked in this order:
 *
 * 1. the shoot is hibernated → 0 (machines are also labelled for forced deletion by the caller);
 * 2. no pool of the Worker uses the cluster-autoscaler (minimum == maximum everywhere) → minimum;
 * 3. the MachineDeployment does not exist yet → the replicas of the restored machine state, else minimum;
 * 4. the shoot wakes up (every existing MachineDeployment of the namespace is at 0) → minimum;
 * 5. existing replicas below minimum → minimum, above maximum → maximum;
 * 6. otherwise the existing value: the cluster-autoscaler owns it.
 */

/** What the replica rule looks at for one MachineDeployment. */
export interface ReplicaInputs {
  hibernated: boolean;
  /** Any pool of the Worker has maximum > minimum. */
  autoscalerUsed: boolean;
  minimum: number;
  maximum: number;
  /** `spec.replicas` of the existing MachineDeployment (undefined when it does not exist). */
  existingReplicas?: number;
  /** The MachineDeployment exists (its replicas may be unset, which counts as 0). */
  exists: boolean;
  /** Every existing MachineDeployment of the namespace has 0 replicas (the shoot was hibernated). */
  allExistingAtZero: boolean;
  /** Replicas recorded in the machine state being restored, if any. */
  restoredReplicas?: number;
}

/** The replica count for one MachineDeployment. */
export function desiredReplicas(i: ReplicaInputs): number {
  if (i.hibernated) return 0;
  if (!i.autoscalerUsed) return i.minimum;
  if (!i.exists) return i.restoredReplicas ?? i.minimum;
  if (i.allExistingAtZero) return i.minimum;
  const current = i.existingReplicas ?? 0;
  if (current < i.minimum) return i.minimum;
  if (current > i.maximum) return i.maximum;
  return current;
}

/**
 * The replicas a restore gives machine-controller-manager once the MachineDeployments are written: 1, so MCM takes
 * over the restored machines. A hibernated shoot stays hibernated: MCM is scaled up only while Machines exist (their
 * devices run and only MCM deletes them; the deployments are at 0), else left as it is (undefined).
 */
export function mcmReplicasAfterRestore(hibernated: boolean, machines: number): number | undefined {
  if (!hibernated || machines > 0) return 1;
  return undefined;
}
