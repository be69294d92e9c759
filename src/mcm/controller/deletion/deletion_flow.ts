/**
 * The deletion state machine (MCM triggerDeletionFlow). The step is read from `lastOperation.description`: each
 * step writes a description ending with the keyword of the next step. Every outcome keeps `currentStatus`
 * (including its lastUpdateTime) untouched after the switch to Terminating. Pure: callers perform the I/O.
 */
import {
  DeleteStep,
  type DeleteStepKeyword,
  LABEL_FORCE_DELETION,
  type Machine,
  type MachineState,
  type MachineStatus,
  MCM_FINALIZER,
  NODE_CONDITION_TERMINATING,
  NODE_TERMINATING_MESSAGE_SCALE_DOWN,
  NODE_TERMINATING_MESSAGE_UNHEALTHY,
  NODE_TERMINATING_REASON_SCALE_DOWN,
  NODE_TERMINATING_REASON_UNHEALTHY,
  type NodeCondition,
  phaseOf,
} from "../../../apis/machine/v1alpha1.ts";
import { decodeMachineError, LONG_RETRY_MS, MEDIUM_RETRY_MS, SHORT_RETRY_MS } from "../retry.ts";
import { currentStatus, lastOperation, parseTime, timestamp, withOperation } from "../machine/status.ts";

export type DeletionStep =
  | "noFinalizer"
  | "setTerminating"
  | "getVMStatus"
  | "drain"
  | "deleteVolumeAttachments"
  | "deleteVM"
  | "deleteNode"
  | "removeFinalizer";

const KEYWORD_STEPS: Array<[DeleteStepKeyword, DeletionStep]> = [
  [DeleteStep.GetVMStatus, "getVMStatus"],
  [DeleteStep.InitiateDrain, "drain"],
  [DeleteStep.DelVolumesAttachments, "deleteVolumeAttachments"],
  [DeleteStep.InitiateVMDeletion, "deleteVM"],
  [DeleteStep.InitiateNodeDeletion, "deleteNode"],
  [DeleteStep.InitiateFinalizerRemoval, "removeFinalizer"],
];

/**
 * Picks the step. A description that ends with a keyword selects that step (robust against error texts that quote
 * another keyword); otherwise the first keyword it contains, in MCM's order; none means start over.
 */
export function deletionStep(machine: Machine): DeletionStep {
  if (!machine.metadata.finalizers?.includes(MCM_FINALIZER)) return "noFinalizer";
  if (phaseOf(machine) !== "Terminating") return "setTerminating";
  const d = (machine.status?.lastOperation?.description ?? "").trimEnd();
  for (const [kw, step] of KEYWORD_STEPS) if (d.endsWith(kw)) return step;
  for (const [kw, step] of KEYWORD_STEPS) if (d.includes(kw)) return step;
  return "setTerminating";
}

/** A step result: the status to write and when to come back. */
export interface StepOutcome {
  status: MachineStatus;
  retryMs: number;
}

/** Status after a delete step: new lastOperation (type Delete), currentStatus unchanged. */
export function deleteStepStatus(
  machine: Machine,
  description: string,
  state: MachineState,
  now: number,
  lastKnownState?: string,
): MachineStatus {
  return withOperation(
    machine.status,
    lastOperation(description, state, "Delete", now),
    machine.status?.currentStatus,
    lastKnownState ?? machine.status?.lastKnownState,
  );
}

/**
 * Whether the machine's bootstrap token may still exist when its deletion starts, i.e. it never joined (the join
 * deletes it): the phase before termination is neither Running nor Unknown. Once the phase is Terminating already (the
 * MachineSet writes it when it deletes a machine) that phase is gone, and a machine whose node never reported Ready
 * counts as not joined.
 */
export function mayHoldBootstrapToken(machine: Machine): boolean {
  const phase = phaseOf(machine);
  if (phase !== "Terminating") return phase !== "Running" && phase !== "Unknown";
  return !machine.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
}

/** Step 1: phase Terminating, "getting VM Status"; preserveExpiryTime cleared. */
export function terminatingStatus(machine: Machine, now: number): MachineStatus {
  const status = withOperation(
    machine.status,
    lastOperation(DeleteStep.GetVMStatus, "Processing", "Delete", now),
    currentStatus("Terminating", now),
    machine.status?.lastKnownState,
  );
  return status;
}

/**
 * Status answers that mean "no VM to wait for" when the machine has no providerID (the status came from a lookup by
 * name): a class whose ownership part is broken never made a device, and a device that failed provisioning has no
 * node. A retry would give the same answer forever; DeleteMachine deletes whatever the name finds.
 */
const NO_VM_WITHOUT_PROVIDER_ID: ReadonlySet<string> = new Set(["InvalidArgument", "FailedPrecondition"]);

/** Outcome of GetMachineStatus in the delete flow (only called when no node name is known). */
export function vmStatusOutcome(
  machine: Machine,
  outcome: { nodeName: string } | { error: unknown },
  now: number,
): StepOutcome {
  if ("nodeName" in outcome) {
    return { status: deleteStepStatus(machine, DeleteStep.InitiateDrain, "Processing", now), retryMs: SHORT_RETRY_MS };
  }
  const { code, decodable, text } = decodeMachineError(outcome.error);
  if (decodable && NO_VM_WITHOUT_PROVIDER_ID.has(code) && (machine.spec?.providerID ?? "").trim() === "") {
    const description =
      `VM status could not be determined (${text}). Moving forward to node drain. ${DeleteStep.InitiateDrain}`;
    return { status: deleteStepStatus(machine, description, "Processing", now), retryMs: SHORT_RETRY_MS };
  }
  let description: string;
  let state: MachineState = "Failed";
  let retryMs: number;
  if (!decodable) {
    description =
      `Error occurred with decoding machine error status while getting VM status, aborting without retry. ${text} ${DeleteStep.GetVMStatus}`;
    retryMs = LONG_RETRY_MS;
  } else {
    switch (code) {
      case "Unimplemented":
        description = DeleteStep.InitiateDrain;
        state = "Processing";
        retryMs = SHORT_RETRY_MS;
        break;
      case "NotFound":
        description = `VM was not found at provider. Moving forward to node drain. ${DeleteStep.InitiateDrain}`;
        state = "Processing";
        retryMs = SHORT_RETRY_MS;
        break;
      case "Uninitialized":
        description = `VM instance was not initialized. Moving forward to node drain. ${DeleteStep.InitiateDrain}`;
        state = "Processing";
        retryMs = SHORT_RETRY_MS;
        break;
      case "Unknown":
      case "DeadlineExceeded":
      case "Aborted":
      case "Unavailable":
        description =
          `Error occurred with decoding machine error status while getting VM status, aborting with retry. ${text} ${DeleteStep.GetVMStatus}`;
        retryMs = SHORT_RETRY_MS;
        break;
      default:
        description =
          `Error occurred with decoding machine error status while getting VM status, aborting without retry. machine code: ${text} ${DeleteStep.GetVMStatus}`;
        retryMs = MEDIUM_RETRY_MS;
    }
  }
  return { status: deleteStepStatus(machine, description, state, now), retryMs };
}

/** How to drain: skip (no node), force (label, drain timeout, node NotReady/read-only > 5 min) or normal. */
export interface DrainPlan {
  mode: "skip" | "force" | "normal";
  /** Why (for logs and the description of force cases). */
  reason: string;
  /** Bound of the whole drain. */
  timeoutMs: number;
  maxEvictRetries: number;
}

/** Pod eviction retry interval after a 429 (MCM PodEvictionRetryInterval). */
export const POD_EVICTION_RETRY_INTERVAL_MS = 20_000;
/** How long a node may be NotReady / read-only before its drain turns into a force drain. */
export const NODE_NOT_READY_FORCE_MS = 5 * 60_000;

/** Computes the drain plan of a machine (MCM drainNode's decisions). */
export function planDrain(
  machine: Machine,
  nodeName: string | undefined,
  settings: { drainTimeoutMs: number; maxEvictRetries: number },
  now: number,
): DrainPlan {
  const maxEvictRetries = Math.min(
    settings.maxEvictRetries,
    Math.floor(settings.drainTimeoutMs / POD_EVICTION_RETRY_INTERVAL_MS),
  );
  if (!nodeName) {
    return {
      mode: "skip",
      reason: "Skipping drain as nodeName is not a valid one for machine.",
      timeoutMs: 0,
      maxEvictRetries: 0,
    };
  }
  const conditions = machine.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === "Ready");
  const readonly = conditions.find((c) => c.type === "ReadonlyFilesystem");
  const longer = (c: NodeCondition | undefined) => {
    const t = parseTime(c?.lastTransitionTime);
    return t !== undefined && now - t > NODE_NOT_READY_FORCE_MS;
  };
  const force = { timeoutMs: 60_000, maxEvictRetries: 1 };
  if (ready && ready.status !== "True" && longer(ready)) {
    return {
      mode: "force",
      reason: "Setting forceDeletePods & forceDeleteMachine to true for drain as machine is NotReady for over 5min",
      ...force,
    };
  }
  if (readonly && readonly.status !== "False" && longer(readonly)) {
    return {
      mode: "force",
      reason:
        "Setting forceDeletePods & forceDeleteMachine to true for drain as machine is in ReadonlyFilesystem for over 5min",
      ...force,
    };
  }
  if (isForceDeletionLabelled(machine)) {
    return { mode: "force", reason: `Force deletion requested by label ${LABEL_FORCE_DELETION}`, ...force };
  }
  const deletedAt = parseTime(machine.metadata.deletionTimestamp);
  if (deletedAt !== undefined && now - deletedAt > settings.drainTimeoutMs) {
    return { mode: "force", reason: "Drain timeout since the deletion request has passed", ...force };
  }
  return { mode: "normal", reason: "", timeoutMs: settings.drainTimeoutMs, maxEvictRetries };
}

/** The `force-deletion` label parsed as a Go boolean ("1", "t", "T", "TRUE", "true", "True"). */
export function isForceDeletionLabelled(machine: Machine): boolean {
  const v = machine.metadata.labels?.[LABEL_FORCE_DELETION];
  return v !== undefined && ["1", "t", "T", "TRUE", "true", "True"].includes(v);
}

/** Outcome of the drain step. */
export function drainOutcome(
  machine: Machine,
  plan: DrainPlan,
  result: { ok: true } | { error: string; terminatingConditionFailed?: boolean },
  now: number,
): StepOutcome {
  let description: string;
  let state: MachineState = "Processing";
  if (plan.mode === "skip") {
    description = `${plan.reason} ${DeleteStep.InitiateVMDeletion}`;
  } else if ("ok" in result) {
    description = plan.mode === "force"
      ? `Force Drain successful. ${DeleteStep.DelVolumesAttachments}`
      : `Drain successful. ${DeleteStep.InitiateVMDeletion}`;
  } else if (plan.mode === "force") {
    description =
      `Drain failed due to - ${result.error}. However, since it's a force deletion shall continue deletion of VM. ${DeleteStep.DelVolumesAttachments}`;
  } else if (result.terminatingConditionFailed) {
    description =
      `Drain failed due to failure in update of node conditions - ${result.error}. Will retry in next sync. ${DeleteStep.InitiateDrain}`;
    state = "Failed";
  } else {
    description = `Drain failed due to - ${result.error}. Will retry in next sync. ${DeleteStep.InitiateDrain}`;
    state = "Failed";
  }
  return { status: deleteStepStatus(machine, description, state, now), retryMs: SHORT_RETRY_MS };
}

/** The Terminating node condition to set, keeping an existing reason when the node is already terminating. */
export function terminatingCondition(
  phaseBeforeTermination: string,
  existing: NodeCondition | undefined,
  now: number,
): NodeCondition {
  const t = timestamp(now);
  if (existing && existing.status === "True" && existing.reason) {
    return { ...existing, lastHeartbeatTime: t };
  }
  const failed = phaseBeforeTermination === "Failed";
  return {
    type: NODE_CONDITION_TERMINATING,
    status: "True",
    reason: failed ? NODE_TERMINATING_REASON_UNHEALTHY : NODE_TERMINATING_REASON_SCALE_DOWN,
    message: failed ? NODE_TERMINATING_MESSAGE_UNHEALTHY : NODE_TERMINATING_MESSAGE_SCALE_DOWN,
    lastHeartbeatTime: t,
    lastTransitionTime: t,
  };
}

/** Outcome of the volume-attachment step; `remaining` undefined means the node is gone. */
export function volumeAttachmentOutcome(
  machine: Machine,
  nodeName: string,
  node: { volumesAttached: number } | undefined,
  liveAttachments: number,
  now: number,
): StepOutcome | { waitMs: number } {
  if (!node) {
    return {
      status: deleteStepStatus(
        machine,
        `Skipping deleteNodeVolAttachments due to - node "${nodeName}" not found. Moving to VM Deletion. ${DeleteStep.InitiateVMDeletion}`,
        "Processing",
        now,
      ),
      retryMs: 0,
    };
  }
  if (node.volumesAttached === 0) {
    return {
      status: deleteStepStatus(
        machine,
        `Node Volumes for node: ${nodeName} are already detached. Moving to VM Deletion. ${DeleteStep.InitiateVMDeletion}`,
        "Processing",
        now,
      ),
      retryMs: 0,
    };
  }
  if (liveAttachments === 0) {
    return {
      status: deleteStepStatus(
        machine,
        `No Live VolumeAttachments for node: ${nodeName}. Moving to VM Deletion. ${DeleteStep.InitiateVMDeletion}`,
        "Processing",
        now,
      ),
      retryMs: 0,
    };
  }
  return { waitMs: SHORT_RETRY_MS };
}

/** Outcome of DeleteMachine. */
export function deleteVMOutcome(
  machine: Machine,
  outcome: { lastKnownState?: string } | { error: unknown },
  now: number,
): StepOutcome {
  if (!("error" in outcome)) {
    return {
      status: deleteStepStatus(
        machine,
        `VM deletion was successful. ${DeleteStep.InitiateNodeDeletion}`,
        "Processing",
        now,
        outcome.lastKnownState || machine.status?.lastKnownState,
      ),
      retryMs: SHORT_RETRY_MS,
    };
  }
  const { code, decodable, text } = decodeMachineError(outcome.error);
  if (!decodable) {
    return {
      status: deleteStepStatus(
        machine,
        `Error occurred while decoding machine error: ${text}. ${DeleteStep.InitiateVMDeletion}`,
        "Failed",
        now,
      ),
      retryMs: LONG_RETRY_MS,
    };
  }
  switch (code) {
    case "NotFound":
      return {
        status: deleteStepStatus(
          machine,
          `VM not found. Continuing deletion flow. ${DeleteStep.InitiateNodeDeletion}`,
          "Processing",
          now,
        ),
        retryMs: SHORT_RETRY_MS,
      };
    case "Unknown":
    case "DeadlineExceeded":
    case "Aborted":
    case "Unavailable":
      return {
        status: deleteStepStatus(
          machine,
          `VM deletion failed due to - ${text}. However, will re-try in the next resync. ${DeleteStep.InitiateVMDeletion}`,
          "Failed",
          now,
        ),
        retryMs: SHORT_RETRY_MS,
      };
    default:
      return {
        status: deleteStepStatus(
          machine,
          `VM deletion failed due to - ${text}. Aborting operation. ${DeleteStep.InitiateVMDeletion}`,
          "Failed",
          now,
        ),
        retryMs: LONG_RETRY_MS,
      };
  }
}

/** Outcome of the node-object step. */
export function deleteNodeOutcome(
  machine: Machine,
  nodeName: string | undefined,
  result: "deleted" | "notFound" | { error: string },
  now: number,
): StepOutcome {
  let description: string;
  let state: MachineState = "Processing";
  if (!nodeName) {
    description =
      `Label "node" not present on machine "${machine.metadata.name}" or no associated node object found, continuing deletion flow. ${DeleteStep.InitiateFinalizerRemoval}`;
  } else if (result === "deleted") {
    description = `Deletion of Node Object "${nodeName}" is successful. ${DeleteStep.InitiateFinalizerRemoval}`;
  } else if (result === "notFound") {
    description =
      `No node object found for "${nodeName}", continuing deletion flow. ${DeleteStep.InitiateFinalizerRemoval}`;
  } else {
    description =
      `Deletion of Node Object "${nodeName}" failed due to error: ${result.error}. ${DeleteStep.InitiateNodeDeletion}`;
    state = "Failed";
  }
  return { status: deleteStepStatus(machine, description, state, now), retryMs: SHORT_RETRY_MS };
}
