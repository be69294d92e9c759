/**
 * `metadata.managedFields` bookkeeping: which manager wrote which fields (FieldsV1), recorded for server-side apply
 * and for writes that name a fieldManager. Ownership conflicts are not computed. Pure functions.
 */
import type { KubeObject } from "../../k8s/api/objects.ts";
import type { ManagedFieldsEntry } from "kubernetes-types/meta/v1.d.ts";

type FieldSet = Record<string, unknown>;

/** FieldsV1 of a value: `f:<key>` per map key, lists and scalars as leaves. */
export function fieldsOf(value: unknown): FieldSet {
  const out: FieldSet = {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[`f:${k}`] = v !== null && typeof v === "object" && !Array.isArray(v) ? fieldsOf(v) : {};
  }
  return out;
}

/** The fields an applied configuration or an update sets (identity and server-owned metadata excluded). */
export function ownedFields(obj: KubeObject, part: "main" | "status"): FieldSet {
  if (part === "status") {
    const status = (obj as { status?: unknown }).status;
    return status === undefined ? {} : { "f:status": fieldsOf(status) };
  }
  const { apiVersion: _a, kind: _k, metadata, status: _s, ...rest } = obj as KubeObject & { status?: unknown };
  const fields = fieldsOf(rest);
  const meta: FieldSet = {};
  if (metadata.labels && Object.keys(metadata.labels).length) meta["f:labels"] = fieldsOf(metadata.labels);
  if (metadata.annotations && Object.keys(metadata.annotations).length) {
    meta["f:annotations"] = fieldsOf(metadata.annotations);
  }
  if (metadata.finalizers?.length) meta["f:finalizers"] = {};
  if (metadata.ownerReferences?.length) meta["f:ownerReferences"] = {};
  if (Object.keys(meta).length) fields["f:metadata"] = meta;
  return fields;
}

/** managedFields with the entry of (manager, operation, subresource) replaced by a fresh one. */
export function recordManager(
  existing: ManagedFieldsEntry[] | undefined,
  entry: {
    manager: string;
    operation: "Apply" | "Update";
    apiVersion: string;
    time: string;
    fields: FieldSet;
    subresource?: string;
  },
): ManagedFieldsEntry[] {
  const rest = (existing ?? []).filter((e) =>
    !(e.manager === entry.manager && e.operation === entry.operation &&
      (e.subresource ?? "") === (entry.subresource ?? ""))
  );
  const next: ManagedFieldsEntry = {
    manager: entry.manager,
    operation: entry.operation,
    apiVersion: entry.apiVersion,
    time: entry.time,
    fieldsType: "FieldsV1",
    fieldsV1: entry.fields,
    ...(entry.subresource ? { subresource: entry.subresource } : {}),
  };
  return [...rest, next];
}
