/**
 * The `scale` subresource (autoscaling/v1 Scale): built-in workloads use spec.replicas / status.replicas /
 * spec.selector, custom resources the paths their CRD names. Pure conversions between object and Scale.
 */
import type { KubeObject } from "../../k8s/api/objects.ts";
import type { ServedResource } from "./registry/served_resource.ts";
import { labelSelectorToString } from "../../k8s/api/label_selector.ts";

/** autoscaling/v1 Scale. */
export interface ScaleObject extends KubeObject {
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

function readPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.replace(/^\./, "").split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function writePath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.replace(/^\./, "").split(".");
  let cur = obj;
  for (const key of keys.slice(0, -1)) {
    const next = cur[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}

function paths(r: ServedResource): { spec: string; status: string; selector?: string } {
  const scale = r.custom?.scale;
  if (scale) {
    return { spec: scale.specReplicasPath, status: scale.statusReplicasPath, selector: scale.labelSelectorPath };
  }
  return { spec: ".spec.replicas", status: ".status.replicas" };
}

/** The Scale view of an object. */
export function toScale(r: ServedResource, obj: KubeObject): ScaleObject {
  const p = paths(r);
  const specReplicas = readPath(obj, p.spec);
  const statusReplicas = readPath(obj, p.status);
  let selector: string | undefined;
  if (p.selector) {
    const s = readPath(obj, p.selector);
    selector = typeof s === "string" ? s : undefined;
  } else {
    selector = labelSelectorToString(
      (obj as { spec?: { selector?: Parameters<typeof labelSelectorToString>[0] } }).spec?.selector,
    ) || undefined;
  }
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: obj.metadata.name,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: typeof specReplicas === "number" ? { replicas: specReplicas } : {},
    status: { replicas: typeof statusReplicas === "number" ? statusReplicas : 0, ...(selector ? { selector } : {}) },
  };
}

/** Field errors of a submitted Scale (replicas must be a non-negative integer). */
export function validateScale(scale: unknown): Array<{ type: string; field: string; message: string }> {
  const replicas = (scale as { spec?: { replicas?: unknown } } | null)?.spec?.replicas;
  if (replicas === undefined) return [];
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    return [{
      type: "FieldValueInvalid",
      field: "spec.replicas",
      message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
    }];
  }
  return [];
}

/** A copy of the object with the Scale's replicas written into it (resourceVersion taken from the Scale). */
export function applyScale(r: ServedResource, obj: KubeObject, scale: ScaleObject): KubeObject {
  const next = structuredClone(obj) as KubeObject & Record<string, unknown>;
  writePath(next, paths(r).spec, scale.spec?.replicas ?? 0);
  next.metadata = { ...next.metadata, resourceVersion: scale.metadata?.resourceVersion };
  return next;
}
