/**
 * How an update turns the stored object and the submitted one into the next stored object: status kept apart,
 * system metadata preserved, generation bumped only by spec changes, no new finalizers while deleting, fields the
 * built-in kinds declare immutable left unchanged. Pure.
 */
import type { KubeObject, ObjectMeta } from "../../k8s/api/objects.ts";
import type { MetaFieldError } from "./object_meta.ts";

type Json = unknown;

/** Structural equality of JSON values (key order does not matter). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, Json>;
  const bo = b as Record<string, Json>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!Object.hasOwn(bo, k) || !jsonEqual(ao[k], bo[k])) return false;
  return true;
}

/** Top-level fields other than metadata (and status when it is a separate subresource). */
function specPart(obj: KubeObject, statusSeparate: boolean): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === "metadata" || k === "apiVersion" || k === "kind") continue;
    if (statusSeparate && k === "status") continue;
    out[k] = v;
  }
  return out;
}

/** True if the change from `old` to `next` must bump metadata.generation. */
export function generationChanged(old: KubeObject, next: KubeObject, statusSeparate: boolean): boolean {
  return !jsonEqual(specPart(old, statusSeparate), specPart(next, statusSeparate));
}

/** Metadata fields only the server sets; a client's values are ignored on update. */
const SYSTEM_META: Array<keyof ObjectMeta> = [
  "uid",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "generation",
  "namespace",
  "name",
  "selfLink",
];

function keepSystemMeta(old: ObjectMeta, next: ObjectMeta): ObjectMeta {
  const out: ObjectMeta = { ...next };
  for (const k of SYSTEM_META) {
    if (old[k] === undefined) delete out[k];
    else (out as Record<string, unknown>)[k] = old[k];
  }
  if (next.managedFields === undefined && old.managedFields !== undefined) out.managedFields = old.managedFields;
  return out;
}

/** A write to the main resource: status changes are ignored when status is a subresource. */
export function mergeMainWrite(old: KubeObject, submitted: KubeObject, statusSeparate: boolean): KubeObject {
  const next: KubeObject & { status?: unknown } = {
    ...submitted,
    metadata: keepSystemMeta(old.metadata, submitted.metadata),
  };
  if (statusSeparate) {
    const oldStatus = (old as { status?: unknown }).status;
    if (oldStatus === undefined) delete next.status;
    else next.status = oldStatus;
  }
  return next;
}

/** A write to the status subresource: everything but status comes from the stored object. */
export function mergeStatusWrite(old: KubeObject, submitted: KubeObject): KubeObject {
  const next: KubeObject & { status?: unknown } = { ...old };
  const status = (submitted as { status?: unknown }).status;
  if (status === undefined) delete next.status;
  else next.status = status;
  return next;
}

/** Finalizers present in `next` but not in `old`. */
export function addedFinalizers(old: KubeObject, next: KubeObject): string[] {
  const before = new Set(old.metadata.finalizers ?? []);
  return (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
}

/** True if two objects differ in anything but resourceVersion and managedFields (no-op updates are not stored). */
export function meaningfulChange(old: KubeObject, next: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined },
  });
  return !jsonEqual(strip(old), strip(next));
}

/** Fields of built-in kinds that an update may not change (by storage key), and kube's wording when one does. */
const IMMUTABLE_FIELDS: Record<string, { path: string[]; message: string }> = {
  "deployments.apps": { path: ["spec", "selector"], message: "field is immutable" },
  "replicasets.apps": { path: ["spec", "selector"], message: "field is immutable" },
  "statefulsets.apps": { path: ["spec", "selector"], message: "field is immutable" },
  "daemonsets.apps": { path: ["spec", "selector"], message: "field is immutable" },
  "rolebindings.rbac.authorization.k8s.io": { path: ["roleRef"], message: "cannot change roleRef" },
  "clusterrolebindings.rbac.authorization.k8s.io": { path: ["roleRef"], message: "cannot change roleRef" },
};

function at(obj: unknown, path: readonly string[]): unknown {
  let v = obj;
  for (const k of path) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** The immutable field of `storage` that `next` changes from `old`, as kube's validation reports it (422). */
export function immutableFieldErrors(storage: string, old: KubeObject, next: KubeObject): MetaFieldError[] {
  const rule = IMMUTABLE_FIELDS[storage];
  if (!rule) return [];
  const value = at(next, rule.path);
  if (jsonEqual(at(old, rule.path), value)) return [];
  return [{
    type: "FieldValueInvalid",
    field: rule.path.join("."),
    message: `Invalid value: ${JSON.stringify(value)}: ${rule.message}`,
  }];
}
