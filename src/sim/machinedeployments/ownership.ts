/**
 * SIMULATION: who owns what. MachineSets are owned by their MachineDeployment and Machines by their MachineSet
 * through a controller owner reference; informers index objects by their controller's UID (orphans under one
 * key), so that a controller finds its children without scanning everything. Orphans whose labels match an
 * owner's selector are adopted, as MCM's controller-ref managers do.
 */
import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";
import { controllerOf, type KubeObject } from "../../k8s/api/objects.ts";
import { parseLabelSelectorObject, selectorMatches } from "../../k8s/api/label_selector.ts";

/** Index name: objects by the UID of their controller owner. */
export const CONTROLLER_UID_INDEX = "controller-uid";
/** Index value of objects without a controller. */
export const ORPHAN = "<orphan>";

/** Index function for `CONTROLLER_UID_INDEX`. */
export function indexByControllerUid(obj: KubeObject): string[] {
  return [controllerOf(obj)?.uid ?? ORPHAN];
}

/** True if `obj`'s controller is the object with that UID. */
export function isControlledBy(obj: KubeObject, uid: string | undefined): boolean {
  return !!uid && controllerOf(obj)?.uid === uid;
}

/** True if `selector` (a non-empty, valid selector) selects `labels`; invalid selectors select nothing. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  const parsed = parseLabelSelectorObject(selector);
  if ("error" in parsed) return false;
  const s = parsed.selector;
  if (!Object.keys(s.matchLabels ?? {}).length && !(s.matchExpressions ?? []).length) return false;
  return selectorMatches(s, labels);
}

/** Orphans of `namespace` an owner with `selector` may adopt (not being deleted, labels selected). */
export function adoptable<T extends KubeObject>(
  orphans: readonly T[],
  namespace: string | undefined,
  selector: LabelSelector | undefined,
): T[] {
  return orphans.filter((o) =>
    o.metadata.namespace === namespace && !o.metadata.deletionTimestamp && !controllerOf(o) &&
    selects(selector, o.metadata.labels)
  );
}
