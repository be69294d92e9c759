/**
 * SIMULATION: how MCM's MachineSet controller judges its Machines — available (phase Running or Available), ready
 * (Running), failed, preserved — and in which order it deletes surplus ones: machines preserved right now last
 * (auto-preserved ones, then earlier expiry, first among them), then lower `machinepriority` annotation first
 * ("1" before the default "3"), then by phase (Terminating, Failed, Unknown, Pending, Available, Running; any other
 * phase, e.g. still being created, counts like Terminating). MCM's sort is not stable; we break ties with the newest
 * machine first (as Kubernetes' ReplicaSet prefers), then by name, so the choice is deterministic. Pure.
 *
 * Note: MCM does not wait `minReadySeconds` before counting a machine as available (unlike Kubernetes for pods):
 * `minReadySeconds` is only copied from the deployment to its MachineSets. We do the same.
 */
import {
  ANNOTATION_MACHINE_PRIORITY,
  ANNOTATION_PRESERVE,
  type Machine,
  phaseOf,
} from "../../apis/machine/v1alpha1.ts";
import { parseTime } from "../kernel/mod.ts";
import { PRESERVE_AUTO, PRESERVE_VALUES } from "./keys.ts";

const DEFAULT_PRIORITY = 3;

const PHASE_RANK: Record<string, number> = {
  Terminating: 0,
  Failed: 1,
  Unknown: 2,
  Pending: 3,
  Available: 4,
  Running: 5,
};

/** Counted in `availableReplicas`. */
export function isAvailable(m: Machine): boolean {
  const p = phaseOf(m);
  return p === "Running" || p === "Available";
}

/** Counted in `readyReplicas`. */
export function isReady(m: Machine): boolean {
  return phaseOf(m) === "Running";
}

/** Phase Terminating: excluded when counting the machines a MachineSet has. */
export function isTerminating(m: Machine): boolean {
  return phaseOf(m) === "Terminating";
}

/** Phase Failed: the MachineSet replaces it (unless preserved). */
export function isFailed(m: Machine): boolean {
  return phaseOf(m) === "Failed";
}

/** Neither Failed nor Terminating (MCM's `IsMachineActive`): node template and config changes are synced to it. */
export function isActive(m: Machine): boolean {
  return !isFailed(m) && !isTerminating(m);
}

/**
 * A Failed machine that must be kept: preserve annotation `now`/`when-failed`/`auto-preserved` on the Machine, or a
 * preservation that has not expired. (MCM also reads the annotation from the Node; the simulation has no Node view.)
 */
export function isPreserved(m: Machine, now: number): boolean {
  const expiry = parseTime(m.status?.currentStatus?.preserveExpiryTime);
  if (expiry !== undefined) return expiry > now;
  return PRESERVE_VALUES.has(m.metadata.annotations?.[ANNOTATION_PRESERVE] ?? "");
}

/** The machine's deletion priority (annotation value, default 3; unparsable values count as the default). */
export function deletionPriority(m: Machine): number {
  const raw = m.metadata.annotations?.[ANNOTATION_MACHINE_PRIORITY];
  if (raw === undefined || raw === "") return DEFAULT_PRIORITY;
  const n = Number(raw);
  return Number.isInteger(n) ? n : DEFAULT_PRIORITY;
}

function phaseRank(m: Machine): number {
  return PHASE_RANK[phaseOf(m)] ?? 0;
}

/** A preservation running at `now` (expiry in the future), or undefined. */
function activeExpiry(m: Machine, now: number): number | undefined {
  const expiry = parseTime(m.status?.currentStatus?.preserveExpiryTime);
  return expiry !== undefined && expiry > now ? expiry : undefined;
}

/**
 * MCM HEAD: machines preserved at `now` go last; among them auto-preserved ones first, then the earlier expiry.
 * Zero when preservation does not decide.
 */
function compareByPreservation(a: Machine, b: Machine, now: number): number {
  const ea = activeExpiry(a, now), eb = activeExpiry(b, now);
  if ((ea === undefined) !== (eb === undefined)) return ea === undefined ? -1 : 1;
  if (ea === undefined || eb === undefined) return 0;
  const auto = (m: Machine) => m.metadata.annotations?.[ANNOTATION_PRESERVE] === PRESERVE_AUTO;
  if (auto(a) !== auto(b)) return auto(a) ? -1 : 1;
  return ea - eb;
}

/** Negative if `a` should be deleted before `b` (`now` given: preserved machines last). */
export function compareForDeletion(a: Machine, b: Machine, now?: number): number {
  const byPreservation = now === undefined ? 0 : compareByPreservation(a, b, now);
  if (byPreservation !== 0) return byPreservation;
  const byPriority = deletionPriority(a) - deletionPriority(b);
  if (byPriority !== 0) return byPriority;
  const byPhase = phaseRank(a) - phaseRank(b);
  if (byPhase !== 0) return byPhase;
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  if (ta !== tb) return tb - ta;
  return (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/** The first `count` machines in deletion order (`now` given: preserved machines last). */
export function pickForDeletion(machines: readonly Machine[], count: number, now?: number): Machine[] {
  if (count <= 0) return [];
  return [...machines].sort((a, b) => compareForDeletion(a, b, now)).slice(0, count);
}
