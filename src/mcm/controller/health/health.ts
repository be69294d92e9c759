/**
 * Machine health (MCM reconcileMachineHealth): node conditions are copied into the Machine, a healthy node moves the
 * machine to Running (unless a Pending machine's node still carries the critical-components taint), an unhealthy or
 * missing node moves a Running machine to Unknown, and Pending/Unknown machines fail after their timeouts.
 * Pure: the caller applies the returned status and effects.
 */
import {
  type CurrentStatus,
  type Machine,
  type MachineStatus,
  type NodeCondition,
  phaseOf,
  TAINT_CRITICAL_COMPONENTS_NOT_READY,
} from "../../../apis/machine/v1alpha1.ts";
import type { Node } from "../../../k8s/api/builtin_types.ts";
import type { EffectiveSettings } from "../machine/timeouts.ts";
import { currentStatus, lastOperation, nodeConditionsChanged, parseTime } from "../machine/status.ts";
import { formatDuration } from "../../../runtime/duration.ts";
import { LONG_RETRY_MS, SHORT_RETRY_MS, TIMEOUT_RECHECK_MS } from "../retry.ts";

/**
 * MCM isHealthy: at least one condition, Ready is True, and every configured condition type present on the machine
 * is exactly False (Unknown counts as unhealthy; unlisted types such as MemoryPressure are ignored).
 */
export function isHealthy(conditions: NodeCondition[] | undefined, nodeConditions: string[]): boolean {
  if (!conditions || conditions.length === 0) return false;
  const watched = new Set(nodeConditions);
  for (const c of conditions) {
    if (c.type === "Ready" && c.status !== "True") return false;
    if (watched.has(c.type) && c.status !== "False") return false;
  }
  return true;
}

/** True when the node has the critical-components-not-ready taint with effect NoSchedule. */
export function hasCriticalComponentsNotReadyTaint(node: Node | undefined): boolean {
  return (node?.spec?.taints ?? []).some((t) =>
    t.key === TAINT_CRITICAL_COMPONENTS_NOT_READY && t.effect === "NoSchedule"
  );
}

/** Go-like rendering of a condition list for descriptions ("[{Type:Ready Status:False Reason:... Message:...}]"). */
export function formatConditions(conditions: NodeCondition[] | undefined): string {
  return `[${
    (conditions ?? []).map((c) =>
      `{Type:${c.type} Status:${c.status} Reason:${c.reason ?? ""} Message:${c.message ?? ""}}`
    ).join(" ")
  }]`;
}

/** A health transition keeps the machine's preservation (MCM carries preserveExpiryTime over). */
function keepPreservation(machine: Machine, cs: CurrentStatus): CurrentStatus {
  const expiry = machine.status?.currentStatus?.preserveExpiryTime;
  return expiry ? { ...cs, preserveExpiryTime: expiry } : cs;
}

/** What the health check wants done. */
export interface HealthDecision {
  /** New status to write, when something changed. */
  status?: MachineStatus;
  /** The machine just joined: delete its bootstrap token, record the join duration. */
  joined?: { durationMs: number };
  /** The machine is a candidate for Unknown → Failed, subject to meltdown protection. */
  failCandidate?: { status: MachineStatus };
  /** A Pending machine timed out (failed-to-join metric). */
  creationTimedOut?: boolean;
  /** Requeue period. */
  requeueMs: number;
}

/**
 * Computes the health transition of a machine whose node label is set. `node` is undefined when the Node does not
 * exist.
 */
export function computeHealth(
  machine: Machine,
  node: Node | undefined,
  settings: EffectiveSettings,
  now: number,
): HealthDecision {
  const name = machine.metadata.name!;
  const phase = phaseOf(machine);
  const status: MachineStatus = structuredClone(machine.status ?? {});
  let dirty = false;
  let joined: HealthDecision["joined"];

  if (!node) {
    if ((machine.status?.conditions?.length ?? 0) > 0 && phase === "Running") {
      status.currentStatus = keepPreservation(machine, currentStatus("Unknown", now));
      status.lastOperation = lastOperation(
        `Node object went missing. Machine ${name} is unhealthy - changing MachinePhase to Unknown`,
        "Processing",
        "HealthCheck",
        now,
      );
      dirty = true;
    }
  } else {
    if (nodeConditionsChanged(machine.status?.conditions, node.status?.conditions)) {
      status.conditions = structuredClone(node.status?.conditions ?? []);
      dirty = true;
    }
    if (isHealthy(status.conditions, settings.nodeConditions)) {
      const waitingForCriticalComponents = phase === "Pending" && hasCriticalComponentsNotReadyTaint(node);
      if (phase !== "Running" && !waitingForCriticalComponents) {
        const op = machine.status?.lastOperation;
        if (op?.type === "Create" && op.state !== "Successful") {
          const created = parseTime(machine.metadata.creationTimestamp) ?? now;
          const durationMs = Math.max(0, now - created);
          joined = { durationMs };
          status.lastOperation = lastOperation(
            `Machine ${name} successfully joined the cluster in ${
              formatDuration(Math.round(durationMs / 1000) * 1000)
            }`,
            "Successful",
            "Create",
            now,
          );
        } else {
          status.lastOperation = lastOperation(
            `Machine ${name} successfully re-joined the cluster`,
            "Successful",
            "HealthCheck",
            now,
          );
        }
        status.currentStatus = keepPreservation(machine, currentStatus("Running", now));
        dirty = true;
      }
    } else if (phase === "Running") {
      status.currentStatus = keepPreservation(machine, currentStatus("Unknown", now));
      status.lastOperation = lastOperation(
        `Machine ${name} is unhealthy - changing MachinePhase to Unknown. Node conditions: ${
          formatConditions(status.conditions)
        }`,
        "Processing",
        "HealthCheck",
        now,
      );
      dirty = true;
    }
  }

  if (dirty) return { status, joined, requeueMs: SHORT_RETRY_MS };

  if (phase === "Pending") {
    const created = parseTime(machine.metadata.creationTimestamp) ?? now;
    if (now - created > settings.creationTimeoutMs) {
      status.lastOperation = lastOperation(
        `Machine ${name} failed to join the cluster in ${formatDuration(settings.creationTimeoutMs)} minutes.`,
        "Failed",
        machine.status?.lastOperation?.type ?? "Create",
        now,
      );
      status.currentStatus = keepPreservation(machine, currentStatus("Failed", now));
      return { status, creationTimedOut: true, requeueMs: SHORT_RETRY_MS };
    }
    return { requeueMs: Math.min(TIMEOUT_RECHECK_MS, created + settings.creationTimeoutMs - now + 1000) };
  }
  if (phase === "Unknown") {
    if (settings.disableHealthTimeout) return { requeueMs: LONG_RETRY_MS };
    const since = parseTime(machine.status?.currentStatus?.lastUpdateTime) ?? now;
    if (now - since > settings.healthTimeoutMs) {
      status.lastOperation = lastOperation(
        `Machine ${name} health checks failing since last ${
          formatDuration(settings.healthTimeoutMs)
        } minutes. Updating machine phase to Failed. Node Conditions: ${formatConditions(machine.status?.conditions)}`,
        "Failed",
        machine.status?.lastOperation?.type ?? "HealthCheck",
        now,
      );
      status.currentStatus = keepPreservation(machine, currentStatus("Failed", now));
      return { failCandidate: { status }, requeueMs: SHORT_RETRY_MS };
    }
    return { requeueMs: Math.min(TIMEOUT_RECHECK_MS, since + settings.healthTimeoutMs - now + 1000) };
  }
  return { requeueMs: LONG_RETRY_MS };
}

/**
 * Meltdown protection (MCM canMarkMachineFailed): an Unknown machine of a MachineDeployment may become Failed only
 * while fewer than `maxReplacements` machines of that deployment are being replaced (any phase other than Running
 * and Unknown; Terminating counts twice; preserved Failed machines do not count).
 */
export function canMarkMachineFailed(machinesOfDeployment: Machine[], now: number, maxReplacements = 1): boolean {
  let inProgress = 0;
  for (const m of machinesOfDeployment) {
    const phase = phaseOf(m);
    if (phase === "Running" || phase === "Unknown") continue;
    if (phase === "Failed") {
      const expiry = parseTime(m.status?.currentStatus?.preserveExpiryTime);
      if (expiry !== undefined && expiry > now) continue;
    }
    inProgress += phase === "Terminating" ? 2 : 1;
  }
  return inProgress < maxReplacements;
}
