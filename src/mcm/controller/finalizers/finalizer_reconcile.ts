/**
 * The node, MachineClass and Secret queues: finalizer bookkeeping (MCM node.go, machineclass.go, secret.go).
 * Finalizer lists are written with the resourceVersion they were read at, so a concurrent change is never lost.
 */
import {
  type MachineClass,
  MC_SECRET_FINALIZER,
  MCM_FINALIZER,
  NODE_FINALIZER,
} from "../../../apis/machine/v1alpha1.ts";
import { CoreV1, MachineV1alpha1 } from "../../../k8s/api/resources.ts";
import { isConflict, isNotFound } from "../../../k8s/api/errors.ts";
import { type KubeObject, objectKey, parseObjectKey } from "../../../k8s/api/objects.ts";
import {
  type ControllerContext,
  INDEX_CLASS_BY_SECRET,
  INDEX_MACHINE_BY_CLASS,
  INDEX_MACHINE_BY_NODE,
  latestMachines,
} from "../context.ts";
import { classFinalizerAction } from "./class_finalizer.ts";
import { secretFinalizerAction } from "./secret_finalizer.ts";
import { nodeAction } from "../nodes/node_actions.ts";
import { CONFLICT_RETRY_MS, LONG_RETRY_MS, requeueAfter, SHORT_RETRY_MS } from "../retry.ts";
import type { Result } from "../../../k8s/controller/controller.ts";

/** The finalizer list with `finalizer` added or removed. */
function finalizersWith(obj: KubeObject, finalizer: string, present: boolean): string[] {
  const list = obj.metadata.finalizers ?? [];
  return present ? [...list.filter((f) => f !== finalizer), finalizer] : list.filter((f) => f !== finalizer);
}

/**
 * JSON patch removing one finalizer: `test` pins the entry at its index, so a concurrent change of the list makes
 * the patch fail instead of dropping someone else's finalizer, and no resourceVersion is needed (a cache that is a
 * write behind does not cause a conflict). Undefined when the finalizer is not there.
 */
export function removeFinalizerJsonPatch(obj: KubeObject, finalizer: string) {
  const i = obj.metadata.finalizers?.indexOf(finalizer) ?? -1;
  if (i < 0) return undefined;
  return [
    { op: "test" as const, path: `/metadata/finalizers/${i}`, value: finalizer },
    { op: "remove" as const, path: `/metadata/finalizers/${i}` },
  ];
}

/** Merge patch of the finalizer list, guarded by the resourceVersion it was computed from. */
export function finalizerPatch(obj: KubeObject, finalizer: string, present: boolean) {
  return {
    metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: finalizersWith(obj, finalizer, present) },
  };
}

function retryFor(ctx: ControllerContext, e: unknown, what: string): number {
  if (isNotFound(e)) return 0;
  if (isConflict(e)) return CONFLICT_RETRY_MS;
  ctx.log.error(`Updating the ${what} failed`, { error: e });
  return SHORT_RETRY_MS;
}

/** Node queue: node finalizer; a deleted Node deletes its Machine. */
export async function reconcileNode(ctx: ControllerContext, key: string): Promise<Result> {
  const caches = ctx.targetCaches!;
  const target = ctx.target!;
  const node = caches.nodes.get(key);
  // A missing Node counts as deleted only after a delete event; otherwise its machine is still coming up.
  const deleted = !node && ctx.state.deletedNodes.has(key);
  if (!node && !deleted) return {};
  const machines = latestMachines(ctx, ctx.machines.byIndex(INDEX_MACHINE_BY_NODE, key))
    .filter((m) => m.metadata.namespace === ctx.namespace);
  const action = nodeAction(node, machines, key);
  const log = ctx.log.with({ node: key });
  try {
    switch (action.kind) {
      case "ignore":
        log.debug("Ignoring node", { reason: action.reason });
        return {};
      case "removeFinalizer":
        await target.patch(CoreV1.nodes, key, finalizerPatch(node!, NODE_FINALIZER, false), "merge");
        return {};
      case "deleteMachine":
        log.info("Node is being deleted; deleting its machine", { machine: action.machine.metadata.name });
        try {
          await ctx.control.delete(MachineV1alpha1.machines, action.machine.metadata.name!, {
            namespace: action.machine.metadata.namespace,
          });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        if (deleted) ctx.state.deletedNodes.delete(key);
        return {};
      case "none":
        if (deleted) ctx.state.deletedNodes.delete(key);
        return {};
    }
  } catch (e) {
    return requeueAfter(retryFor(ctx, e, "node"));
  }
}

/** Adds or removes the machine finalizer of a MachineClass. */
async function patchClassFinalizer(ctx: ControllerContext, cls: MachineClass, present: boolean): Promise<void> {
  const patch = finalizerPatch(cls, MCM_FINALIZER, present);
  await ctx.control.patch(MachineV1alpha1.machineClasses, cls.metadata.name!, patch, "merge", {
    namespace: cls.metadata.namespace,
  });
}

/** MachineClass queue: finalizer while used; used machines are enqueued. */
export async function reconcileMachineClass(ctx: ControllerContext, key: string): Promise<Result> {
  const cls = ctx.classes.get(key) as MachineClass | undefined;
  if (!cls) return {};
  const users = ctx.machines.byIndex(INDEX_MACHINE_BY_CLASS, key);
  const action = classFinalizerAction(cls, users);
  const log = ctx.log.with({ class: key });
  try {
    switch (action.kind) {
      case "add":
        await patchClassFinalizer(ctx, cls, true);
        for (const m of users) if (!m.metadata.deletionTimestamp) ctx.queues.machine(objectKey(m));
        return requeueAfter(LONG_RETRY_MS);
      case "remove":
        await patchClassFinalizer(ctx, cls, false);
        return {};
      case "blocked":
        log.info("MachineClass is being deleted but still used", {
          machines: action.machines.slice(0, 10),
          count: action.machines.length,
        });
        return requeueAfter(SHORT_RETRY_MS);
      case "none":
        return requeueAfter(cls.metadata.deletionTimestamp ? 0 : LONG_RETRY_MS);
    }
  } catch (e) {
    return requeueAfter(retryFor(ctx, e, "MachineClass"));
  }
}

/** Secret queue: finalizer while a MachineClass refers to the secret. */
export async function reconcileSecret(ctx: ControllerContext, key: string): Promise<Result> {
  const secret = ctx.secrets.get(key);
  if (!secret) return {};
  const ref = parseObjectKey(key);
  if (ref.namespace !== ctx.namespace) return {};
  const classes = ctx.classes.byIndex(INDEX_CLASS_BY_SECRET, key) as MachineClass[];
  const action = secretFinalizerAction(secret, classes, ctx.namespace);
  try {
    if (action !== "none") {
      await ctx.control.patch(
        CoreV1.secrets,
        ref.name,
        finalizerPatch(secret, MC_SECRET_FINALIZER, action === "add"),
        "merge",
        {
          namespace: ref.namespace,
        },
      );
    }
  } catch (e) {
    return requeueAfter(retryFor(ctx, e, "secret"));
  }
  return requeueAfter(LONG_RETRY_MS);
}
