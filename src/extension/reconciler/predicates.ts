/**
 * Which events of an extension object start a reconcile. With the operation
 * annotation respected (the default):
 *   - create (also the initial list at start): the annotation is reconcile/restore/migrate, or the object is being
 *     deleted, or its lastOperation is missing or not Succeeded (automatic retry after a restart);
 *   - update: the annotation is one of the three (unless only the status changed while the same request was
 *     already pending), or a deletionTimestamp is set and the status did not change (so that our own status writes
 *     never trigger us);
 *   - delete: never.
 * With `--ignore-operation-annotation`: spec changes (generation), deletions, and Cluster changes (separate watch).
 * Always: `spec.type` must match, `spec.class` must be one of ours (unset means `shoot`), the shoot must not have
 * failed. Pure.
 */
import { and, extensionClassOf, hasType, type Predicate } from "../../k8s/controller/predicates.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { jsonEqual } from "../../k8s/api/patch/json_value.ts";
import { LastOperationState } from "../../apis/core/v1beta1.ts";
import type { ExtensionObject } from "./extension_object.ts";
import { requestsWork } from "./operation.ts";

export interface ExtensionPredicateOptions {
  /** `spec.type` to handle, e.g. `equinixmetal`. */
  type: string;
  /** Extension classes to handle (`--extension-classes`); empty means `shoot`. */
  classes?: readonly string[];
  ignoreOperationAnnotation?: boolean;
  /** True if the Cluster of the namespace says the shoot's last operation failed (from a cache; no I/O). */
  isShootFailed: (namespace: string) => boolean;
}

const asExt = (o: KubeObject) => o as ExtensionObject;

/** The default trigger rules of Gardener's extension library (operation annotation respected). */
export function operationAnnotationPredicate(): Predicate<KubeObject> {
  return {
    create: (o) => {
      const obj = asExt(o);
      if (requestsWork(obj) || obj.metadata.deletionTimestamp) return true;
      return obj.status?.lastOperation?.state !== LastOperationState.Succeeded;
    },
    update: (oldO, newO) => {
      const obj = asExt(newO);
      // A pending request counts once: our own status write (Processing is recorded before the annotation goes)
      // changes neither the annotations nor the spec and must not start another reconcile.
      if (requestsWork(obj)) return !samePendingRequest(asExt(oldO), obj);
      return !!obj.metadata.deletionTimestamp && jsonEqual(asExt(oldO).status ?? {}, obj.status ?? {});
    },
    delete: () => false,
  };
}

/** `--ignore-operation-annotation`: spec changes and deletions, whatever the annotation says. */
export function generationOrDeletionPredicate(): Predicate<KubeObject> {
  return {
    create: () => true,
    update: (o, n) =>
      o.metadata.generation !== n.metadata.generation ||
      (!!n.metadata.deletionTimestamp && !o.metadata.deletionTimestamp),
    delete: () => true,
  };
}

/** Keeps objects of the given extension classes (unset class means `shoot`; no classes given means `shoot`). */
export function classPredicate(classes: readonly string[] = []): Predicate<KubeObject> {
  const wanted = classes.length ? classes : ["shoot"];
  const keep = (o: KubeObject) => wanted.includes(extensionClassOf(o));
  return { create: keep, update: (_o, n) => keep(n), delete: keep };
}

/** Drops events of objects whose shoot failed: the user must press "retry" first (gardenlet then re-annotates). */
export function shootNotFailedPredicate(isShootFailed: (namespace: string) => boolean): Predicate<KubeObject> {
  const keep = (o: KubeObject) => !isShootFailed(o.metadata.namespace ?? "");
  return { create: keep, update: (_o, n) => keep(n), delete: keep };
}

/** Every predicate of an extension controller's primary watch, combined. */
export function extensionPredicates(opts: ExtensionPredicateOptions): Predicate<KubeObject> {
  return and(
    hasType<KubeObject>(opts.type),
    classPredicate(opts.classes),
    opts.ignoreOperationAnnotation ? generationOrDeletionPredicate() : operationAnnotationPredicate(),
    // Last: it decodes the Cluster, the others only look at the event's object.
    shootNotFailedPredicate(opts.isShootFailed),
  );
}

/** True if the update changed neither the pending request (annotations) nor the spec (generation). */
function samePendingRequest(old: ExtensionObject, cur: ExtensionObject): boolean {
  return requestsWork(old) && old.metadata.generation === cur.metadata.generation &&
    jsonEqual(old.metadata.annotations ?? {}, cur.metadata.annotations ?? {});
}
