/**
 * Bounded waits of the Worker controller, as Gardener's generic Worker actuator bounds its poll loops (5 minutes each):
 * a reconcile that keeps returning `progressing` for the same wait for longer fails instead, with the machine-level
 * reasons in the error (so they reach `lastError`), and the next retry starts a new window. Also Gardener's check for a
 * stuck machine-controller-manager, whose pods are then deleted. Pure: the actuator keeps the records and applies.
 */
import type { ErrorCode } from "../../apis/core/error_codes.ts";
import {
  LABEL_DEPLOYMENT_NAME,
  type Machine,
  type MachineDeployment,
  type MachineSet,
  MCM_FINALIZER,
} from "../../apis/machine/v1alpha1.ts";
import { redact } from "../../observability/redact.ts";
import { CodedError } from "../reconciler/mod.ts";
import { failedMachineCodes } from "./failed_machines.ts";
import { machineSetsByDeployment } from "./rollout.ts";

/** How long one wait may last: the generic actuator's timeout of its MachineDeployment and deletion waits. */
export const WAIT_TIMEOUT_MS = 5 * 60_000;

/** A MachineDeployment younger than this is never taken as a sign of a stuck MCM (Gardener's threshold). */
export const STUCK_MCM_THRESHOLD_MS = 2 * 60_000;

/** Label of gardenlet's machine-controller-manager pods (what Gardener deletes when MCM is stuck). */
export const MCM_POD_SELECTOR = "role=machine-controller-manager";

/** At most this many machines are named in an error; the rest are counted. */
export const MAX_MACHINES_IN_ERROR = 10;

/** A machine's description is cut to this many characters in an error. */
export const MAX_MACHINE_DESCRIPTION = 200;

/** What was awaited is cut to this many characters in an error. */
export const MAX_WAIT_DETAIL = 1000;

/** One running wait of one Worker. */
export interface WaitRecord {
  /** Which wait (e.g. `rollout`, `deletion`): another wait starts its own window. */
  what: string;
  /** The Worker generation it waits for: a new spec starts a new window. */
  generation: number;
  sinceMs: number;
}

/** The record after one more look at an unfinished wait, and whether it has run out. */
export function continueWait(
  previous: WaitRecord | undefined,
  what: string,
  generation: number,
  nowMs: number,
  timeoutMs = WAIT_TIMEOUT_MS,
): { record: WaitRecord; expired: boolean } {
  if (!previous || previous.what !== what || previous.generation !== generation) {
    return { record: { what, generation, sinceMs: nowMs }, expired: false };
  }
  return { record: previous, expired: nowMs - previous.sinceMs >= timeoutMs };
}

/**
 * Gardener's `isMachineControllerStuck`: a MachineDeployment MCM has taken (its finalizer), older than 2 minutes,
 * without a MachineSet of its class. Returns why, or undefined.
 */
export function stuckMachineControllerManager(
  deployments: readonly MachineDeployment[],
  machineSets: readonly MachineSet[],
  nowMs: number,
): string | undefined {
  const setsOf = machineSetsByDeployment(machineSets);
  for (const md of deployments) {
    if (!md.metadata.finalizers?.includes(MCM_FINALIZER)) continue;
    const created = Date.parse(md.metadata.creationTimestamp ?? "");
    if (!Number.isFinite(created) || nowMs - created < STUCK_MCM_THRESHOLD_MS) continue;
    const cls = md.spec.template.spec?.class?.name;
    const sets = setsOf.get(md.metadata.name ?? "") ?? [];
    if (!sets.some((s) => s.spec?.template?.spec?.class?.name === cls)) {
      return `missing machine set for machine deployment (${md.metadata.namespace ?? ""}/${md.metadata.name ?? ""})`;
    }
  }
  return undefined;
}

/** A wait ran out; the message names the machines that are not ready and why (bounded, secrets redacted). */
export class WaitTimeoutError extends CodedError {
  constructor(message: string, codes: readonly ErrorCode[], readonly machines: readonly string[]) {
    super(message, codes);
  }
}

/** Redacted, on one line, at most `max` characters. */
function oneLine(text: string, max: number): string {
  const flat = redact(text).replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : flat.slice(0, max - 3) + "...";
}

/**
 * The error for a wait that ran out: `<context>: <detail><note>; machines: "m1" (Pending): <description>; ...`.
 * Lists the given machines that are not Running (or are being deleted), at most `MAX_MACHINES_IN_ERROR`, each text
 * redacted and cut; codes as for failed machines (e.g. no capacity → ERR_INFRA_RESOURCES_DEPLETED).
 */
export function waitTimeoutError(
  context: string,
  detail: string,
  machines: readonly Machine[],
  note = "",
): WaitTimeoutError {
  const waiting = machines
    .filter((m) => m.metadata.deletionTimestamp || m.status?.currentStatus?.phase !== "Running")
    .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  const codes = new Set<ErrorCode>();
  const parts: string[] = [];
  for (const m of waiting) {
    const name = m.metadata.name ?? "<unnamed>";
    for (const c of failedMachineCodes({ name, lastOperation: m.status?.lastOperation })) codes.add(c);
    if (parts.length === MAX_MACHINES_IN_ERROR) continue;
    const phase = m.metadata.deletionTimestamp ? "Terminating" : m.status?.currentStatus?.phase || "no phase yet";
    const description = oneLine(m.status?.lastOperation?.description ?? "", MAX_MACHINE_DESCRIPTION);
    parts.push(`${JSON.stringify(name)} (${phase})${description ? `: ${description}` : ""}`);
  }
  if (waiting.length > parts.length) parts.push(`and ${waiting.length - parts.length} more`);
  const machinesText = parts.length ? `; machines: ${parts.join("; ")}` : "";
  return new WaitTimeoutError(
    `${context}: ${oneLine(detail, MAX_WAIT_DETAIL)}${note && ` ${oneLine(note, MAX_WAIT_DETAIL)}`}${machinesText}`,
    [...codes].sort(),
    waiting.map((m) => m.metadata.name ?? ""),
  );
}

/** The machines of the given deployments (by MCM's `name` label). */
export function machinesOfDeployments(machines: readonly Machine[], deployments: Iterable<string>): Machine[] {
  const names = new Set(deployments);
  return machines.filter((m) => names.has(m.metadata.labels?.[LABEL_DEPLOYMENT_NAME] ?? ""));
}
