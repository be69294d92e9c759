/**
 * The Worker status fields this controller writes early in a reconcile, before it waits for machines:
 * `machineDeployments` (name, minimum, maximum, priority, autoPreserveFailedMachineMax), a strictly newer
 * `machineDeploymentsLastUpdateTime`, and the provider status the delegate computed (`providerStatus`).
 *
 * gardenlet waits after every Worker deploy until `machineDeploymentsLastUpdateTime` is strictly later (second
 * precision) than before its request. The timestamp is therefore renewed when a reconcile was requested and has not
 * been answered yet (no newer time than the request's `gardener.cloud/timestamp`), or when the list changed. A
 * reconcile nobody requested (a resync of an up-to-date Worker) writes nothing. Pure.
 */
import { ANNOTATION_TIMESTAMP, Finalizer } from "../../apis/extensions/constants.ts";
import type { MachineDeploymentStatus, Worker } from "../../apis/extensions/v1alpha1.ts";
import { jsonEqual } from "../../k8s/api/patch/json_value.ts";
import { createMergePatch } from "../../k8s/api/patch/merge_patch.ts";
import { isUpToDate, type StatusPatch } from "../reconciler/mod.ts";
import type { ExtensionObject } from "../reconciler/mod.ts";
import type { DesiredDeployment } from "./machine_deployment.ts";

/** The `status.machineDeployments` entries of the wanted deployments. */
export function machineDeploymentsStatus(deployments: readonly DesiredDeployment[]): MachineDeploymentStatus[] {
  return deployments.map((d) => {
    const entry: MachineDeploymentStatus = { name: d.name, minimum: d.minimum, maximum: d.maximum };
    if (d.priority !== undefined) entry.priority = d.priority;
    if (d.autoPreserveFailedMachineMax !== undefined) {
      entry.autoPreserveFailedMachineMax = d.autoPreserveFailedMachineMax;
    }
    return entry;
  });
}

/** Milliseconds of an RFC 3339 time truncated to seconds; undefined if absent or unparsable. */
function seconds(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000) * 1000;
}

/** `metav1.Time` text (second precision, UTC). */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A time strictly later (at second precision) than `previous` and not before `nowMs`. */
export function nextLastUpdateTime(previous: string | undefined, nowMs: number): string {
  const prev = seconds(previous);
  const now = Math.floor(nowMs / 1000) * 1000;
  return metaTime(prev === undefined || now > prev ? now : prev + 1000);
}

/** True if this reconcile answers a request of gardenlet (not a resync of an up-to-date Worker). */
export function isRequested(worker: Worker): boolean {
  return !isUpToDate(worker as unknown as ExtensionObject, Finalizer.Worker);
}

/**
 * True if the timestamp must be renewed for this reconcile: always when it answers gardenlet's request (`requested`:
 * gardenlet waits for a time after its request, and our clock may run ahead of its own), otherwise when the list
 * changed, or when a reconcile still working on a request finds the time older than the request's timestamp.
 */
export function needsNewLastUpdateTime(worker: Worker, listChanged: boolean, requested = false): boolean {
  if (listChanged || requested) return true;
  const previous = seconds(worker.status?.machineDeploymentsLastUpdateTime);
  if (previous === undefined) return true;
  if (!isRequested(worker)) return false;
  const requestedAt = seconds(worker.metadata.annotations?.[ANNOTATION_TIMESTAMP]);
  // Without a request timestamp every requested reconcile announces itself (as the generic actuator does).
  return requestedAt === undefined || previous <= requestedAt;
}

/** The early status patch of a reconcile (empty when nothing needs writing). */
export function earlyStatusPatch(
  worker: Worker,
  deployments: readonly DesiredDeployment[],
  providerStatus: Record<string, unknown>,
  nowMs: number,
  requested = false,
): StatusPatch {
  const patch: StatusPatch = {};
  const list = machineDeploymentsStatus(deployments);
  const listChanged = !jsonEqual(worker.status?.machineDeployments ?? null, list);
  if (needsNewLastUpdateTime(worker, listChanged, requested)) {
    patch.machineDeployments = list;
    patch.machineDeploymentsLastUpdateTime = nextLastUpdateTime(worker.status?.machineDeploymentsLastUpdateTime, nowMs);
  }
  const current = worker.status?.providerStatus;
  if (current === undefined) patch.providerStatus = providerStatus;
  else if (!jsonEqual(current, providerStatus)) patch.providerStatus = createMergePatch(current, providerStatus);
  return patch;
}
