/**
 * Deletion of a Worker's machines, as Gardener's generic actuator does it (redeploy classes, wait until MCM holds the
 * credentials secret, label machines `force-deletion=True`, delete MachineDeployments, classes and class secrets,
 * wait until every machine object is gone, then until MCM released the credentials secret), split into steps so that
 * each reconcile makes progress and returns instead of blocking a worker for minutes.
 *
 * Which step is due is read from the namespace itself, so a restart at any point resumes correctly: once anything of
 * ours is being deleted the teardown has started (classes are never redeployed again, they would be recreated); once
 * nothing is left only the secret's finalizer is awaited. Pure.
 */
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import {
  type Machine,
  type MachineClass,
  type MachineDeployment,
  type MachineSet,
  MC_SECRET_FINALIZER,
  MCM_FINALIZER,
} from "../../apis/machine/v1alpha1.ts";

/** The machine objects of a namespace during deletion. */
export interface DeletionObservation {
  deployments: readonly MachineDeployment[];
  machineSets: readonly MachineSet[];
  machines: readonly Machine[];
  classes: readonly MachineClass[];
  classSecrets: readonly Secret[];
}

/** What the deletion does next. */
export type DeletionStep =
  /** Nothing of ours is left: wait until MCM released the credentials secret. */
  | { step: "awaitRelease" }
  /** Nothing is being deleted yet: redeploy classes, wait until MCM holds the secret, then delete everything. */
  | { step: "start" }
  /** The teardown runs: keep labelling/deleting, wait until the remaining objects are gone. */
  | { step: "awaitDeletion"; remaining: string };

/** True if MCM (or our machine controller) holds the credentials secret. */
export function isCredentialsSecretAcquired(secret: Secret | undefined): boolean {
  const f = secret?.metadata?.finalizers ?? [];
  return f.includes(MCM_FINALIZER) || f.includes(MC_SECRET_FINALIZER);
}

/** `"2 machines, 1 machine sets, ..."` of what remains; empty when nothing does. */
export function remainingMachineResources(o: DeletionObservation): string {
  const parts: string[] = [];
  const add = (n: number, what: string) => n > 0 && parts.push(`${n} ${what}`);
  add(o.machines.length, "machines");
  add(o.machineSets.length, "machine sets");
  add(o.deployments.length, "machine deployments");
  add(o.classes.length, "machine classes");
  add(o.classSecrets.length, "machine class secrets");
  return parts.join(", ");
}

/** The next step of the deletion. */
export function deletionStep(o: DeletionObservation): DeletionStep {
  const remaining = remainingMachineResources(o);
  if (remaining === "") return { step: "awaitRelease" };
  const deleting = (x: { metadata?: { deletionTimestamp?: string } }) => !!x.metadata?.deletionTimestamp;
  const started = o.deployments.some(deleting) || o.classes.some(deleting) || o.classSecrets.some(deleting);
  return started ? { step: "awaitDeletion", remaining } : { step: "start" };
}
