/**
 * Writes to Machines: status (skipped when redundant), metadata/spec updates and finalizer changes. Every write
 * sends the resourceVersion it was computed from (a stale copy gets 409 and is retried after ConflictRetry), and
 * its result is remembered so the next reconcile works on it even before the informer has seen it.
 */
import { MachineV1alpha1 } from "../../../k8s/api/resources.ts";
import { isConflict, isNotFound } from "../../../k8s/api/errors.ts";
import { type Machine, type MachineStatus, MCM_FINALIZER } from "../../../apis/machine/v1alpha1.ts";
import type { ControllerContext } from "../context.ts";
import { isStatusWriteRedundant } from "./status.ts";
import { CONFLICT_RETRY_MS, SHORT_RETRY_MS } from "../retry.ts";

/** The outcome of a write: the new object, or nothing (skipped). */
export type WriteResult = { written: true; machine: Machine } | { written: false; machine: Machine };

/** Writes `status` unless only timestamps would change. */
export async function writeStatus(
  ctx: ControllerContext,
  machine: Machine,
  status: MachineStatus,
): Promise<WriteResult> {
  if (isStatusWriteRedundant(machine.status, status, ctx.clock.now())) return { written: false, machine };
  const updated = await ctx.control.updateStatus<Machine>(MachineV1alpha1.machines, { ...machine, status }, {
    namespace: machine.metadata.namespace,
  });
  return { written: true, machine: ctx.state.fresh.wrote(updated) };
}

/** PUTs the whole Machine (metadata and spec). */
export async function updateMachine(ctx: ControllerContext, machine: Machine): Promise<Machine> {
  const updated = await ctx.control.update<Machine>(MachineV1alpha1.machines, machine, {
    namespace: machine.metadata.namespace,
  });
  return ctx.state.fresh.wrote(updated);
}

/** Adds (or removes) the machine finalizer; returns the updated machine, or the same one if nothing changed. */
export async function setMachineFinalizer(
  ctx: ControllerContext,
  machine: Machine,
  present: boolean,
): Promise<Machine> {
  const has = machine.metadata.finalizers?.includes(MCM_FINALIZER) ?? false;
  if (has === present) return machine;
  const finalizers = present
    ? [...(machine.metadata.finalizers ?? []), MCM_FINALIZER]
    : (machine.metadata.finalizers ?? []).filter((f) => f !== MCM_FINALIZER);
  return await updateMachine(ctx, { ...machine, metadata: { ...machine.metadata, finalizers } });
}

/** Merge-patches annotations of a Machine (no resourceVersion needed: disjoint keys). */
export async function patchMachineAnnotations(
  ctx: ControllerContext,
  machine: Machine,
  annotations: Record<string, string | null>,
): Promise<void> {
  const updated = await ctx.control.patch<Machine>(
    MachineV1alpha1.machines,
    machine.metadata.name!,
    { metadata: { annotations } },
    "merge",
    { namespace: machine.metadata.namespace },
  );
  ctx.state.fresh.wrote(updated);
}

/** Requeue period after a failed write: ConflictRetry for 409, ShortRetry otherwise, nothing when gone. */
export function retryAfterWriteError(ctx: ControllerContext, machine: Machine, err: unknown, what: string): number {
  if (isNotFound(err)) return 0;
  if (isConflict(err)) {
    ctx.log.debug("Conflict while writing machine, retrying", { machine: machine.metadata.name, what });
    return CONFLICT_RETRY_MS;
  }
  ctx.log.error("Writing machine failed", { machine: machine.metadata.name, what, error: err });
  return SHORT_RETRY_MS;
}
