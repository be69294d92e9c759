/**
 * Node controller decisions (MCM node.go). A Node belongs to the Machine whose label `node` names it. Its finalizer
 * `node.machine.sapcloud.io/machine-controller` is added by the machine's node sync while the Machine lives (MCM's
 * node controller adds it in a separate write); deleting the Node deletes the Machine (which is then drained, its
 * VM deleted and replaced by the MachineSet); a deleting Node without Machine loses the finalizer. Nodes annotated
 * not-managed-by-mcm are ignored. Pure.
 */
import {
  LABEL_NODE,
  type Machine,
  NODE_ANNOTATION_NOT_MANAGED_BY_MCM,
  NODE_FINALIZER,
  phaseOf,
} from "../../../apis/machine/v1alpha1.ts";
import { hasCriticalComponentsNotReadyTaint } from "../health/health.ts";
import { nodeConditionsChanged } from "../machine/status.ts";
import { nodePreservationChanged } from "../preservation/preservation.ts";
import type { Node } from "../../../k8s/api/builtin_types.ts";

export type NodeAction =
  | { kind: "ignore"; reason: string }
  | { kind: "removeFinalizer"; reason: string }
  | { kind: "deleteMachine"; machine: Machine }
  | { kind: "none"; machine?: Machine };

/**
 * Decides what to do for a Node given the Machines that name it in their `node` label. `node` undefined means the
 * Node was deleted (a Node that does not exist yet is not passed here: its Machine is still coming up).
 */
export function nodeAction(node: Node | undefined, machinesOfNode: Machine[], nodeName: string): NodeAction {
  if (node?.metadata.annotations?.[NODE_ANNOTATION_NOT_MANAGED_BY_MCM] !== undefined) {
    return { kind: "ignore", reason: "node is annotated as not managed by MCM" };
  }
  if (machinesOfNode.length > 1) {
    return {
      kind: "ignore",
      reason: `several machines claim node ${nodeName}: ${machinesOfNode.map((m) => m.metadata.name).join(", ")}`,
    };
  }
  const machine = machinesOfNode[0];
  const hasFinalizer = node?.metadata.finalizers?.includes(NODE_FINALIZER) ?? false;
  if (!node || node.metadata.deletionTimestamp) {
    if (machine && !machine.metadata.deletionTimestamp) return { kind: "deleteMachine", machine };
    if (node && !machine && hasFinalizer) {
      return { kind: "removeFinalizer", reason: "node is deleting and has no Machine" };
    }
    return { kind: "none", machine };
  }
  // Adding the finalizer to a live Node is the machine's node sync's job (together with its labels, one write).
  return { kind: "none", machine };
}

/** True when a Node change matters to its Machine's reconcile (MCM updateNodeToMachine). */
export function nodeChangeAffectsMachine(oldNode: Node, newNode: Node, machine: Machine | undefined): boolean {
  if (!machine) return false;
  if (hasCriticalComponentsNotReadyTaint(oldNode) !== hasCriticalComponentsNotReadyTaint(newNode)) return true;
  if (newNode.metadata.deletionTimestamp && !oldNode.metadata.deletionTimestamp) return true;
  if (nodePreservationChanged(oldNode, newNode)) return true;
  const phase = phaseOf(machine);
  if (phase === "CrashLoopBackOff" || phase === "Terminating") return false;
  return nodeConditionsChanged(machine.status?.conditions, newNode.status?.conditions);
}

/** The machine name index value: Machines are found by their `node` label. */
export function machineNodeName(machine: Machine): string | undefined {
  return machine.metadata.labels?.[LABEL_NODE] || undefined;
}
