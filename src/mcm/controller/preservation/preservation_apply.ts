/**
 * Applies a machine's preservation step (see preservation.ts): the expiry time in the Machine's status (first when
 * preserving, last when stopping), Machine annotations, the Node's annotations and taints (one merge patch guarded by
 * the resourceVersion it was computed from), the drain of a preserved Failed machine's Node, and the Node's
 * `Preserved` condition.
 */
import {
  ANNOTATION_PRESERVE,
  LABEL_NODE,
  type Machine,
  type MachineStatus,
  type NodeCondition,
  phaseOf,
} from "../../../apis/machine/v1alpha1.ts";
import type { Node } from "../../../k8s/api/builtin_types.ts";
import { CoreV1 } from "../../../k8s/api/resources.ts";
import { isConflict, isNotFound } from "../../../k8s/api/errors.ts";
import type { ControllerContext } from "../context.ts";
import { patchMachineAnnotations, retryAfterWriteError, writeStatus } from "../machine/machine_apply.ts";
import { timestamp } from "../machine/status.ts";
import { effectiveSettings } from "../machine/timeouts.ts";
import { CONFLICT_RETRY_MS, LONG_RETRY_MS, SHORT_RETRY_MS } from "../retry.ts";
import { DrainError, runDrain } from "../deletion/drain_apply.ts";
import { drainEnv } from "../deletion/drain_env_apply.ts";
import type { Logger } from "../../../observability/log.ts";
import {
  type NodeMetadataChange,
  planPreservation,
  type PreservationPlan,
  preservedCondition,
  preservedConditionOf,
  preservedDrainPlan,
} from "./preservation.ts";

/** Outcome: `returnMs` ends the reconcile with that requeue; otherwise `requeueMs` bounds the next one. */
export interface PreservationResult {
  returnMs?: number;
  requeueMs: number;
}

function withExpiry(machine: Machine, expiry: string | null, now: number): MachineStatus {
  const status = structuredClone(machine.status ?? {});
  const cs = { ...status.currentStatus, lastUpdateTime: timestamp(now) };
  if (expiry === null) delete cs.preserveExpiryTime;
  else cs.preserveExpiryTime = expiry;
  status.currentStatus = cs;
  return status;
}

async function patchNodeMetadata(ctx: ControllerContext, node: Node, change: NodeMetadataChange): Promise<Node> {
  const patch: Record<string, unknown> = {
    metadata: {
      resourceVersion: node.metadata.resourceVersion,
      ...(change.annotations ? { annotations: change.annotations } : {}),
    },
  };
  if (change.taints) patch.spec = { taints: change.taints };
  return await ctx.target!.patch<Node>(CoreV1.nodes, node.metadata.name!, patch, "merge");
}

async function setCondition(ctx: ControllerContext, node: Node, cond: NodeCondition): Promise<Node> {
  const others = (node.status?.conditions ?? []).filter((c) => c.type !== cond.type);
  return await ctx.target!.patch<Node>(
    CoreV1.nodes,
    node.metadata.name!,
    { metadata: { resourceVersion: node.metadata.resourceVersion }, status: { conditions: [...others, cond] } },
    "merge",
    { subresource: "status" },
  );
}

/** Runs the preservation step of a live machine (after health and node sync, before the creation flow). */
export async function applyPreservation(
  ctx: ControllerContext,
  machine: Machine,
  signal: AbortSignal,
): Promise<PreservationResult> {
  const nodeName = machine.metadata.labels?.[LABEL_NODE];
  let node = nodeName ? ctx.targetCaches?.nodes.get(nodeName) : undefined;
  if (node?.metadata.deletionTimestamp) node = undefined;
  const settings = effectiveSettings(machine, ctx.options);
  const now = ctx.clock.now();
  const plan = planPreservation({ machine, node, now, timeoutMs: settings.preserveTimeoutMs });
  const log = ctx.log.with({ machine: machine.metadata.name });
  if (plan.warning) log.warn("Preserve annotation ignored", { problem: plan.warning });
  if (plan.action === "none") return { requeueMs: LONG_RETRY_MS };

  const step = { ctx, machine, node, plan, log, signal };
  try {
    const drainFailed = plan.action === "preserve" ? await preserve(step) : await stop(step);
    if (drainFailed) return { returnMs: SHORT_RETRY_MS, requeueMs: SHORT_RETRY_MS };
  } catch (e) {
    // As MCM: a Machine or Node gone meanwhile is no error (the next event brings the machine back).
    if (isNotFound(e)) return { requeueMs: LONG_RETRY_MS };
    if (isConflict(e)) return { returnMs: CONFLICT_RETRY_MS, requeueMs: CONFLICT_RETRY_MS };
    const retryMs = retryAfterWriteError(ctx, machine, e, "preservation");
    return { returnMs: retryMs || SHORT_RETRY_MS, requeueMs: SHORT_RETRY_MS };
  }
  return { requeueMs: plan.requeueMs ?? LONG_RETRY_MS };
}

interface Step {
  ctx: ControllerContext;
  machine: Machine;
  node: Node | undefined;
  plan: PreservationPlan;
  log: Logger;
  signal: AbortSignal;
}

/**
 * Expiry first (from then on the MachineSet keeps the machine), then the Node: annotations and taint, drain, the
 * condition; the Machine's annotations last. True when the drain failed (retried soon).
 */
async function preserve({ ctx, machine, node, plan, log, signal }: Step): Promise<boolean> {
  let current = machine;
  if (plan.expiry) {
    current = (await writeStatus(ctx, current, withExpiry(current, plan.expiry, ctx.clock.now()))).machine;
    log.info("Machine preserved", { value: plan.value, until: plan.expiry });
  }
  if (node && plan.node) node = await patchNodeMetadata(ctx, node, plan.node);
  let drainFailed = false;
  if (node && plan.drain) {
    const drainError = await drainPreserved(ctx, current, node, signal);
    if (signal.aborted) return true;
    const cond = preservedCondition(
      phaseOf(current),
      current.status?.currentStatus?.preserveExpiryTime,
      plan.value ?? "",
      drainError,
      preservedConditionOf(node),
      ctx.clock.now(),
    );
    if (cond) node = await setCondition(ctx, node, cond);
    if (drainError !== undefined) {
      log.info("Could not drain the preserved machine's node", { node: node.metadata.name, error: drainError });
      drainFailed = true;
    }
  } else if (node && plan.condition) {
    node = await setCondition(ctx, node, plan.condition);
  }
  if (plan.machineAnnotations) await patchMachineAnnotations(ctx, current, plan.machineAnnotations);
  return drainFailed;
}

/**
 * MCM's order: the Node's condition, its annotations and taint, then the Machine's annotations, and the expiry last
 * (until it is cleared the machine counts as preserved, so an interrupted stop is resumed).
 */
async function stop({ ctx, machine, node, plan, log }: Step): Promise<boolean> {
  let current = machine;
  let wrote = false;
  if (node && plan.condition) {
    node = await setCondition(ctx, node, plan.condition);
    wrote = true;
  }
  if (node && plan.node) {
    node = await patchNodeMetadata(ctx, node, plan.node);
    wrote = true;
  }
  if (plan.machineAnnotations) {
    await patchMachineAnnotations(ctx, current, plan.machineAnnotations);
    current = ctx.state.fresh.latest(current) ?? current;
    wrote = true;
  }
  if (plan.expiry === null) {
    await writeStatus(ctx, current, withExpiry(current, null, ctx.clock.now()));
    wrote = true;
  }
  if (wrote) {
    log.info("Machine preservation stopped", {
      value: plan.value || undefined,
      annotationRemoved: plan.machineAnnotations?.[ANNOTATION_PRESERVE] === null || undefined,
    });
  }
  return false;
}

/** Taints are set by the plan; drains the node as `preservedDrainPlan` says. The error text, or undefined. */
async function drainPreserved(
  ctx: ControllerContext,
  machine: Machine,
  node: Node,
  signal: AbortSignal,
): Promise<string | undefined> {
  const settings = effectiveSettings(machine, ctx.options);
  const plan = preservedDrainPlan(machine, settings, ctx.clock.now());
  const log = ctx.log.with({ machine: machine.metadata.name, node: node.metadata.name });
  log.info("Draining the preserved machine's node", { force: plan.force, reason: plan.reason || undefined });
  try {
    await runDrain(
      drainEnv({ target: ctx.target!, caches: ctx.targetCaches!, driver: ctx.driver, clock: ctx.clock, log }),
      {
        nodeName: node.metadata.name!,
        force: plan.force,
        timeoutMs: plan.timeoutMs,
        maxEvictRetries: plan.maxEvictRetries,
        pvDetachTimeoutMs: ctx.options.machinePvDetachTimeoutMs,
        pvReattachTimeoutMs: ctx.options.machinePvReattachTimeoutMs,
      },
      signal,
    );
    return undefined;
  } catch (e) {
    return e instanceof DrainError ? e.message : e instanceof Error ? e.message : String(e);
  }
}
