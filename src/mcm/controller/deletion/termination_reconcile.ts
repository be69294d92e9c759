/**
 * The termination queue (MCM triggerDeletionFlow): one round of the deletion state machine per reconcile, chosen by
 * the Machine's lastOperation description; a successful step continues with the next one at once (MCM would wait
 * ShortRetry between steps), a failed one is retried after its period. Each step's effect is idempotent, so a
 * crash at any point resumes at the step recorded last. The steps are in deletion_steps_apply.ts.
 */
import { type ControllerContext, machineToReconcile } from "../context.ts";
import { retryAfterWriteError } from "../machine/machine_apply.ts";
import { MEDIUM_RETRY_MS, requeueAfter, SHORT_RETRY_MS } from "../retry.ts";
import type { Result } from "../../../k8s/controller/controller.ts";
import { flush, type Round, runStep } from "./deletion_steps_apply.ts";

/** Steps run back to back in one round at most (a guard against a loop that makes no progress). */
const MAX_STEPS_PER_ROUND = 8;

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
