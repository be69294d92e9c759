/**
 * The safety controller's loops (MCM machine_safety.go): orphan collection (at start-up, every period, and soon
 * after a Machine is deleted) with the unmanaged-node pass, and the API-server
 * probe that freezes and unfreezes the controller.
 */
import { NODE_ANNOTATION_NOT_MANAGED_BY_MCM, NODE_FINALIZER } from "../../../apis/machine/v1alpha1.ts";
import { decodeMachineClass, type Machine as MachineT } from "../../../apis/machine/v1alpha1.ts";
import { CoreV1, MachineV1alpha1 } from "../../../k8s/api/resources.ts";
import { isNotFound } from "../../../k8s/api/errors.ts";
import { objectKey } from "../../../k8s/api/objects.ts";
import type { Timer } from "../../../runtime/clock.ts";
import { classSecretData, type ControllerContext, currentMachine, listMachines } from "../context.ts";
import { findOrphans, unmanagedNodeMarkings } from "./orphans.ts";
import { healthTimeoutResetStatus, observeProbe, UNFREEZE_REQUEUE_MS } from "./apiserver.ts";
import { callDriver, driverClass, registerSecretData } from "../driver_apply.ts";
import { writeStatus } from "../machine/machine_apply.ts";
import { finalizerPatch } from "../finalizers/finalizer_reconcile.ts";
import { counter } from "../../../observability/metrics.ts";

const orphansDeleted = counter({
  name: "machine_controller_orphan_devices_deleted_total",
  help: "Devices deleted by the orphan collector because no Machine owns them.",
});

/** Options of a triggered run: coalesce triggers for `debounceMs`, and run at most once per `minIntervalMs`. */
export interface TriggerPolicy {
  debounceMs: number;
  minIntervalMs: number;
}

/**
 * Runs a task now, every `periodMs`, and after `trigger()`; never two runs at once. Triggers are coalesced: a burst
 * of them (1,000 Machine deletions) causes one run a little later, not one run per trigger.
 */
export class PeriodicTask {
  private timer?: Timer;
  private due = Infinity;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private lastStart = -Infinity;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly name: string,
    private readonly periodMs: () => number,
    private readonly task: () => Promise<number | void>,
    private readonly policy: TriggerPolicy = { debounceMs: 0, minIntervalMs: 0 },
  ) {}

  /** Starts the loop; it stops when the signal aborts. */
  start(signal: AbortSignal): Promise<void> {
    signal.addEventListener("abort", () => this.stop(), { once: true });
    this.schedule(0);
    return new Promise((resolve) =>
      signal.addEventListener("abort", () => resolve(this.running?.then(() => {})), { once: true })
    );
  }

  /** Runs the task soon (after the current run, if one is in progress), within the trigger policy. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const now = this.ctx.clock.now();
    const at = Math.max(now + this.policy.debounceMs, this.lastStart + this.policy.minIntervalMs);
    if (at < this.due) this.schedule(at - now);
  }

  private stop(): void {
    this.stopped = true;
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.due = this.ctx.clock.now() + ms;
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      this.due = Infinity;
      this.run();
    }, ms);
  }

  private run(): void {
    if (this.running || this.stopped) return;
    this.lastStart = this.ctx.clock.now();
    this.running = (async () => {
      let next = this.periodMs();
      try {
        const asked = await this.task();
        if (typeof asked === "number") next = asked;
      } catch (e) {
        this.ctx.log.error(`${this.name} failed`, { error: e });
      } finally {
        this.running = undefined;
      }
      this.schedule(next);
      if (this.again) {
        this.again = false;
        this.trigger();
      }
    })();
  }
}

/** One orphan-collection pass over every MachineClass of the namespace, then the unmanaged-node pass. */
export async function collectOrphans(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
  await ctx.machines.waitForSync(signal);
  const log = ctx.log.child("safety");
  const byName = new Map(listMachines(ctx).map((m) => [m.metadata.name!, m]));
  for (const raw of ctx.classes.list(ctx.namespace)) {
    if (signal.aborted) return;
    let cls;
    try {
      cls = decodeMachineClass(raw);
    } catch (e) {
      log.error("Skipping MachineClass that cannot be decoded", { error: e });
      continue;
    }
    const secret = classSecretData(ctx, cls);
    registerSecretData(ctx, secret);
    let listed: Record<string, string>;
    try {
      listed = (await callDriver(
        ctx,
        "ListMachines",
        () => ctx.driver.listMachines({ machineClass: driverClass(cls), secret, signal }),
      )).machineList;
    } catch (e) {
      // MCM aborts the whole pass here; one broken class must not shield the others' orphans.
      log.error("Listing the devices of a MachineClass failed; continuing with the next class", {
        class: cls.metadata.name,
        error: e,
      });
      continue;
    }
    for (const orphan of findOrphans(listed, byName)) {
      // Re-check against the newest state: the machine may have been created or updated meanwhile.
      const latest = currentMachine(ctx, `${ctx.namespace}/${orphan.machineName}`);
      const still = findOrphans(
        { [orphan.providerID]: orphan.machineName },
        latest ? new Map([[orphan.machineName, latest]]) : new Map<string, MachineT>(),
      );
      if (still.length === 0) continue;
      log.info("Deleting orphan device", {
        providerID: orphan.providerID,
        machine: orphan.machineName,
        reason: orphan.reason,
      });
      try {
        await callDriver(ctx, "DeleteMachine", () =>
          ctx.driver.deleteMachine({
            machine: { name: orphan.machineName, namespace: cls.metadata.namespace, providerID: orphan.providerID },
            machineClass: driverClass(cls),
            secret,
            signal,
          }));
        orphansDeleted.inc();
      } catch (e) {
        log.error("Deleting an orphan device failed; retrying in the next pass", {
          providerID: orphan.providerID,
          error: e,
        });
      }
    }
  }
  await markUnmanagedNodes(ctx);
}

async function markUnmanagedNodes(ctx: ControllerContext): Promise<void> {
  if (!ctx.target || !ctx.targetCaches) return;
  const nodes = ctx.targetCaches.nodes.list();
  const markings = unmanagedNodeMarkings(
    nodes,
    listMachines(ctx),
    ctx.options.machineCreationTimeoutMs,
    ctx.clock.now(),
  );
  for (const m of markings) {
    const node = ctx.targetCaches.nodes.get(m.node);
    if (!node) continue;
    try {
      if (m.action === "markUnmanaged") {
        ctx.log.info("Node has no Machine; marking it not managed by MCM", { node: m.node });
        const patch = finalizerPatch(node, NODE_FINALIZER, false);
        await ctx.target.patch(CoreV1.nodes, m.node, {
          metadata: { ...patch.metadata, annotations: { [NODE_ANNOTATION_NOT_MANAGED_BY_MCM]: "1" } },
        }, "merge");
      } else {
        await ctx.target.patch(CoreV1.nodes, m.node, {
          metadata: { annotations: { [NODE_ANNOTATION_NOT_MANAGED_BY_MCM]: null } },
        }, "merge");
        ctx.queues.node(m.node);
      }
    } catch (e) {
      if (!isNotFound(e)) ctx.log.info("Could not update an unmanaged node", { node: m.node, error: e });
    }
  }
}

/** The API-server probe: returns the delay until the next probe. */
export function apiServerProbe(ctx: ControllerContext): () => Promise<number> {
  let state: { frozen: boolean; downSince?: number } = { frozen: false };
  const log = ctx.log.child("safety");
  const up = async (probe: () => Promise<unknown>): Promise<boolean> => {
    try {
      await probe();
      return true;
    } catch (e) {
      return isNotFound(e);
    }
  };
  return async () => {
    const controlUp = await up(() =>
      ctx.control.get(MachineV1alpha1.machines, "dummy_name", { namespace: ctx.namespace })
    );
    const targetUp = !ctx.target || await up(() => ctx.target!.get(CoreV1.nodes, "dummy_name"));
    const d = observeProbe(state, controlUp && targetUp, ctx.clock.now(), {
      periodMs: ctx.options.machineSafetyApiserverStatuscheckPeriodMs,
      timeoutMs: ctx.options.machineSafetyApiserverStatuscheckTimeoutMs,
    });
    state = d.state;
    if (d.freeze) {
      ctx.state.frozen = true;
      log.error("API server unreachable for too long; freezing the machine controller", { controlUp, targetUp });
    }
    if (d.unfreeze) {
      log.info("API servers reachable again; resetting health timeouts and unfreezing");
      for (const m of listMachines(ctx)) {
        const reset = healthTimeoutResetStatus(m, ctx.clock.now());
        if (!reset) continue;
        try {
          await writeStatus(ctx, m, reset);
        } catch (e) {
          log.info("Could not reset the health timeout of a machine", { machine: m.metadata.name, error: e });
        }
      }
      for (const m of listMachines(ctx)) ctx.queues.machine(objectKey(m), UNFREEZE_REQUEUE_MS);
      ctx.state.frozen = false;
    }
    return d.nextProbeMs;
  };
}
