/** The shape every Kubernetes object and list shares, plus helpers for keys and metadata. */
import type { ObjectMeta, OwnerReference } from "kubernetes-types/meta/v1.d.ts";

export type { ObjectMeta, OwnerReference };

/** Any Kubernetes object: typed parts of an object are layered on top of this. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/** A list response (`metadata.continue` drives pagination). */
export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** One event of a watch stream; `ERROR` carries a `Status` object. */
export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

/** Identifies an object inside a resource type. */
export interface ObjectRef {
  namespace?: string;
  name: string;
}

/** Cache and work-queue key: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: { metadata?: ObjectMeta } | ObjectRef): string {
  const ref: ObjectRef = "metadata" in obj
    ? { namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? "" }
    : obj as ObjectRef;
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

/** Inverse of `objectKey`. */
export function parseObjectKey(key: string): ObjectRef {
  const i = key.indexOf("/");
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** True if the object carries a deletionTimestamp. */
export function isDeleting(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp;
}

/** True if the finalizer is present. */
export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata.finalizers?.includes(finalizer) ?? false;
}

/** The controlling owner reference, if any. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((o) => o.controller);
}

/** Parses the resourceVersion as a number for ordering (our fake server and etcd both use integers). */
export function resourceVersionNumber(obj: KubeObject | string | undefined): number {
  const rv = typeof obj === "string" ? obj : obj?.metadata.resourceVersion;
  const n = Number(rv);
  return Number.isFinite(n) ? n : 0;
}
