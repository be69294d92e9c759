/**
 * The machine queue (MCM reconcileClusterMachine): finalizer, hand-over of deleting machines to the termination
 * queue, class validation, health of the node, node template sync, preservation, and the creation flow.
 */
import {
  decodeMachineClass,
  LABEL_DEPLOYMENT_NAME,
  LABEL_NODE,
  type Machine,
  MACHINE_CLASS_KIND,
  type MachineClass,
  type MachineStatus,
  MCM_FINALIZER,
  NODE_FINALIZER,
  phaseOf,
} from "../../../apis/machine/v1alpha1.ts";
import { objectKey } from "../../../k8s/api/objects.ts";
import { CoreV1 } from "../../../k8s/api/resources.ts";
import {
  classSecretData,
  type ControllerContext,
  INDEX_MACHINE_BY_DEPLOYMENT,
  latestMachines,
  machineToReconcile,
} from "../context.ts";
import { canMarkMachineFailed, computeHealth } from "../health/health.ts";
import type { Node } from "../../../k8s/api/builtin_types.ts";
import { needsCreationFlow } from "../creation/creation_flow.ts";
import { runCreationFlow } from "../creation/creation_apply.ts";
import { deleteBootstrapToken } from "../creation/bootstrap_token_apply.ts";
import { effectiveSettings } from "./timeouts.ts";
import { retryAfterWriteError, setMachineFinalizer, writeStatus } from "./machine_apply.ts";
import { CONFLICT_RETRY_MS, LONG_RETRY_MS, requeueAfter, SHORT_RETRY_MS, TIMEOUT_RECHECK_MS } from "../retry.ts";
import type { Result } from "../../../k8s/controller/controller.ts";
import { isConflict } from "../../../k8s/api/errors.ts";
import { nodeTemplatePatch, virtualCapacityPatch } from "../nodes/node_template_sync.ts";
import { countFailedJoin, observeMachineDuration } from "../metrics.ts";
import { applyPreservation } from "../preservation/preservation_apply.ts";

/** Why a class cannot be used yet, naming the field; undefined when it can. */
export function classProblem(cls: MachineClass): string | undefined {
  const t = cls.nodeTemplate;
  if (!t) return undefined;
  const missing: string[] = [];
  for (const r of ["cpu", "gpu", "memory"]) {
    if (t.capacity?.[r] === undefined) missing.push(`nodeTemplate.capacity.${r}`);
  }
  for (const f of ["instanceType", "region", "zone"] as const) if (!t[f]) missing.push(`nodeTemplate.${f}`);
  return missing.length ? `MachineClass ${objectKey(cls)}: required fields missing: ${missing.join(", ")}` : undefined;
}

/** Reconciles one machine key. */
export async function reconcileMachine(ctx: ControllerContext, key: string, signal: AbortSignal): Promise<Result> {
  const loaded = machineToReconcile(ctx, key);
  if ("requeueMs" in loaded) return requeueAfter(loaded.requeueMs);
  let machine = loaded.machine;
  const log = ctx.log.with({ machine: machine.metadata.name });
  const deleting = !!machine.metadata.deletionTimestamp;

  if (!deleting && !machine.metadata.finalizers?.includes(MCM_FINALIZER)) {
    try {
      machine = await setMachineFinalizer(ctx, machine, true);
    } catch (e) {
      return requeueAfter(retryAfterWriteError(ctx, machine, e, "finalizer"));
    }
  }
  if (deleting && !ctx.state.creating.has(key)) {
    ctx.queues.termination(key);
    return {};
  }
  if (ctx.state.frozen && !deleting) return requeueAfter(LONG_RETRY_MS);

  const classRef = machine.spec?.class;
  if (!classRef?.name || !classRef.kind) {
    log.error("Machine is invalid", {
      error: `Machine ${key}: ${!classRef?.kind ? "spec.class.kind" : "spec.class.name"} is required`,
    });
    return requeueAfter(LONG_RETRY_MS);
  }
  if (classRef.kind !== MACHINE_CLASS_KIND) {
    log.error("Machine is invalid", { error: `Machine ${key}: spec.class.kind "${classRef.kind}" is not supported` });
    return requeueAfter(LONG_RETRY_MS);
  }
  const rawClass = ctx.classes.get({ namespace: ctx.namespace, name: classRef.name });
  if (!rawClass) {
    log.info("MachineClass not found", { class: `${ctx.namespace}/${classRef.name}` });
    return requeueAfter(LONG_RETRY_MS);
  }
  let cls: MachineClass;
  try {
    cls = decodeMachineClass(rawClass);
  } catch (e) {
    log.error("MachineClass cannot be decoded", { error: e });
    return requeueAfter(LONG_RETRY_MS);
  }
  if (!cls.metadata.finalizers?.includes(MCM_FINALIZER)) {
    ctx.queues.machineClass(objectKey(cls));
    log.info("The machine class has no finalizer yet; waiting for it", { class: cls.metadata.name });
    return requeueAfter(SHORT_RETRY_MS);
  }
  const problem = classProblem(cls);
  if (problem) {
    log.error("MachineClass is invalid", { error: problem });
    return requeueAfter(SHORT_RETRY_MS);
  }
  const settings = effectiveSettings(machine, ctx.options);
  if (settings.problems.length) log.warn("Ignoring invalid machine settings", { problems: settings.problems });

  let requeue = LONG_RETRY_MS;
  const nodeName = machine.metadata.labels?.[LABEL_NODE];
  if (ctx.targetCaches && nodeName && phaseOf(machine) !== "") {
    const node = ctx.targetCaches.nodes.get(nodeName);
    const health = await applyHealth(ctx, machine, cls, node, settings);
    if (health.wrote) return requeueAfter(SHORT_RETRY_MS);
    requeue = Math.min(requeue, health.requeueMs);
    if (node && !node.metadata.deletionTimestamp) {
      const synced = await syncNode(ctx, machine, cls, node);
      if (synced !== undefined) return requeueAfter(synced);
    }
  }

  const preservation = await applyPreservation(ctx, machine, signal);
  if (preservation.returnMs !== undefined) return requeueAfter(preservation.returnMs);
  requeue = Math.min(requeue, preservation.requeueMs);

  if (needsCreationFlow(machine)) {
    ctx.state.creating.add(key);
    try {
      return requeueAfter(await runCreationFlow(ctx, machine, cls, classSecretData(ctx, cls), settings, signal));
    } finally {
      ctx.state.creating.delete(key);
    }
  }
  return requeueAfter(requeue);
}

async function applyHealth(
  ctx: ControllerContext,
  machine: Machine,
  cls: MachineClass,
  node: Node | undefined,
  settings: ReturnType<typeof effectiveSettings>,
): Promise<{ wrote: boolean; requeueMs: number }> {
  const d = computeHealth(machine, node, settings, ctx.clock.now());
  const log = ctx.log.with({ machine: machine.metadata.name });
  if (d.failCandidate) {
    const wrote = await tryMarkFailed(ctx, machine, d.failCandidate.status);
    return { wrote, requeueMs: wrote ? SHORT_RETRY_MS : TIMEOUT_RECHECK_MS };
  }
  if (!d.status) return { wrote: false, requeueMs: d.requeueMs };
  try {
    const r = await writeStatus(ctx, machine, d.status);
    // Nothing changed but timestamps: carry on as if no write was needed (the timeouts and node sync run).
    if (!r.written) return { wrote: false, requeueMs: d.requeueMs };
  } catch (e) {
    retryAfterWriteError(ctx, machine, e, "health status");
    return { wrote: true, requeueMs: SHORT_RETRY_MS };
  }
  const phase = d.status.currentStatus?.phase;
  if (phase !== phaseOf(machine)) {
    log.info("Machine phase changed", {
      from: phaseOf(machine),
      to: phase,
      description: d.status.lastOperation?.description,
    });
  }
  if (d.creationTimedOut) countFailedJoin(machine, cls.nodeTemplate?.instanceType);
  if (d.joined) {
    // The join duration is a metric, and the phase change's log line and lastOperation carry it; no annotation: MCM
    // sets one in a status update, which drops it, and persisting it would cost a fifth control write per machine.
    observeMachineDuration("join", machine, d.joined.durationMs);
    try {
      await deleteBootstrapToken(ctx, machine);
    } catch (e) {
      log.warn("Could not delete the bootstrap token", { error: e });
    }
  }
  return { wrote: true, requeueMs: SHORT_RETRY_MS };
}

/** Unknown → Failed, at most one replacement in progress per MachineDeployment. */
async function tryMarkFailed(ctx: ControllerContext, machine: Machine, status: MachineStatus): Promise<boolean> {
  const deployment = machine.metadata.labels?.[LABEL_DEPLOYMENT_NAME];
  const write = async () => {
    try {
      await writeStatus(ctx, machine, status);
      ctx.log.info("Machine failed its health checks", { machine: machine.metadata.name });
      return true;
    } catch (e) {
      retryAfterWriteError(ctx, machine, e, "Failed status");
      return false;
    }
  };
  if (!deployment) return await write();
  return await ctx.state.meltdownLocks.run(`${machine.metadata.namespace}/${deployment}`, async () => {
    const peers = latestMachines(
      ctx,
      ctx.machines.byIndex(INDEX_MACHINE_BY_DEPLOYMENT, `${machine.metadata.namespace}/${deployment}`),
    );
    if (!canMarkMachineFailed(peers, ctx.clock.now())) {
      ctx.log.info("Not marking machine Failed yet: another replacement of its deployment is in progress", {
        machine: machine.metadata.name,
        deployment,
      });
      return false;
    }
    return await write();
  });
}

/** Brings the Node in line with the Machine (labels, annotations, taints, virtual capacity). */
async function syncNode(
  ctx: ControllerContext,
  machine: Machine,
  cls: MachineClass,
  node: Node,
): Promise<number | undefined> {
  const target = ctx.target!;
  const log = ctx.log.with({ machine: machine.metadata.name, node: node.metadata.name });
  // The node finalizer goes with the label/template patch (MCM's node controller adds it in a write of its own).
  const { patch, problem } = nodeTemplatePatch(
    machine,
    node,
    machine.metadata.deletionTimestamp ? undefined : NODE_FINALIZER,
  );
  if (problem) log.warn("Replacing an unreadable last-applied annotation", { problem });
  let wrote = false;
  try {
    if (patch) {
      await target.patch(CoreV1.nodes, node.metadata.name!, patch, "merge");
      wrote = true;
    }
    const vc = virtualCapacityPatch(cls.nodeTemplate?.virtualCapacity, node);
    if (vc) {
      if (vc.annotation !== undefined) {
        await target.patch(CoreV1.nodes, node.metadata.name!, {
          metadata: { annotations: { "node.machine.sapcloud.io/last-applied-virtual-capacity": vc.annotation } },
        }, "merge");
      }
      if (vc.status) {
        await target.patch(CoreV1.nodes, node.metadata.name!, { status: vc.status }, "merge", {
          subresource: "status",
        });
      }
      wrote = true;
    }
  } catch (e) {
    if (isConflict(e)) return CONFLICT_RETRY_MS;
    log.info("Could not sync the node", { error: e });
    return SHORT_RETRY_MS;
  }
  return wrote ? SHORT_RETRY_MS : undefined;
}
