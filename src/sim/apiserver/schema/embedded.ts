/**
 * `x-kubernetes-embedded-resource`: a schema node that holds a whole Kubernetes object (for example a
 * ManagedResource's or a Worker's embedded manifests). kube-apiserver keeps its `apiVersion`, `kind` and `metadata`
 * even when the schema does not declare them, reduces `metadata` to ObjectMeta fields, and requires `apiVersion`
 * and `kind` (apiextensions-apiserver `pkg/apiserver/schema/objectmeta`).
 */
import { type FieldError, invalid, required } from "./field_errors.ts";
import { childPath, isPlainObject } from "./node.ts";

/** JSON field names of metav1.ObjectMeta; anything else inside an embedded `metadata` is dropped. */
export const OBJECT_META_FIELDS: ReadonlySet<string> = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

/** Keys a resource root or embedded resource keeps whatever its schema says. */
export const RESOURCE_ENVELOPE_FIELDS: ReadonlySet<string> = new Set(["apiVersion", "kind", "metadata"]);

/** Drops unknown fields of an embedded object's metadata (a copy; non-objects are returned unchanged). */
export function coerceEmbeddedMetadata(meta: unknown): unknown {
  if (!isPlainObject(meta)) return meta;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) if (OBJECT_META_FIELDS.has(k)) out[k] = v;
  return out;
}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : ["", key];
  if (slash >= 0 && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return "prefix part must be a lowercase RFC 1123 subdomain";
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
      "alphanumeric character, at most 63 characters";
  }
  return undefined;
}

function pathSegmentProblem(name: string): string | undefined {
  if (name === "." || name === "..") return `may not be '${name}'`;
  if (name.includes("/")) return "may not contain '/'";
  if (name.includes("%")) return "may not contain '%'";
  return undefined;
}

function stringMapErrors(path: string, v: unknown, checkLabels: boolean): FieldError[] {
  if (!isPlainObject(v)) return [invalid(path, v, "must be a map of strings")];
  const errors: FieldError[] = [];
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== "string") {
      errors.push(invalid(childPath(path, k), val, "must be a string"));
      continue;
    }
    if (!checkLabels) continue;
    const keyProblem = labelKeyProblem(k);
    if (keyProblem) errors.push(invalid(path, k, keyProblem));
    if (val !== "" && (val.length > 63 || !LABEL_NAME.test(val))) {
      errors.push(invalid(
        childPath(path, k),
        val,
        "a valid label value must be 63 characters or less and must be " +
          "empty or begin and end with an alphanumeric character",
      ));
    }
  }
  return errors;
}

function metadataErrors(path: string, meta: unknown): FieldError[] {
  if (!isPlainObject(meta)) return [invalid(path, meta, "must be an object")];
  const errors: FieldError[] = [];
  for (const key of ["name", "generateName", "namespace"] as const) {
    const v = meta[key];
    if (v === undefined) continue;
    if (typeof v !== "string") {
      errors.push(invalid(childPath(path, key), v, "must be a string"));
      continue;
    }
    const problem = key === "namespace" ? undefined : pathSegmentProblem(v);
    if (problem) errors.push(invalid(childPath(path, key), v, problem));
  }
  if (meta.labels !== undefined) errors.push(...stringMapErrors(childPath(path, "labels"), meta.labels, true));
  if (meta.annotations !== undefined) {
    errors.push(...stringMapErrors(childPath(path, "annotations"), meta.annotations, false));
  }
  return errors;
}

/** The checks kube applies to an embedded object: apiVersion and kind required and well-formed, metadata sane. */
export function embeddedResourceErrors(path: string, obj: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const apiVersionPath = childPath(path, "apiVersion");
  const kindPath = childPath(path, "kind");
  if (!("apiVersion" in obj)) errors.push(required(apiVersionPath));
  if (!("kind" in obj)) errors.push(required(kindPath));
  const apiVersion = obj.apiVersion;
  if ("apiVersion" in obj) {
    if (typeof apiVersion !== "string") errors.push(invalid(apiVersionPath, apiVersion, "must be a string"));
    else if (apiVersion === "") errors.push(invalid(apiVersionPath, apiVersion, "must not be empty"));
    else if (apiVersion.split("/").length > 2) {
      errors.push(invalid(apiVersionPath, apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
    }
  }
  const kind = obj.kind;
  if ("kind" in obj) {
    if (typeof kind !== "string") errors.push(invalid(kindPath, kind, "must be a string"));
    else if (kind === "") errors.push(invalid(kindPath, kind, "must not be empty"));
    else if (kind.length > 63 || !DNS1035_LABEL.test(kind.toLowerCase())) {
      errors.push(invalid(
        kindPath,
        kind,
        "may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case " +
          "alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
      ));
    }
  }
  if ("metadata" in obj) errors.push(...metadataErrors(childPath(path, "metadata"), obj.metadata));
  return errors;
}
