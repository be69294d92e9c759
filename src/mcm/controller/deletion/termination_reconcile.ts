/**
 * The termination queue (MCM triggerDeletionFlow): one step of the deletion state machine per round, chosen by the
 * Machine's lastOperation description; a successful step continues with the next one at once (MCM would wait
 * ShortRetry between steps), a failed one is retried after its period. Each step's effect is idempotent, so a
 * crash at any point resumes at the step recorded last.
 */
import {
  ANNOTATION_MACHINE_JOIN_DURATION,
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
import type { SecretData } from "../../driver/driver.ts";
import { classSecretData, type ControllerContext, INDEX_POD_BY_NODE, machineToReconcile } from "../context.ts";
import {
  deleteNodeOutcome,
  deleteVMOutcome,
  deletionStep,
  drainOutcome,
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
import { LONG_RETRY_MS, MEDIUM_RETRY_MS, requeueAfter, SHORT_RETRY_MS } from "../retry.ts";
import type { Result } from "../../../k8s/controller/controller.ts";
import { effectiveSettings } from "../machine/timeouts.ts";
import { observeMachineDuration } from "../metrics.ts";
import { deleteBootstrapToken } from "../creation/bootstrap_token_apply.ts";

/** Steps run back to back in one round at most (a guard against a loop that makes no progress). */
const MAX_STEPS_PER_ROUND = 8;

/**
 * A round of consecutive steps. Statuses of successful steps stay in memory while the next step runs at once; they
 * are written when the round stops (a failure, a wait, a retry), before a drain that has pods to evict, and for the
 * switch to Terminating. Every step is idempotent, so after a crash the flow resumes at the last written step and
 * repeats the cheap ones. (MCM writes every step and waits ShortRetry in between: 6 status writes and 30 s.)
 */
interface Round {
  /** The Machine as last written (its resourceVersion guards our writes). */
  persisted: Machine;
  /** `persisted` with the status the steps of this round computed. */
  current: Machine;
}

/** Reconciles one machine key of the termination queue. */
export async function reconcileTermination(ctx: ControllerContext, key: string, signal: AbortSignal): Promise<Result> {
  const loaded = machineToReconcile(ctx, key);
  if ("requeueMs" in loaded) return requeueAfter(loaded.requeueMs);
  const { machine } = loaded;
  if (!machine.metadata.deletionTimestamp) return {};
  if (ctx.state.creating.has(key)) {
    ctx.log.info("Machine is in creation flow. Deletion cannot proceed", { machine: key });
    return requeueAfter(MEDIUM_RETRY_MS);
  }
  const round: Round = { persisted: machine, current: machine };
  let retryMs = SHORT_RETRY_MS;
  for (let i = 0; i < MAX_STEPS_PER_ROUND; i++) {
    const r = await runStep(ctx, round, signal);
    retryMs = r.retryMs;
    if (!r.continue || signal.aborted || r.gone) {
      if (r.gone) return requeueAfter(retryMs);
      break;
    }
  }
  try {
    await flush(ctx, round);
  } catch (e) {
    return requeueAfter(retryAfterWriteError(ctx, round.persisted, e, "deletion status"));
  }
  return requeueAfter(retryMs);
}

interface StepResult {
  /** Go on with the next step now. */
  continue: boolean;
  retryMs: number;
  /** The Machine is gone (finalizer removed): nothing to write. */
  gone?: boolean;
}

/** Writes the round's in-memory status, if it differs from what is stored. */
async function flush(ctx: ControllerContext, round: Round): Promise<void> {
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

async function runStep(ctx: ControllerContext, round: Round, signal: AbortSignal): Promise<StepResult> {
  const machine = round.current;
  const now = ctx.clock.now();
  const name = machine.metadata.name!;
  const log = ctx.log.with({ machine: name });
  const step = deletionStep(machine);
  const nodeName = machine.metadata.labels?.[LABEL_NODE] || undefined;
  const target = ctx.target;
  const caches = ctx.targetCaches;
  switch (step) {
    case "noFinalizer":
      return { continue: false, retryMs: LONG_RETRY_MS };

    case "setTerminating": {
      log.info("Deleting machine", { phase: phaseOf(machine) });
      // The node learns why it goes away while the phase before termination is still known.
      if (target && nodeName) await setTerminatingCondition(ctx, nodeName, phaseOf(machine)).catch(() => {});
      return await applyOutcome(ctx, round, { status: terminatingStatus(machine, now), retryMs: SHORT_RETRY_MS }, {
        persist: true,
      });
    }

    case "getVMStatus": {
      if (!target) return await applyOutcome(ctx, round, vmStatusOutcome(machine, { nodeName: "" }, now));
      if (nodeName) return await applyOutcome(ctx, round, vmStatusOutcome(machine, { nodeName }, now));
      // Find the node by its machine-name label, else ask the driver.
      let found = caches?.nodes.list().find((n) => n.metadata.labels?.[NODE_LABEL_MACHINE_NAME] === name)?.metadata
        .name;
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

    case "drain": {
      const settings = effectiveSettings(machine, ctx.options);
      const plan = planDrain(machine, target ? nodeName : undefined, settings, now);
      if (plan.mode === "skip") return await applyOutcome(ctx, round, drainOutcome(machine, plan, { ok: true }, now));
      log.info("Draining node", { node: nodeName, mode: plan.mode, reason: plan.reason || undefined });
      if (podsToDrain(caches!.pods.byIndex(INDEX_POD_BY_NODE, nodeName!)).length > 0) {
        // A drain may take long: show that it runs (and resume here after a crash).
        try {
          await flush(ctx, round);
        } catch (e) {
          return { continue: false, retryMs: retryAfterWriteError(ctx, round.persisted, e, "deletion status") };
        }
      }
      try {
        await setTerminatingCondition(ctx, nodeName!, phaseOf(machine));
      } catch (e) {
        if (plan.mode !== "force") {
          return await applyOutcome(
            ctx,
            round,
            drainOutcome(machine, plan, { error: errorText(e), terminatingConditionFailed: true }, now),
          );
        }
        log.info("Could not set the Terminating condition; continuing the force deletion", { error: e });
      }
      try {
        const cachedNode = caches!.nodes.get(nodeName!);
        if (cachedNode && !cachedNode.spec?.unschedulable) {
          await target!.patch(CoreV1.nodes, nodeName!, { spec: { unschedulable: true } }, "merge");
        }
      } catch (e) {
        if (!isNotFound(e) && plan.mode !== "force") {
          return await applyOutcome(
            ctx,
            round,
            drainOutcome(machine, plan, { error: `cordon: ${errorText(e)}` }, now),
          );
        }
      }
      const started = ctx.clock.now();
      let result: { ok: true } | { error: string };
      try {
        await runDrain(
          drainEnv({ target: target!, caches: caches!, driver: ctx.driver, clock: ctx.clock, log }),
          {
            nodeName: nodeName!,
            force: plan.mode === "force",
            timeoutMs: plan.timeoutMs,
            maxEvictRetries: plan.maxEvictRetries,
            pvDetachTimeoutMs: ctx.options.machinePvDetachTimeoutMs,
            pvReattachTimeoutMs: ctx.options.machinePvReattachTimeoutMs,
          },
          signal,
        );
        result = { ok: true };
        observeMachineDuration("drain", machine, ctx.clock.now() - started);
      } catch (e) {
        if (signal.aborted) return { continue: false, retryMs: SHORT_RETRY_MS };
        result = { error: e instanceof DrainError ? e.message : errorText(e) };
      }
      return await applyOutcome(ctx, round, drainOutcome(machine, plan, result, ctx.clock.now()));
    }

    case "deleteVolumeAttachments": {
      const node = nodeName ? caches?.nodes.get(nodeName) : undefined;
      const live = caches && nodeName ? liveVolumeAttachments(caches, nodeName) : [];
      const out = volumeAttachmentOutcome(
        machine,
        nodeName ?? "",
        node ? { volumesAttached: node.status?.volumesAttached?.length ?? 0 } : undefined,
        live.length,
        now,
      );
      if ("waitMs" in out) {
        for (const va of live) {
          try {
            await target!.delete(StorageV1.volumeAttachments, va.metadata.name!);
          } catch (e) {
            if (!isNotFound(e)) {
              log.info("Could not delete a VolumeAttachment", { attachment: va.metadata.name, error: e });
            }
          }
        }
        return { continue: false, retryMs: out.waitMs };
      }
      return await applyOutcome(ctx, round, out);
    }

    case "deleteVM": {
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

    case "deleteNode": {
      if (!target || !nodeName) {
        return await applyOutcome(ctx, round, deleteNodeOutcome(machine, undefined, "notFound", now));
      }
      let result: "deleted" | "notFound" | { error: string };
      try {
        const node = caches?.nodes.get(nodeName);
        const patch = node ? removeFinalizerJsonPatch(node, NODE_FINALIZER) : undefined;
        if (patch) await target.patch(CoreV1.nodes, nodeName, patch, "json");
        await target.delete(CoreV1.nodes, nodeName);
        result = "deleted";
      } catch (e) {
        result = isNotFound(e) ? "notFound" : { error: errorText(e) };
      }
      return await applyOutcome(ctx, round, deleteNodeOutcome(machine, nodeName, result, now));
    }

    case "removeFinalizer": {
      try {
        await setMachineFinalizer(ctx, round.persisted, false);
      } catch (e) {
        return { continue: false, retryMs: retryAfterWriteError(ctx, round.persisted, e, "finalizer removal") };
      }
      const deletedAt = Date.parse(machine.metadata.deletionTimestamp ?? "");
      if (!Number.isNaN(deletedAt)) observeMachineDuration("delete", machine, ctx.clock.now() - deletedAt);
      // A machine that joined had its token deleted then; only one that never joined may still have one.
      if (!machine.metadata.annotations?.[ANNOTATION_MACHINE_JOIN_DURATION]) {
        await deleteBootstrapToken(ctx, machine).catch(() => {});
      }
      log.info("Machine deleted");
      return { continue: false, retryMs: LONG_RETRY_MS, gone: true };
    }
  }
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
