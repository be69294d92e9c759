/**
 * Whether the wanted MachineDeployments are available, judged from what MCM reports, as Gardener's generic actuator
 * waits for it (`waitUntilWantedMachineDeploymentsAvailable`), but as one observation instead of a 5-minute loop:
 * the caller requeues while `done` is false, so no worker is blocked.
 *
 * Awake shoot: each wanted deployment needs a MachineSet (owned by it, or labelled `name=<deployment>`) whose template
 * uses the wanted class — after a class change this is how a rolling update is detected before MCM reports it — and
 * must be healthy (MCM observed its generation, `Available` True, `Progressing` not False, no `ReplicaFailure`/
 * `Frozen`); over all wanted deployments no replica may be unavailable (except preserved failed machines, see
 * `unavailableAccepted`) and every replica must be updated (old machines drained and gone). Hibernated shoot: the
 * wanted deployments' replicas must reach 0 and their Machines must be gone (a deployment MCM has not seen yet, e.g.
 * one just restored with its machines, reports no replicas while its devices still run). Pure.
 */
import type { Machine, MachineDeployment, MachineSet } from "../../apis/machine/v1alpha1.ts";
import { LABEL_DEPLOYMENT_NAME } from "../../apis/machine/v1alpha1.ts";
import type { DesiredDeployment } from "./machine_deployment.ts";

/** Result of one look at the rollout. */
export interface RolloutState {
  done: boolean;
  /** What is awaited (for lastOperation while progressing). */
  message: string;
  /** 0-100, for lastOperation.progress. */
  progress: number;
}

/**
 * Gardener's rule for unavailable replicas: none, or no more than the failed machines MCM preserves
 * (`status.preservedFailedReplicas`, summed over the wanted deployments). A preserved machine stays unavailable on
 * purpose until its preservation ends, so waiting for it would never finish.
 */
export function unavailableAccepted(unavailable: number, preservedFailed: number): boolean {
  return unavailable === 0 || (preservedFailed > 0 && unavailable <= preservedFailed);
}

/** The MachineSets of each deployment: by controller owner reference, else by the `name` label (restored sets). */
export function machineSetsByDeployment(sets: readonly MachineSet[]): Map<string, MachineSet[]> {
  const out = new Map<string, MachineSet[]>();
  const add = (name: string, s: MachineSet) => out.set(name, [...(out.get(name) ?? []), s]);
  for (const s of sets) {
    const owners = (s.metadata.ownerReferences ?? []).filter((o) => o.kind === "MachineDeployment");
    if (owners.length > 0) { for (const o of owners) add(o.name, s); }
    else if (s.metadata.labels?.[LABEL_DEPLOYMENT_NAME]) add(s.metadata.labels[LABEL_DEPLOYMENT_NAME], s);
  }
  return out;
}

/** Why a MachineDeployment is not healthy (Gardener's `CheckMachineDeployment`); undefined when it is. */
export function machineDeploymentProblem(md: MachineDeployment): string | undefined {
  const observed = md.status?.observedGeneration ?? 0;
  const generation = md.metadata.generation ?? 0;
  if (observed < generation) return `observed generation outdated (${observed}/${generation})`;
  const conditions = md.status?.conditions ?? [];
  const available = conditions.find((c) => c.type === "Available");
  if (!available) return "condition Available is missing";
  if (available.status !== "True") return `condition Available is ${available.status}: ${available.message ?? ""}`;
  const progressing = conditions.find((c) => c.type === "Progressing");
  if (progressing && progressing.status !== "True") {
    return `condition Progressing is ${progressing.status}: ${progressing.message ?? ""}`;
  }
  for (const type of ["ReplicaFailure", "Frozen"]) {
    const c = conditions.find((c) => c.type === type);
    if (c && c.status !== "False") return `condition ${type} is ${c.status}: ${c.message ?? ""}`;
  }
  return undefined;
}

/** Evaluates the rollout of the wanted deployments from the current MachineDeployments and MachineSets. */
export function evaluateRollout(
  wanted: readonly DesiredDeployment[],
  deployments: readonly MachineDeployment[],
  machineSets: readonly MachineSet[],
  namespace: string,
  hibernated: boolean,
  /** The namespace's Machines (only read when hibernated). */
  machines: readonly Machine[] = [],
): RolloutState {
  const byName = new Map(deployments.map((d) => [d.metadata.name ?? "", d]));
  const setsOf = machineSetsByDeployment(machineSets);
  let awake = 0, desired = 0, updated = 0, available = 0, unavailable = 0, preserved = 0, healthy = 0;
  const waitingForSet: string[] = [];
  for (const w of wanted) {
    const md = byName.get(w.name);
    awake += md?.status?.replicas ?? 0;
    if (hibernated) continue;
    const sets = setsOf.get(w.name) ?? [];
    if (!md || !sets.some((s) => s.spec?.template?.spec?.class?.name === w.className)) {
      waitingForSet.push(`${namespace}/${w.name}`);
      continue;
    }
    if (machineDeploymentProblem(md) === undefined) healthy++;
    desired += md.spec.replicas ?? 0;
    updated += md.status?.updatedReplicas ?? 0;
    available += md.status?.availableReplicas ?? 0;
    unavailable += md.status?.unavailableReplicas ?? 0;
    preserved += md.status?.preservedFailedReplicas ?? 0;
  }
  if (hibernated) {
    const wantedNames = new Set(wanted.map((w) => w.name));
    const left = machines.filter((m) => wantedNames.has(m.metadata.labels?.[LABEL_DEPLOYMENT_NAME] ?? "")).length;
    awake = Math.max(awake, left);
    if (awake === 0) return { done: true, message: "all machines hibernated", progress: 100 };
    return {
      done: false,
      message: `Waiting until all machines have been hibernated (${awake} still awake)...`,
      progress: 50,
    };
  }
  if (waitingForSet.length > 0) {
    return {
      done: false,
      message: `Waiting for the machine-controller-manager to create the updated machine set for the machine ` +
        `deployment(s) ${waitingForSet.join(", ")}`,
      progress: 20,
    };
  }
  if (unavailableAccepted(unavailable, preserved) && updated === awake && healthy === wanted.length) {
    return { done: true, message: "all machine deployments are available", progress: 100 };
  }
  const progress = desired > 0
    ? Math.max(20, Math.min(90, Math.floor(20 + 70 * Math.min(updated, available) / desired)))
    : 50;
  if (unavailable === 0 && available === desired && updated < awake) {
    return {
      done: false,
      message: `Waiting until all old machines are drained and terminated. Waiting for ${
        awake - updated
      } machine(s)...`,
      progress,
    };
  }
  return {
    done: false,
    message: `Waiting until machines are available (${available}/${desired} desired machine(s) available, ` +
      `${updated}/${desired} machine(s) updated, ${unavailable} machine(s) pending, ${healthy}/${wanted.length} ` +
      `machinedeployments available)...`,
    progress,
  };
}
