/**
 * The deletion steps' I/O, one handler per step of the deletion state machine (`deletionStep` in deletion_flow.ts
 * picks it from the Machine's lastOperation): each performs its effect (driver call, drain, node or attachment
 * deletion, finalizer removal), takes the pure outcome into the round's status, and says whether the round goes on.
 * Every effect is idempotent, so a crash at any point resumes at the step recorded last.
 */
import {
  decodeMachineClass,
  LABEL_NODE,
  type Machine,
  type MachineClass,
  NODE_CONDITION_TERMINATING,
  NODE_FINALIZER,
  NODE_LABEL_MACHINE_NAME,
  phaseOf,
} from "../../../apis/machine/v1alpha1.ts";
import { CoreV1, StorageV1 } from "../../../k8s/api/resources.ts";
import { isNotFound } from "../../../k8s/api/errors.ts";
import type { Logger } from "../../../observability/log.ts";
import type { SecretData } from "../../driver/driver.ts";
import { classSecretData, type ControllerContext, INDEX_POD_BY_NODE } from "../context.ts";
import {
  deleteNodeOutcome,
  deleteVMOutcome,
  type DeletionStep,
  deletionStep,
  drainOutcome,
  mayHoldBootstrapToken,
  planDrain,
  type StepOutcome,
  terminatingCondition,
  terminatingStatus,
  vmStatusOutcome,
  volumeAttachmentOutcome,
} from "./deletion_flow.ts";
import { DrainError, podsToDrain, runDrain } from "./drain_apply.ts";
import { removeFinalizerJsonPatch } from "../finalizers/finalizer_reconcile.ts";
import { drainEnv, liveVolumeAttachments } from "./drain_env_apply.ts";
import { callDriver, machineRequest, registerSecretData } from "../driver_apply.ts";
import { retryAfterWriteError, setMachineFinalizer, updateMachine, writeStatus } from "../machine/machine_apply.ts";
import { LONG_RETRY_MS, SHORT_RETRY_MS } from "../retry.ts";
import { effectiveSettings } from "../machine/timeouts.ts";
import { observeMachineDuration } from "../metrics.ts";
import { deleteBootstrapToken, knowsBootstrapToken } from "../creation/bootstrap_token_apply.ts";

/**
 * A round of consecutive steps. Statuses of successful steps stay in memory while the next step runs at once; they
 * are written when the round stops (a failure, a wait, a retry), before a drain that has pods to evict, and for the
 * switch to Terminating. Every step is idempotent, so after a crash the flow resumes at the last written step and
 * repeats the cheap ones. (MCM writes every step and waits ShortRetry in between: 6 status writes and 30 s.)
 */
export interface Round {
  /** The Machine as last written (its resourceVersion guards our writes). */
  persisted: Machine;
  /** `persisted` with the status the steps of this round computed. */
  current: Machine;
}

/** What a step tells the round. */
export interface StepResult {
  /** Go on with the next step now. */
  continue: boolean;
  retryMs: number;
  /** The Machine is gone (finalizer removed): nothing to write. */
  gone?: boolean;
}

/** Writes the round's in-memory status, if it differs from what is stored. */
export async function flush(ctx: ControllerContext, round: Round): Promise<void> {
  if (round.current.status === round.persisted.status) return;
  const r = await writeStatus(ctx, round.persisted, round.current.status ?? {});
  round.persisted = r.machine;
  round.current = r.machine;
}

function classOf(ctx: ControllerContext, machine: Machine): { cls: MachineClass; secret: SecretData } | undefined {
  const name = machine.spec?.class?.name;
  const raw = name ? ctx.classes.get({ namespace: ctx.namespace, name }) : undefined;
  if (!raw) return undefined;
  try {
    const cls = decodeMachineClass(raw);
    const secret = classSecretData(ctx, cls);
    registerSecretData(ctx, secret);
    return { cls, secret };
  } catch (e) {
    ctx.log.error("MachineClass cannot be decoded", { machine: machine.metadata.name, error: e });
    return undefined;
  }
}

/** Takes a step's outcome into the round; continues with the next step only after a successful one. */
async function applyOutcome(
  ctx: ControllerContext,
  round: Round,
  out: StepOutcome,
  opts: { persist?: boolean } = {},
): Promise<StepResult> {
  round.current = { ...round.current, status: out.status };
  const progressed = out.status.lastOperation?.state === "Processing";
  if (opts.persist || !progressed) {
    try {
      await flush(ctx, round);
    } catch (e) {
      return { continue: false, retryMs: retryAfterWriteError(ctx, round.persisted, e, "deletion status") };
    }
  }
  return { continue: progressed, retryMs: out.retryMs };
}

/** What a step handler gets: the round and the Machine at the step's start. */
interface Step {
  ctx: ControllerContext;
  round: Round;
  /** `round.current` when the step began. */
  machine: Machine;
  now: number;
  log: Logger;
  /** The node label, if any. */
  nodeName?: string;
  signal: AbortSignal;
}

type StepHandler = (s: Step) => Promise<StepResult>;

/** One handler per deletion step. */
const STEP_HANDLERS: Record<DeletionStep, StepHandler> = {
  noFinalizer: () => Promise.resolve({ continue: false, retryMs: LONG_RETRY_MS }),
  setTerminating,
  getVMStatus,
  drain,
  deleteVolumeAttachments,
  deleteVM,
  deleteNode,
  removeFinalizer,
};

/** Runs the step the round's Machine is at. */
export function runStep(ctx: ControllerContext, round: Round, signal: AbortSignal): Promise<StepResult> {
  const machine = round.current;
  const name = machine.metadata.name!;
  return STEP_HANDLERS[deletionStep(machine)]({
    ctx,
    round,
    machine,
    now: ctx.clock.now(),
    log: ctx.log.with({ machine: name }),
    nodeName: machine.metadata.labels?.[LABEL_NODE] || undefined,
    signal,
  });
}

async function setTerminating({ ctx, round, machine, now, log, nodeName }: Step): Promise<StepResult> {
  const phase = phaseOf(machine);
  log.info("Deleting machine", { phase });
  // The node learns why it goes away while the phase before termination is still known.
  if (ctx.target && nodeName) await setTerminatingCondition(ctx, nodeName, phase).catch(() => {});
  // Before the Terminating write, so that a crash in between repeats it; a joined machine's token went at the join.
  if (knowsBootstrapToken(ctx, machine) || mayHoldBootstrapToken(machine)) {
    await deleteBootstrapToken(ctx, machine).catch((e) =>
      log.warn("Could not delete the bootstrap token", { error: e })
    );
  }
  return await applyOutcome(ctx, round, { status: terminatingStatus(machine, now), retryMs: SHORT_RETRY_MS }, {
    persist: true,
  });
}

/** Finds the VM's node: the label, else a Node with the machine-name label, else the driver's GetMachineStatus. */
async function getVMStatus({ ctx, round, machine, now, log, nodeName, signal }: Step): Promise<StepResult> {
  if (!ctx.target) return await applyOutcome(ctx, round, vmStatusOutcome(machine, { nodeName: "" }, now));
  if (nodeName) return await applyOutcome(ctx, round, vmStatusOutcome(machine, { nodeName }, now));
  const name = machine.metadata.name!;
  let found = ctx.targetCaches?.nodes.list().find((n) => n.metadata.labels?.[NODE_LABEL_MACHINE_NAME] === name)
    ?.metadata.name;
  if (!found) {
    const c = classOf(ctx, machine);
    if (!c) {
      log.info("MachineClass not found; cannot ask the driver for the VM", { class: machine.spec?.class?.name });
      return { continue: false, retryMs: LONG_RETRY_MS };
    }
    try {
      const resp = await callDriver(
        ctx,
        "GetMachineStatus",
        () => ctx.driver.getMachineStatus(machineRequest(machine, c.cls, c.secret, signal)),
      );
      found = resp.nodeName;
    } catch (error) {
      return await applyOutcome(ctx, round, vmStatusOutcome(machine, { error }, now));
    }
  }
  if (found) {
    try {
      const p = round.persisted;
      round.persisted = await updateMachine(ctx, {
        ...p,
        metadata: { ...p.metadata, labels: { ...(p.metadata.labels ?? {}), [LABEL_NODE]: found } },
      });
      round.current = { ...round.persisted, status: round.current.status };
    } catch (e) {
      return { continue: false, retryMs: retryAfterWriteError(ctx, round.persisted, e, "node label") };
    }
  }
  return await applyOutcome(ctx, round, vmStatusOutcome(round.current, { nodeName: found ?? "" }, now));
}

/** Marks and cordons the node, then drains it (normal or force, or skipped as the plan says). */
async function drain(s: Step): Promise<StepResult> {
  const { ctx, round, machine, now, log } = s;
  const nodeName = ctx.target ? s.nodeName : undefined;
  const plan = planDrain(machine, nodeName, effectiveSettings(machine, ctx.options), now);
  if (plan.mode === "skip") return await applyOutcome(ctx, round, drainOutcome(machine, plan, { ok: true }, now));
  log.info("Draining node", { node: nodeName, mode: plan.mode, reason: plan.reason || undefined });
  if (podsToDrain(ctx.targetCaches!.pods.byIndex(INDEX_POD_BY_NODE, nodeName!)).length > 0) {
    // A drain may take long: show that it runs (and resume here after a crash).
    try {
      await flush(ctx, round);
    } catch (e) {
      return { continue: false, retryMs: retryAfterWriteError(ctx, round.persisted, e, "deletion status") };
    }
  }
  const force = plan.mode === "force";
  try {
    await setTerminatingCondition(ctx, nodeName!, phaseOf(machine));
  } catch (e) {
    if (!force) {
      const failed = { error: errorText(e), terminatingConditionFailed: true };
      return await applyOutcome(ctx, round, drainOutcome(machine, plan, failed, now));
    }
    log.info("Could not set the Terminating condition; continuing the force deletion", { error: e });
  }
  const cordonError = await cordon(ctx, nodeName!);
  if (cordonError && !force) {
    return await applyOutcome(ctx, round, drainOutcome(machine, plan, { error: `cordon: ${cordonError}` }, now));
  }
  const started = ctx.clock.now();
  let result: { ok: true } | { error: string };
  try {
    await runDrain(
      drainEnv({ target: ctx.target!, caches: ctx.targetCaches!, driver: ctx.driver, clock: ctx.clock, log }),
      {
        nodeName: nodeName!,
        force,
        timeoutMs: plan.timeoutMs,
        maxEvictRetries: plan.maxEvictRetries,
        pvDetachTimeoutMs: ctx.options.machinePvDetachTimeoutMs,
        pvReattachTimeoutMs: ctx.options.machinePvReattachTimeoutMs,
      },
      s.signal,
    );
    result = { ok: true };
    observeMachineDuration("drain", machine, ctx.clock.now() - started);
  } catch (e) {
    if (s.signal.aborted) return { continue: false, retryMs: SHORT_RETRY_MS };
    result = { error: e instanceof DrainError ? e.message : errorText(e) };
  }
  return await applyOutcome(ctx, round, drainOutcome(machine, plan, result, ctx.clock.now()));
}

/** Marks the cached node unschedulable; the error text when that failed (a node that is gone is no error). */
async function cordon(ctx: ControllerContext, nodeName: string): Promise<string | undefined> {
  try {
    const cachedNode = ctx.targetCaches!.nodes.get(nodeName);
    if (cachedNode && !cachedNode.spec?.unschedulable) {
      await ctx.target!.patch(CoreV1.nodes, nodeName, { spec: { unschedulable: true } }, "merge");
    }
    return undefined;
  } catch (e) {
    return isNotFound(e) ? undefined : errorText(e);
  }
}

/** Waits for the node's volumes to detach, deleting its live VolumeAttachments meanwhile. */
async function deleteVolumeAttachments({ ctx, round, machine, now, log, nodeName }: Step): Promise<StepResult> {
  const caches = ctx.targetCaches;
  const node = nodeName ? caches?.nodes.get(nodeName) : undefined;
  const live = caches && nodeName ? liveVolumeAttachments(caches, nodeName) : [];
  const out = volumeAttachmentOutcome(
    machine,
    nodeName ?? "",
    node ? { volumesAttached: node.status?.volumesAttached?.length ?? 0 } : undefined,
    live.length,
    now,
  );
  if (!("waitMs" in out)) return await applyOutcome(ctx, round, out);
  for (const va of live) {
    try {
      await ctx.target!.delete(StorageV1.volumeAttachments, va.metadata.name!);
    } catch (e) {
      if (!isNotFound(e)) log.info("Could not delete a VolumeAttachment", { attachment: va.metadata.name, error: e });
    }
  }
  return { continue: false, retryMs: out.waitMs };
}

async function deleteVM({ ctx, round, machine, now, log, signal }: Step): Promise<StepResult> {
  const c = classOf(ctx, machine);
  if (!c) {
    log.info("MachineClass not found; cannot delete the VM yet", { class: machine.spec?.class?.name });
    return { continue: false, retryMs: LONG_RETRY_MS };
  }
  let out: StepOutcome;
  try {
    const resp = await callDriver(
      ctx,
      "DeleteMachine",
      () => ctx.driver.deleteMachine(machineRequest(machine, c.cls, c.secret, signal)),
    );
    out = deleteVMOutcome(machine, resp, now);
  } catch (error) {
    out = deleteVMOutcome(machine, { error }, now);
  }
  return await applyOutcome(ctx, round, out);
}

/** Removes the node finalizer and deletes the Node. */
async function deleteNode({ ctx, round, machine, now, nodeName }: Step): Promise<StepResult> {
  const target = ctx.target;
  if (!target || !nodeName) {
    return await applyOutcome(ctx, round, deleteNodeOutcome(machine, undefined, "notFound", now));
  }
  let result: "deleted" | "notFound" | { error: string };
  try {
    const node = ctx.targetCaches?.nodes.get(nodeName);
    const patch = node ? removeFinalizerJsonPatch(node, NODE_FINALIZER) : undefined;
    if (patch) await target.patch(CoreV1.nodes, nodeName, patch, "json");
    await target.delete(CoreV1.nodes, nodeName);
    result = "deleted";
  } catch (e) {
    result = isNotFound(e) ? "notFound" : { error: errorText(e) };
  }
  return await applyOutcome(ctx, round, deleteNodeOutcome(machine, nodeName, result, now));
}

/** Removes the Machine's finalizer (the Machine is gone then). */
async function removeFinalizer({ ctx, round, machine, log }: Step): Promise<StepResult> {
  try {
    await setMachineFinalizer(ctx, round.persisted, false);
  } catch (e) {
    return { continue: false, retryMs: retryAfterWriteError(ctx, round.persisted, e, "finalizer removal") };
  }
  const deletedAt = Date.parse(machine.metadata.deletionTimestamp ?? "");
  if (!Number.isNaN(deletedAt)) observeMachineDuration("delete", machine, ctx.clock.now() - deletedAt);
  log.info("Machine deleted");
  return { continue: false, retryMs: LONG_RETRY_MS, gone: true };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Sets the Terminating condition on the node (reason by the phase before termination), from the cached Node and
 * guarded by its resourceVersion; nothing to do when the node already has it or is gone.
 */
async function setTerminatingCondition(ctx: ControllerContext, nodeName: string, phase: string): Promise<void> {
  const target = ctx.target!;
  const node = ctx.targetCaches?.nodes.get(nodeName);
  if (!node) return;
  const conditions = node.status?.conditions ?? [];
  const existing = conditions.find((c) => c.type === NODE_CONDITION_TERMINATING);
  if (existing?.status === "True" && existing.reason) return;
  const cond = terminatingCondition(phase, existing, ctx.clock.now());
  const next = [...conditions.filter((c) => c.type !== NODE_CONDITION_TERMINATING), cond];
  try {
    await target.patch(
      CoreV1.nodes,
      nodeName,
      { metadata: { resourceVersion: node.metadata.resourceVersion }, status: { conditions: next } },
      "merge",
      { subresource: "status" },
    );
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
