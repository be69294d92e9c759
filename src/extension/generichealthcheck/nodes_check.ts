/**
 * The library's worker nodes check, as one function of what the caches hold: the shoot namespace's
 * MachineDeployments and Machines (seed) and the shoot's Nodes. Ready, uncordoned nodes managed by MCM are counted
 * against the desired replicas of the deployments not being deleted; failed machines and unhealthy deployments make
 * it unhealthy; nodes still joining (scale-up) or still draining (scale-down) make it progressing, each with its own
 * threshold. Pure.
 */
import { ConditionStatus } from "../../apis/core/v1beta1.ts";
import { LABEL_NODE, type Machine, type MachineDeployment, phaseOf } from "../../apis/machine/v1alpha1.ts";
import type { Node } from "../../k8s/api/builtin_types.ts";
import { failedMachineCodes, machineDeploymentProblem } from "../genericworker/mod.ts";
import type { CheckResult } from "./conditions.ts";

/** Annotation (value `1`) on nodes MCM does not manage; they are not counted. */
export const ANNOTATION_NOT_MANAGED_BY_MCM = "node.machine.sapcloud.io/not-managed-by-mcm";

/** The library's thresholds: 5 minutes for nodes joining, 15 for nodes draining. */
export const DEFAULT_NODE_THRESHOLDS = { scaleUpMs: 5 * 60_000, scaleDownMs: 15 * 60_000 } as const;

/** Progressing thresholds of the nodes check. */
export interface NodeThresholds {
  scaleUpMs: number;
  scaleDownMs: number;
}

/** What the nodes check reads. */
export interface NodesCheckInput {
  machineDeployments: readonly MachineDeployment[];
  nodes: readonly Node[];
  machines: readonly Machine[];
}

function managedByMcm(node: Node): boolean {
  return node.metadata.annotations?.[ANNOTATION_NOT_MANAGED_BY_MCM] !== "1";
}

function isReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** "1 machine is" / "3 machines are". */
function machinesAre(n: number): string {
  return n === 1 ? `${n} machine is` : `${n} machines are`;
}

/** Sum of `spec.replicas` of the deployments not being deleted. */
export function desiredMachineCount(deployments: readonly MachineDeployment[]): number {
  return deployments.filter((d) => !d.metadata.deletionTimestamp).reduce((n, d) => n + (d.spec.replicas ?? 0), 0);
}

/** Nodes joining: progressing while machines are pending, unhealthy when they are missing or in a bad phase. */
function scalingUp(machines: readonly Machine[], ready: number, desired: number): CheckResult | undefined {
  if (ready >= desired) return undefined;
  if (machines.length < desired) {
    return {
      status: ConditionStatus.False,
      detail: `not enough machine objects created yet (${machines.length}/${desired})`,
    };
  }
  let pending = 0, erroneous = 0;
  for (const m of machines) {
    const phase = phaseOf(m);
    if (phase === "Running" || phase === "Available" || phase === "Terminating") continue;
    if (phase === "Pending" || phase === "") pending++;
    else erroneous++;
  }
  if (erroneous > 0) return { status: ConditionStatus.False, detail: `${machinesAre(erroneous)} erroneous` };
  if (pending === 0) {
    return {
      status: ConditionStatus.False,
      detail: `not enough ready worker nodes registered in the cluster (${ready}/${desired})`,
    };
  }
  return {
    status: ConditionStatus.Progressing,
    detail: `${machinesAre(pending)} provisioning and should join the cluster soon`,
  };
}

/** Nodes leaving: progressing while every surplus node is cordoned for a machine being deleted. */
function scalingDown(input: NodesCheckInput, registered: number, desired: number): CheckResult | undefined {
  if (registered <= desired) return undefined;
  const machineOfNode = new Map<string, Machine>();
  for (const m of input.machines) {
    const node = m.metadata.labels?.[LABEL_NODE];
    if (node) machineOfNode.set(node, m);
  }
  let cordoned = 0;
  for (const node of input.nodes) {
    if (!managedByMcm(node) || !node.spec?.unschedulable) continue;
    const machine = machineOfNode.get(node.metadata.name ?? "");
    if (!machine) {
      return {
        status: ConditionStatus.False,
        detail: `machine object for cordoned node "${node.metadata.name}" not found`,
      };
    }
    if (!machine.metadata.deletionTimestamp) {
      return {
        status: ConditionStatus.False,
        detail: `cordoned node "${node.metadata.name}" found but corresponding machine object does not have a ` +
          "deletion timestamp",
      };
    }
    cordoned++;
  }
  if (registered - cordoned !== desired) {
    return {
      status: ConditionStatus.False,
      detail: "too many worker nodes are registered. Exceeding maximum desired machine count " +
        `(${registered}/${desired})`,
    };
  }
  return {
    status: ConditionStatus.Progressing,
    detail: `${machinesAre(cordoned)} waiting to be completely drained from pods. If this persists, check your pod ` +
      "disruption budgets and pending finalizers. Please note, that nodes that fail to be drained will be deleted " +
      "automatically",
  };
}

/** The nodes check (`EveryNodeReady`) over one shoot. */
export function checkNodes(
  input: NodesCheckInput,
  namespace: string,
  thresholds: NodeThresholds = DEFAULT_NODE_THRESHOLDS,
): CheckResult {
  const desired = desiredMachineCount(input.machineDeployments);
  const managed = input.nodes.filter(managedByMcm);
  const registered = managed.length;
  const ready = managed.filter((n) => !n.spec?.unschedulable && isReady(n)).length;

  for (const md of input.machineDeployments) {
    const failed = md.status?.failedMachines?.[0];
    if (failed) {
      const codes = failedMachineCodes(failed);
      return {
        status: ConditionStatus.False,
        detail: `machine "${failed.name ?? ""}" failed: ${failed.lastOperation?.description ?? ""}`,
        ...(codes.length ? { codes } : {}),
      };
    }
  }
  const up = scalingUp(input.machines, ready, desired);
  if (up) {
    return up.status === ConditionStatus.Progressing ? { ...up, progressingThresholdMs: thresholds.scaleUpMs } : up;
  }
  const down = scalingDown(input, registered, desired);
  if (down) {
    return down.status === ConditionStatus.Progressing
      ? { ...down, progressingThresholdMs: thresholds.scaleDownMs }
      : down;
  }
  for (const md of input.machineDeployments) {
    const problem = machineDeploymentProblem(md);
    if (problem) {
      return {
        status: ConditionStatus.False,
        detail: `machine deployment "${md.metadata.name}" in namespace "${namespace}" is unhealthy: ${problem}`,
      };
    }
  }
  return { status: ConditionStatus.True };
}
