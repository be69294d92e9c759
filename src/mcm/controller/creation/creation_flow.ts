/**
 * Decisions of the creation flow (MCM triggerCreationFlow): when to create, how a GetMachineStatus answer branches,
 * the status after a create error (CrashLoopBackOff until the creation timeout, then Failed), the stale-node check,
 * the metadata to persist (label `node`, priority annotation, providerID) and the Pending status. Pure.
 */
import {
  ANNOTATION_MACHINE_PRIORITY,
  DEFAULT_MACHINE_PRIORITY,
  Description,
  LABEL_NODE,
  type Machine,
  type MachinePhase,
  type MachineStatus,
  phaseOf,
} from "../../../apis/machine/v1alpha1.ts";
import type { GetMachineStatusResponse } from "../../driver/driver.ts";
import { createErrorRetryMs, decodeMachineError, MEDIUM_RETRY_MS } from "../retry.ts";
import { currentStatus, lastOperation, parseTime, withOperation } from "../machine/status.ts";

/**
 * MCM: creation runs while the providerID is unset or the phase is "" or CrashLoopBackOff. Unlike MCM, a Failed
 * machine is left alone: it waits for its MachineSet to replace it, and re-running the creation flow would create
 * (and, with a stale node, delete again) a VM every few seconds.
 */
export function needsCreationFlow(machine: Machine): boolean {
  const phase = phaseOf(machine);
  if (phase === "Failed") return false;
  return !machine.spec?.providerID || phase === "" || phase === "CrashLoopBackOff";
}

/** What to do after asking the driver whether the VM exists. */
export type StatusBranch =
  /** No VM yet: call CreateMachine. */
  | { kind: "create" }
  /** The VM exists: take its providerID and node name. */
  | { kind: "adopt"; providerID: string; nodeName: string; uninitialized: boolean }
  /** The driver does not know the VM but the Machine has a providerID: keep what the Machine has. */
  | { kind: "keep"; providerID: string; nodeName: string }
  /** The error could not be decoded: try again later without touching the status. */
  | { kind: "requeue"; retryMs: number }
  /** Any other error: handled like a create error. */
  | { kind: "error"; error: unknown };

/**
 * Branches on the GetMachineStatus outcome. `outcome` undefined means the call was skipped because the machine has
 * no providerID yet (our drivers' CreateMachine is idempotent, so the lookup is folded into create).
 */
export function branchOnStatus(
  machine: Machine,
  outcome: { response: GetMachineStatusResponse } | { error: unknown } | undefined,
): StatusBranch {
  const providerID = machine.spec?.providerID ?? "";
  if (outcome === undefined) return { kind: "create" };
  if ("response" in outcome) {
    return {
      kind: "adopt",
      providerID: outcome.response.providerID,
      nodeName: outcome.response.nodeName,
      uninitialized: false,
    };
  }
  const { code, decodable } = decodeMachineError(outcome.error);
  if (!decodable) return { kind: "requeue", retryMs: MEDIUM_RETRY_MS };
  switch (code) {
    case "NotFound":
    case "Unimplemented":
      if (!providerID) return { kind: "create" };
      return { kind: "keep", providerID, nodeName: machine.metadata.labels?.[LABEL_NODE] ?? "" };
    case "Uninitialized":
      // MCM takes providerID/nodeName from the (empty) response; a MachineError carries none, so keep the Machine's.
      return { kind: "adopt", providerID, nodeName: machine.metadata.labels?.[LABEL_NODE] ?? "", uninitialized: true };
    default:
      return { kind: "error", error: outcome.error };
  }
}

/** CrashLoopBackOff while within the creation timeout (from creationTimestamp), Failed after it. */
export function createFailurePhase(machine: Machine, creationTimeoutMs: number, now: number): MachinePhase {
  const created = parseTime(machine.metadata.creationTimestamp) ?? now;
  return now - created > creationTimeoutMs ? "Failed" : "CrashLoopBackOff";
}

/** Status and requeue period after a failed CreateMachine (or an unexpected GetMachineStatus error). */
export function createErrorOutcome(
  machine: Machine,
  error: unknown,
  opts: { creationTimeoutMs: number; resourceExhaustedRetryMs: number; now: number; lastKnownState?: string },
): { status: MachineStatus; retryMs: number } {
  const { code, decodable, text } = decodeMachineError(error);
  const op = lastOperation(
    Description.CloudProviderMessagePrefix + text,
    "Failed",
    "Create",
    opts.now,
    decodable ? code : "Unknown",
  );
  const cs = currentStatus(createFailurePhase(machine, opts.creationTimeoutMs, opts.now), opts.now);
  const status = withOperation(machine.status, op, cs, opts.lastKnownState ?? machine.status?.lastKnownState);
  return { status, retryMs: decodable ? createErrorRetryMs(code, opts.resourceExhaustedRetryMs) : MEDIUM_RETRY_MS };
}

/**
 * MCM's stale-node check after CreateMachine: a Node with the returned name exists already and is not named after
 * the machine, so it belongs to an older VM; the new VM must be deleted and the machine failed.
 */
export function isStaleNode(nodeName: string, machineName: string, nodeExists: boolean): boolean {
  return nodeExists && nodeName !== machineName;
}

/** Status of a machine whose fresh VM found an old Node object. */
export function staleNodeStatus(machine: Machine, now: number): MachineStatus {
  return withOperation(
    machine.status,
    lastOperation(Description.OldNodeObject, "Failed", "Create", now),
    currentStatus("Failed", now),
    machine.status?.lastKnownState,
  );
}

/**
 * The Machine with label `node`, the priority annotation and `spec.providerID` set, or undefined when MCM would not
 * update (all three already present). Existing values are kept (an older providerID form is not rewritten).
 */
export function withCreationMetadata(
  machine: Machine,
  providerID: string,
  nodeName: string,
  targetless: boolean,
): Machine | undefined {
  const labels = machine.metadata.labels ?? {};
  const annotations = machine.metadata.annotations ?? {};
  const missingNodeLabel = !targetless && !labels[LABEL_NODE];
  if (!missingNodeLabel && annotations[ANNOTATION_MACHINE_PRIORITY] && machine.spec?.providerID) return undefined;
  const next = structuredClone(machine);
  next.metadata.labels = { ...labels };
  if (!targetless && !labels[LABEL_NODE]) next.metadata.labels[LABEL_NODE] = nodeName;
  next.metadata.annotations = { ...annotations };
  if (!annotations[ANNOTATION_MACHINE_PRIORITY]) {
    next.metadata.annotations[ANNOTATION_MACHINE_PRIORITY] = DEFAULT_MACHINE_PRIORITY;
  }
  next.spec = { ...(next.spec ?? {}) };
  if (!next.spec.providerID) next.spec.providerID = providerID;
  return next;
}

/** Pending status once the VM exists (from "" or CrashLoopBackOff), or undefined when the phase is already past. */
export function pendingStatus(machine: Machine, now: number): MachineStatus | undefined {
  const phase = phaseOf(machine);
  if (phase !== "" && phase !== "CrashLoopBackOff") return undefined;
  return withOperation(
    machine.status,
    lastOperation(Description.Creating, "Processing", "Create", now),
    currentStatus("Pending", now, true),
    machine.status?.lastKnownState,
  );
}
