/**
 * What kube-apiserver does to particular built-in types on write: Secrets merge `stringData` into base64 `data`,
 * Namespaces get the `kubernetes` finalizer and a phase. Pure functions that return the object to store or field
 * errors.
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";
import { encodeBase64 } from "../../../runtime/base64.ts";
import type { MetaFieldError } from "../object_meta.ts";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** Secret: checks `data` is base64 and moves `stringData` into it; returns errors instead when invalid. */
export function normaliseSecret(obj: KubeObject): { object: KubeObject; errors: MetaFieldError[] } {
  const secret = obj as KubeObject & { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
  const errors: MetaFieldError[] = [];
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    if (!SECRET_KEY.test(k)) {
      errors.push({
        type: "FieldValueInvalid",
        field: "data",
        message: `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
      });
    }
    if (typeof v !== "string" || !BASE64.test(v)) {
      // The real server fails to decode the JSON body here; the field is named so the caller can fix it.
      errors.push({ type: "FieldValueInvalid", field: `data[${k}]`, message: "Invalid value: illegal base64 data" });
      continue;
    }
    data[k] = v;
  }
  for (const [k, v] of Object.entries(secret.stringData ?? {})) {
    if (!SECRET_KEY.test(k)) {
      errors.push({
        type: "FieldValueInvalid",
        field: "stringData",
        message: `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
      });
      continue;
    }
    if (typeof v !== "string") {
      errors.push({
        type: "FieldValueTypeInvalid",
        field: `stringData[${k}]`,
        message: "Invalid value: must be a string",
      });
      continue;
    }
    data[k] = encodeBase64(v);
  }
  const { stringData: _dropped, ...rest } = secret;
  const object = { ...rest } as KubeObject & { data?: Record<string, string>; type?: string };
  if (Object.keys(data).length > 0 || secret.data !== undefined) object.data = data;
  object.type ??= "Opaque";
  return { object, errors };
}

/** Namespace on create: the `kubernetes` spec finalizer and phase Active. */
export function newNamespace(obj: KubeObject): KubeObject {
  const ns = obj as KubeObject & { spec?: { finalizers?: string[] }; status?: { phase?: string } };
  const finalizers = ns.spec?.finalizers ?? ["kubernetes"];
  return { ...ns, spec: { ...ns.spec, finalizers }, status: { ...ns.status, phase: "Active" } } as KubeObject;
}

/** Namespace whose deletion started: phase Terminating. */
export function terminatingNamespace(obj: KubeObject): KubeObject {
  const ns = obj as KubeObject & { status?: Record<string, unknown> };
  return { ...ns, status: { ...ns.status, phase: "Terminating" } } as KubeObject;
}

/** Namespace whose content is gone: the `kubernetes` spec finalizer removed. */
export function finalizedNamespace(obj: KubeObject): KubeObject {
  const ns = obj as KubeObject & { spec?: { finalizers?: string[] } };
  const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== "kubernetes");
  return { ...ns, spec: { ...ns.spec, finalizers } } as KubeObject;
}

/** True while a namespace's spec finalizers still hold it. */
export function namespaceSpecFinalizers(obj: KubeObject): string[] {
  return (obj as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? [];
}
