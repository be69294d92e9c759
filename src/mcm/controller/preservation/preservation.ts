/**
 * Machine preservation (MCM HEAD `manageMachinePreservation`). The annotation `node.machine.sapcloud.io/preserve` on
 * a Machine or on its Node asks to keep the machine: `now` (at once), `when-failed` (once it is Failed),
 * `auto-preserved` (set on Failed machines by the MachineSet, up to its `autoPreserveFailedMachineMax`), `false`
 * (stop). Other values are ignored (on the Node: the whole step is skipped). Once a Node value was applied, the Node
 * wins: it is remembered in the Machine annotation `last-applied-node-preserve-value` and the Machine's own value is
 * dropped.
 *
 * Preserving sets `status.currentStatus.preserveExpiryTime` = now + preserve timeout (the MachineSet keeps a Failed
 * machine while it lies in the future), disables cluster-autoscaler scale-down on the Node, and reports the Node
 * condition `Preserved`; a Failed machine's Node is also tainted `node.machine.sapcloud.io/preserved:NoSchedule` and
 * drained (its pods move, the device stays for diagnosis). A Running machine's Node is not drained, and loses the
 * taint. Stopping (value `false` or removed, a `when-failed` machine that recovered, expiry) sets the condition
 * False, removes the taint and our autoscaler annotations, and clears the expiry time last. On expiry, and for an
 * auto-preserved machine that recovered, the preserve annotations are removed too, so the machine is not preserved
 * again. Unlike MCM, an expired preservation of a machine that is still Failed keeps its (past) expiry time: the
 * MachineSet then deletes the machine (and its device) instead of auto-preserving it once more. Pure.
 */
import {
  ANNOTATION_LAST_APPLIED_NODE_PRESERVE_VALUE,
  ANNOTATION_PRESERVE,
  LABEL_FORCE_DRAIN,
  LABEL_NODE,
  type Machine,
  type NodeCondition,
  phaseOf,
  type Taint,
  TAINT_PRESERVED,
} from "../../../apis/machine/v1alpha1.ts";
import type { Node } from "../../../k8s/api/builtin_types.ts";
import { parseTime, timestamp } from "../machine/status.ts";
import { NODE_NOT_READY_FORCE_MS, POD_EVICTION_RETRY_INTERVAL_MS } from "../deletion/deletion_flow.ts";

export const PRESERVE_NOW = "now";
export const PRESERVE_WHEN_FAILED = "when-failed";
export const PRESERVE_AUTO = "auto-preserved";
export const PRESERVE_FALSE = "false";
/** The values MCM accepts for the preserve annotation. */
export const PRESERVE_VALUES: ReadonlySet<string> = new Set([
  PRESERVE_NOW,
  PRESERVE_WHEN_FAILED,
  PRESERVE_AUTO,
  PRESERVE_FALSE,
]);

/** Node condition type and its reasons and messages (exact MCM strings). */
export const NODE_CONDITION_PRESERVED = "Preserved";
export const REASON_PRESERVED_BY_MCM = "Preserved by MCM.";
export const REASON_PRESERVED_BY_USER = "Preserved by user.";
export const REASON_PRESERVATION_STOPPED = "Preservation stopped.";
export const MESSAGE_DRAIN_SUCCESSFUL = "Preserved node drained successfully.";
export const MESSAGE_DRAIN_UNSUCCESSFUL = "Preserved node could not be drained.";
const MESSAGE_EXPIRY_PREFIX = "Machine preserved until";

/** Cluster-autoscaler annotations: scale-down disabled, and the marker that we set it (only then we remove it). */
export const ANNOTATION_CA_SCALE_DOWN_DISABLED = "cluster-autoscaler.kubernetes.io/scale-down-disabled";
export const ANNOTATION_CA_SCALE_DOWN_DISABLED_BY_MCM = "cluster-autoscaler.kubernetes.io/scale-down-disabled-by-mcm";

/** What a reconcile works with. `node` is undefined when the machine has no node label or its Node does not exist. */
export interface PreservationInput {
  machine: Machine;
  node: Node | undefined;
  now: number;
  /** Effective preserve timeout (spec.machinePreserveTimeout, else the flag). */
  timeoutMs: number;
}

/** Changes to the Node's metadata and taints (annotations: null deletes). */
export interface NodeMetadataChange {
  annotations?: Record<string, string | null>;
  /** The whole new taint list. */
  taints?: Taint[];
}

/** The desired changes of one reconcile; empty fields mean "leave as is". */
export interface PreservationPlan {
  /** The effective preserve value ("" when none); undefined when the machine is not concerned. */
  value?: string;
  action: "none" | "preserve" | "stop";
  /** Why nothing is done although annotations exist (invalid values). */
  warning?: string;
  /** New `currentStatus.preserveExpiryTime`: a timestamp to set, null to clear. Applied first when preserving, last when stopping. */
  expiry?: string | null;
  /** Machine annotations to change (null deletes). */
  machineAnnotations?: Record<string, string | null>;
  /** Node metadata/taint changes (applied before the drain). */
  node?: NodeMetadataChange;
  /** Drain the Node (a preserved Failed machine), force mode or not. */
  drain?: { force: boolean; reason: string };
  /** The Preserved condition to write now (when preserving with a drain, see `preservedCondition` after it). */
  condition?: NodeCondition;
  /** Re-check at the expiry time (ms from now). */
  requeueMs?: number;
}

/** True for values the annotation may take. */
export function isPreserveValue(v: string): boolean {
  return PRESERVE_VALUES.has(v);
}

/** Expiry time of a machine's preservation (ms), undefined when not preserved. */
export function preserveExpiry(machine: Machine): number | undefined {
  return parseTime(machine.status?.currentStatus?.preserveExpiryTime);
}

/** MCM's effective value: the Machine's unless a Node value is present or was applied before. */
export function effectivePreserveValue(
  machineValue: string,
  nodeValue: string,
  lastApplied: string,
  nodeMissing: boolean,
): string {
  if (nodeMissing) return machineValue;
  if (nodeValue === "" && lastApplied === "") return machineValue;
  return nodeValue;
}

/** The Preserved condition of a Node, if any. */
export function preservedConditionOf(node: Node | undefined): NodeCondition | undefined {
  return node?.status?.conditions?.find((c) => c.type === NODE_CONDITION_PRESERVED);
}

/** True when a Failed machine's Node still has to be drained (no successful preserved drain reported yet). */
export function preservedDrainRequired(phase: string, existing: NodeCondition | undefined): boolean {
  if (phase !== "Failed") return false;
  return !existing?.message?.includes(MESSAGE_DRAIN_SUCCESSFUL);
}

/**
 * The Preserved condition after a preservation step (MCM computeNewNodePreservedCondition): for a Failed machine True
 * once drained, False while the drain fails; otherwise True. Undefined when the existing one says the same.
 */
export function preservedCondition(
  phase: string,
  expiry: string | undefined,
  value: string,
  drainError: string | undefined,
  existing: NodeCondition | undefined,
  now: number,
): NodeCondition | undefined {
  const next: NodeCondition = existing
    ? { ...existing }
    : { type: NODE_CONDITION_PRESERVED, status: "False", lastTransitionTime: timestamp(now) };
  let changed = !existing;
  const until = `${MESSAGE_EXPIRY_PREFIX} ${expiry ?? ""}.`;
  if (phase === "Failed") {
    if (drainError === undefined) {
      if (!next.message?.includes(MESSAGE_DRAIN_SUCCESSFUL)) {
        next.message = `${MESSAGE_DRAIN_SUCCESSFUL} ${until}`;
        next.status = "True";
        changed = true;
      }
    } else if (!next.message?.includes(MESSAGE_DRAIN_UNSUCCESSFUL)) {
      next.message = `${MESSAGE_DRAIN_UNSUCCESSFUL} ${until}`;
      next.status = "False";
      changed = true;
    }
  } else if (next.status !== "True") {
    next.status = "True";
    next.message = until;
    changed = true;
  }
  const reason = value === PRESERVE_AUTO ? REASON_PRESERVED_BY_MCM : REASON_PRESERVED_BY_USER;
  if (next.reason !== reason) {
    next.reason = reason;
    changed = true;
  }
  if (existing && next.status !== existing.status) next.lastTransitionTime = timestamp(now);
  return changed ? next : undefined;
}

/**
 * How the Node of a preserved Failed machine is drained: forced (grace 0, 1 min) when the machine carries
 * `force-drain: "True"`, when the drain timeout has passed since the machine's last status change, or when the node
 * has been NotReady or read-only for over 5 minutes; otherwise a normal drain bounded by the drain timeout.
 */
export function preservedDrainPlan(
  machine: Machine,
  settings: { drainTimeoutMs: number; maxEvictRetries: number },
  now: number,
): { force: boolean; reason: string; timeoutMs: number; maxEvictRetries: number } {
  const force = { force: true, timeoutMs: 60_000, maxEvictRetries: 1 };
  const conditions = machine.status?.conditions ?? [];
  const longer = (c: NodeCondition | undefined) => {
    const t = parseTime(c?.lastTransitionTime);
    return t !== undefined && now - t > NODE_NOT_READY_FORCE_MS;
  };
  const ready = conditions.find((c) => c.type === "Ready");
  if (ready && ready.status !== "True" && longer(ready)) {
    return { ...force, reason: "node is NotReady for over 5min" };
  }
  const readonly = conditions.find((c) => c.type === "ReadonlyFilesystem");
  if (readonly && readonly.status !== "False" && longer(readonly)) {
    return { ...force, reason: "node is in ReadonlyFilesystem for over 5min" };
  }
  if (machine.metadata.labels?.[LABEL_FORCE_DRAIN] === "True") {
    return { ...force, reason: `force drain requested by label ${LABEL_FORCE_DRAIN}` };
  }
  const since = parseTime(machine.status?.currentStatus?.lastUpdateTime);
  if (since !== undefined && now - since > settings.drainTimeoutMs) {
    return { ...force, reason: "drain timeout has passed" };
  }
  return {
    force: false,
    reason: "",
    timeoutMs: settings.drainTimeoutMs,
    maxEvictRetries: Math.min(
      settings.maxEvictRetries,
      Math.floor(settings.drainTimeoutMs / POD_EVICTION_RETRY_INTERVAL_MS),
    ),
  };
}

function hasPreservedTaint(node: Node): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === TAINT_PRESERVED && t.effect === "NoSchedule");
}

function withoutPreservedTaint(node: Node): Taint[] | undefined {
  if (!hasPreservedTaint(node)) return undefined;
  return (node.spec?.taints ?? []).filter((t) => !(t.key === TAINT_PRESERVED && t.effect === "NoSchedule"));
}

function mergeNodeChange(a: NodeMetadataChange | undefined, b: NodeMetadataChange): NodeMetadataChange {
  return {
    annotations: a?.annotations || b.annotations ? { ...a?.annotations, ...b.annotations } : undefined,
    taints: b.taints ?? a?.taints,
  };
}

function isEmpty(c: NodeMetadataChange | undefined): boolean {
  return !c || (!c.taints && Object.keys(c.annotations ?? {}).length === 0);
}

/** Computes the preservation step of a machine (see the module comment). */
export function planPreservation({ machine, node, now, timeoutMs }: PreservationInput): PreservationPlan {
  const annotations = machine.metadata.annotations ?? {};
  const nodeName = machine.metadata.labels?.[LABEL_NODE] ?? "";
  const nodeMissing = nodeName !== "" && !node;
  let machineValue: string | undefined = annotations[ANNOTATION_PRESERVE];
  const lastApplied = annotations[ANNOTATION_LAST_APPLIED_NODE_PRESERVE_VALUE] ?? "";
  const expiry = preserveExpiry(machine);
  const expirySet = machine.status?.currentStatus?.preserveExpiryTime !== undefined;
  const nodeValue = node?.metadata.annotations?.[ANNOTATION_PRESERVE];
  let warning: string | undefined;
  if (machineValue !== undefined && !isPreserveValue(machineValue)) {
    warning = `preserve annotation ${JSON.stringify(machineValue)} on the machine is invalid; ignored`;
    machineValue = undefined;
  }
  if (nodeValue !== undefined && !isPreserveValue(nodeValue)) {
    return {
      action: "none",
      warning: `preserve annotation ${JSON.stringify(nodeValue)} on node ${nodeName} is invalid; preservation skipped`,
    };
  }
  if (!expirySet && nodeValue === undefined && machineValue === undefined && lastApplied === "") {
    return { action: "none", warning };
  }
  const value = effectivePreserveValue(machineValue ?? "", nodeValue ?? "", lastApplied, nodeMissing);
  const phase = phaseOf(machine);
  const failed = phase === "Failed";
  const expired = expiry !== undefined && expiry <= now;

  let plan: PreservationPlan;
  let removeAnnotations = false;
  if (value === "" || value === PRESERVE_FALSE) {
    plan = stop(machine, node, false, now);
  } else if (value === PRESERVE_WHEN_FAILED) {
    removeAnnotations = expired;
    plan = expired || !failed ? stop(machine, node, expired, now) : preserve(machine, node, value, now, timeoutMs);
  } else if (value === PRESERVE_NOW) {
    removeAnnotations = expired;
    plan = expired ? stop(machine, node, true, now) : preserve(machine, node, value, now, timeoutMs);
  } else {
    removeAnnotations = !failed || expired;
    plan = removeAnnotations ? stop(machine, node, true, now) : preserve(machine, node, value, now, timeoutMs);
  }
  plan.value = value;
  if (warning) plan.warning = warning;

  // Still preserved and Running (e.g. `now`, or recovered): the node must take pods again.
  if (plan.action === "preserve" && node && phase === "Running") {
    const taints = withoutPreservedTaint(node);
    if (taints) plan.node = mergeNodeChange(plan.node, { taints });
  }
  // The Node's value is in control: drop the Machine's own value and remember what was applied.
  const nodeInControl = !nodeMissing && (nodeValue !== undefined || lastApplied !== "");
  const changed = (nodeValue ?? "") !== lastApplied || machineValue !== undefined;
  if (!removeAnnotations && nodeInControl && changed) {
    plan.machineAnnotations = {
      ...plan.machineAnnotations,
      [ANNOTATION_PRESERVE]: null,
      [ANNOTATION_LAST_APPLIED_NODE_PRESERVE_VALUE]: nodeValue ?? "",
    };
  }
  if (isEmpty(plan.node)) delete plan.node;
  const activeExpiry = plan.expiry === undefined ? expiry : parseTime(plan.expiry ?? undefined);
  if (plan.action === "preserve" && activeExpiry !== undefined && activeExpiry > now) {
    plan.requeueMs = activeExpiry - now + 1000;
  }
  return plan;
}

function preserve(
  machine: Machine,
  node: Node | undefined,
  value: string,
  now: number,
  timeoutMs: number,
): PreservationPlan {
  const plan: PreservationPlan = { action: "preserve" };
  let expiry = machine.status?.currentStatus?.preserveExpiryTime;
  if (expiry === undefined) {
    expiry = timestamp(now + timeoutMs);
    plan.expiry = expiry;
  }
  if (!node) return plan;
  const phase = phaseOf(machine);
  const existing = preservedConditionOf(node);
  const drainRequired = preservedDrainRequired(phase, existing);
  if (existing?.status === "True" && !drainRequired) return plan;
  const nodeAnnotations = node.metadata.annotations ?? {};
  if (nodeAnnotations[ANNOTATION_CA_SCALE_DOWN_DISABLED] !== "true") {
    plan.node = {
      annotations: { [ANNOTATION_CA_SCALE_DOWN_DISABLED]: "true", [ANNOTATION_CA_SCALE_DOWN_DISABLED_BY_MCM]: "true" },
    };
  }
  if (drainRequired) {
    // A taint rather than a cordon: a user's own cordon stays untouched when preservation stops.
    if (!hasPreservedTaint(node)) {
      plan.node = mergeNodeChange(plan.node, {
        taints: [...(node.spec?.taints ?? []), {
          key: TAINT_PRESERVED,
          effect: "NoSchedule",
          timeAdded: timestamp(now),
        }],
      });
    }
    plan.drain = { force: false, reason: "" };
    return plan;
  }
  plan.condition = preservedCondition(phase, expiry, value, undefined, existing, now);
  return plan;
}

function stop(machine: Machine, node: Node | undefined, removeAnnotations: boolean, now: number): PreservationPlan {
  const plan: PreservationPlan = { action: "stop" };
  if (machine.status?.currentStatus?.preserveExpiryTime === undefined) return plan;
  const annotations = machine.metadata.annotations ?? {};
  if (
    removeAnnotations &&
    (annotations[ANNOTATION_PRESERVE] !== undefined ||
      annotations[ANNOTATION_LAST_APPLIED_NODE_PRESERVE_VALUE] !== undefined)
  ) {
    plan.machineAnnotations = { [ANNOTATION_PRESERVE]: null, [ANNOTATION_LAST_APPLIED_NODE_PRESERVE_VALUE]: null };
  }
  if (node) {
    const existing = preservedConditionOf(node);
    if (existing?.status !== "False" || existing.reason !== REASON_PRESERVATION_STOPPED) {
      plan.condition = {
        type: NODE_CONDITION_PRESERVED,
        status: "False",
        reason: REASON_PRESERVATION_STOPPED,
        lastTransitionTime: timestamp(now),
      };
    }
    const nodeAnnotations = node.metadata.annotations ?? {};
    const change: NodeMetadataChange = { annotations: {} };
    if (nodeAnnotations[ANNOTATION_CA_SCALE_DOWN_DISABLED_BY_MCM] === "true") {
      change.annotations![ANNOTATION_CA_SCALE_DOWN_DISABLED] = null;
      change.annotations![ANNOTATION_CA_SCALE_DOWN_DISABLED_BY_MCM] = null;
    }
    if (removeAnnotations && nodeAnnotations[ANNOTATION_PRESERVE]) change.annotations![ANNOTATION_PRESERVE] = null;
    change.taints = withoutPreservedTaint(node);
    plan.node = change;
  }
  // A still Failed machine whose preservation expired keeps the past expiry: the MachineSet deletes it.
  const expired = (preserveExpiry(machine) ?? Infinity) <= now;
  if (!(expired && phaseOf(machine) === "Failed")) plan.expiry = null;
  return plan;
}

/** True when a Machine update concerns its preservation: the preserve annotation, or the phase of an annotated one. */
export function machinePreservationChanged(old: Machine, cur: Machine): boolean {
  const value = cur.metadata.annotations?.[ANNOTATION_PRESERVE];
  if (old.metadata.annotations?.[ANNOTATION_PRESERVE] !== value) return true;
  return value !== undefined && phaseOf(old) !== phaseOf(cur);
}

/** True when a Node update changed its preserve annotation. */
export function nodePreservationChanged(old: Node, cur: Node): boolean {
  return old.metadata.annotations?.[ANNOTATION_PRESERVE] !== cur.metadata.annotations?.[ANNOTATION_PRESERVE];
}
