/**
 * The health-check controller of one extension kind (Gardener's `healthcheck.DefaultRegistration`): the kind's shared
 * informer filtered by type and class, enqueued on creation and spec changes (its own condition writes change no
 * generation, so they never trigger it), every object requeued each sync period by the reconciler, and Cluster
 * changes of hibernation mapped to the objects of the namespace.
 */
import { EXTENSION_TYPE } from "../../apis/extensions/constants.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { Controller, type Request } from "../../k8s/controller/controller.ts";
import type { Runnable } from "../../k8s/controller/manager.ts";
import { and, generationChanged, hasType, passes, type Predicate } from "../../k8s/controller/predicates.ts";
import { ExtensionsV1alpha1 } from "../../k8s/api/resources.ts";
import { type AddArgs, classPredicate, type ControllerManager } from "../reconciler/mod.ts";
import { HealthCheckReconciler, type HealthCheckRegistration, hibernated } from "./healthcheck_reconcile.ts";

/** The health-check options of a kind. */
export interface HealthCheckControllerOptions {
  /** `healthCheckConfig.syncPeriod`. */
  syncPeriodMs: number;
  /** `--healthcheck-max-concurrent-reconciles`. */
  concurrency: number;
  /** `spec.type` to check (default `equinixmetal`). */
  extensionType?: string;
  /** Called when a namespace's shoot needs no more reading. */
  release?: (namespace: string) => void;
}

/** A running-ready health-check controller. */
export interface HealthCheckController extends Runnable {
  readonly controller: Controller;
  readonly reconciler: HealthCheckReconciler;
}

/** Builds the health-check controller of one registration on the manager's informers (the caller runs it). */
export function newHealthCheckController(
  manager: Pick<ControllerManager, "informers">,
  args: AddArgs<unknown>,
  registration: HealthCheckRegistration,
  opts: HealthCheckControllerOptions,
): HealthCheckController {
  const kind = registration.kind;
  const objects = manager.informers.informer<KubeObject>(kind.resource);
  const clusters = manager.informers.informer<KubeObject>(ExtensionsV1alpha1.clusters);
  const log = args.log.child(kind.kind.toLowerCase());
  const reconciler = new HealthCheckReconciler({
    registration,
    client: args.client,
    objects,
    clusters,
    syncPeriodMs: opts.syncPeriodMs,
    clock: args.clock,
    release: opts.release,
  });
  const controller = new Controller({
    name: `healthcheck-${kind.kind}-extensions.gardener.cloud-v1alpha1`,
    reconciler,
    concurrency: opts.concurrency,
    clock: args.clock,
    log,
  });
  const mine: Predicate<KubeObject> = and(
    hasType<KubeObject>(opts.extensionType ?? EXTENSION_TYPE),
    classPredicate(args.extensionClasses),
  );
  controller.watch(objects, { predicates: [mine, generationChanged(), { delete: () => false }] });
  controller.watch(clusters, {
    predicates: [{ create: () => false, delete: () => false, update: (o, n) => hibernated(o) !== hibernated(n) }],
    map: (cluster): Request[] =>
      objects.list(cluster.metadata.name ?? "")
        .filter((o) => passes([mine], { type: "create", obj: o }))
        .map((o) => ({ namespace: o.metadata.namespace, name: o.metadata.name ?? "" })),
  });
  return { controller, reconciler, start: (signal: AbortSignal) => controller.start(signal) };
}
