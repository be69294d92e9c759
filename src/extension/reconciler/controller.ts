/**
 * Wires the generic reconciler of one extension kind into a controller: the kind's informer with the extension
 * predicates, a Cluster informer (failed-shoot filter; and, with `--ignore-operation-annotation`, a watch that maps
 * Cluster changes to the objects of its namespace), concurrency and backoff. The result is a `Runnable` for the
 * Manager.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { Controller, type RateLimiterOptions, type Request } from "../../k8s/controller/controller.ts";
import type { EventRecorder } from "../../k8s/controller/events.ts";
import type { Informer, InformerFactory } from "../../k8s/cache/informer.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { passes, type Predicate } from "../../k8s/controller/predicates.ts";
import { ExtensionsV1alpha1 } from "../../k8s/api/resources.ts";
import type { Runnable } from "../../k8s/controller/manager.ts";
import { isShootFailed } from "../../apis/core/shoot.ts";
import { EXTENSION_TYPE } from "../../apis/extensions/constants.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import type { Actuator, ExtensionKind } from "./actuator.ts";
import { clusterContextOf } from "./cluster.ts";
import type { ExtensionObject } from "./extension_object.ts";
import { classPredicate, extensionPredicates } from "./predicates.ts";
import { ExtensionReconciler } from "./extension_reconcile.ts";
import { hasType } from "../../k8s/controller/predicates.ts";

/** Everything `newExtensionController` needs; only `kind`, `actuator`, `client` and `informers` are required. */
export interface ExtensionControllerOptions<T extends ExtensionObject> {
  kind: ExtensionKind;
  actuator: Actuator<T>;
  /** Seed client (reads, status and metadata writes). */
  client: KubeClient;
  /** Shared informers, usually `manager.informers`. */
  informers: InformerFactory;
  /** Lenient decoder of the kind, e.g. `decodeInfrastructure` (validates at the boundary). */
  decode?: (raw: unknown, object: string) => T;
  /** `spec.type` to handle (default `equinixmetal`). */
  extensionType?: string;
  /** `--extension-classes` (default: `shoot`; an unset `spec.class` counts as `shoot`). */
  extensionClasses?: readonly string[];
  /** `--ignore-operation-annotation`: react to spec and Cluster changes instead of gardenlet's annotation. */
  ignoreOperationAnnotation?: boolean;
  /** `--<kind>-max-concurrent-reconciles` (default 5, as the Go provider). */
  concurrency?: number;
  rateLimiter?: RateLimiterOptions;
  recorder?: EventRecorder;
  clock?: Clock;
  log?: Logger;
  /** Controller name (metrics, logs); default `<noun>_controller`. */
  name?: string;
}

/** A running-ready extension controller. */
export interface ExtensionController<T extends ExtensionObject> extends Runnable {
  readonly controller: Controller;
  readonly reconciler: ExtensionReconciler<T>;
  /** The informer of the kind (tests wait for it to sync). */
  readonly informer: Informer<KubeObject>;
}

/** True if the Cluster cached for the namespace says the shoot failed; a missing or undecodable one says no. */
function cachedShootFailed(clusters: Informer<KubeObject>): (namespace: string) => boolean {
  return (namespace) => {
    const raw = clusters.get(namespace);
    if (!raw) return false;
    try {
      return isShootFailed(clusterContextOf(raw).shoot);
    } catch {
      return false; // the reconciler reports the broken Cluster
    }
  };
}

/** Builds the controller of one extension kind on top of the generic reconciler. */
export function newExtensionController<T extends ExtensionObject>(
  opts: ExtensionControllerOptions<T>,
): ExtensionController<T> {
  const clock = opts.clock ?? realClock;
  const name = opts.name ?? `${opts.kind.noun.replace(/\s+/g, "")}_controller`;
  const log = opts.log ?? getLogger(`extension.${name}`);
  const type = opts.extensionType ?? EXTENSION_TYPE;
  const classes = opts.extensionClasses ?? [];
  const informer = opts.informers.informer<KubeObject>(opts.kind.resource);
  const clusters = opts.informers.informer<KubeObject>(ExtensionsV1alpha1.clusters);

  const reconciler = new ExtensionReconciler<T>({
    kind: opts.kind,
    actuator: opts.actuator,
    client: opts.client,
    decode: opts.decode,
    recorder: opts.recorder,
    clock,
    log,
  });
  const controller = new Controller({
    name,
    reconciler,
    concurrency: opts.concurrency ?? 5,
    rateLimiter: opts.rateLimiter,
    clock,
    log,
  });
  controller.watch(informer, {
    predicates: [
      extensionPredicates({
        type,
        classes,
        ignoreOperationAnnotation: opts.ignoreOperationAnnotation,
        isShootFailed: cachedShootFailed(clusters),
      }),
    ],
  });
  if (opts.ignoreOperationAnnotation) {
    // Without gardenlet's trigger, a changed Cluster (shoot spec, hibernation, ...) must reach the objects itself.
    const mine: Predicate<KubeObject> = hasType<KubeObject>(type);
    const ofClass = classPredicate(classes);
    controller.watch(clusters, {
      predicates: [{ create: () => false, delete: () => false }],
      map: (cluster): Request[] =>
        informer.list(cluster.metadata.name ?? "")
          .filter((o) => passes([mine, ofClass], { type: "create", obj: o }))
          .map((o) => ({ namespace: o.metadata.namespace, name: o.metadata.name ?? "" })),
    });
  } else {
    // Registered so the Cluster cache is synced before the first reconcile (the failed-shoot filter reads it).
    controller.watch(clusters, { predicates: [{ create: () => false, update: () => false, delete: () => false }] });
  }
  return {
    controller,
    reconciler,
    informer,
    start: (signal) => controller.start(signal),
  };
}
