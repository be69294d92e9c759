/**
 * What gardener-resource-manager makes of a ManagedResource (pure): the objects of its referenced Secrets (every key a
 * multi-document YAML or JSON text, `.br` keys Brotli-compressed), stamped with the injected labels and GRM's origin
 * and managed-by marks; the checksum of the Secrets' data; the resource table entry of an object's kind; whether an
 * applied object differs from what is wanted; and the three conditions GRM reports.
 */
import { brotliDecompressSync } from "node:zlib";
import { parseAllDocuments } from "yaml";
import { createHash } from "node:crypto";
import type { KubeObject } from "../../k8s/api/objects.ts";
import {
  apiVersionOf,
  AutoscalingV1,
  BuiltinResources,
  MonitoringV1,
  type ResourceType,
} from "../../k8s/api/resources.ts";
import { decodeBase64 } from "../../runtime/base64.ts";

/** Finalizer GRM puts on every ManagedResource it reconciles. */
export const GRM_FINALIZER = "resources.gardener.cloud/gardener-resource-manager";
/** Annotation GRM stamps on each applied object: `<mr namespace>/<mr name>`. */
export const ANNOTATION_ORIGIN = "resources.gardener.cloud/origin";
/** Label GRM stamps on each applied object. */
export const LABEL_MANAGED_BY = "resources.gardener.cloud/managed-by";
/** Value of the origin annotation's cluster part in this simulation. */
export const ORIGIN_CLUSTER = "seed";

/** A ManagedResource as this simulation reads it. */
export interface ManagedResource extends KubeObject {
  spec: {
    secretRefs?: Array<{ name: string }>;
    class?: string | null;
    keepObjects?: boolean;
    injectLabels?: Record<string, string>;
  };
  status?: ManagedResourceStatus;
}

/** One object GRM applied (status.resources[]). */
export interface AppliedRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** A condition as GRM writes it. */
export interface MrCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

/** status of a ManagedResource. */
export interface ManagedResourceStatus {
  observedGeneration?: number;
  conditions?: MrCondition[];
  resources?: AppliedRef[];
  secretsDataChecksum?: string;
}

/** Every resource type the simulation can apply. */
const APPLICABLE: readonly ResourceType[] = [
  ...BuiltinResources,
  ...Object.values(AutoscalingV1),
  ...Object.values(MonitoringV1),
];

/** The resource type of `apiVersion`/`kind`, if the simulation knows it. */
export function resourceTypeOf(apiVersion: string, kind: string): ResourceType | undefined {
  return APPLICABLE.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** The manifests of one Secret's data (base64 values), `.br` keys decompressed; keys in sorted order. */
export function objectsOfSecretData(data: Record<string, string> | undefined): KubeObject[] {
  const out: KubeObject[] = [];
  for (const key of Object.keys(data ?? {}).sort()) {
    let bytes = decodeBase64(data![key]);
    if (key.endsWith(".br")) bytes = new Uint8Array(brotliDecompressSync(bytes));
    const text = new TextDecoder().decode(bytes);
    for (const doc of parseAllDocuments(text)) {
      const value = doc.toJS() as KubeObject | null;
      if (value && typeof value === "object" && value.kind) out.push(value);
    }
  }
  return out;
}

/** sha256 over the sha256-hex of each Secret value, secrets and keys in order (GRM's secretsDataChecksum idea). */
export function secretsChecksum(secrets: ReadonlyArray<Record<string, string> | undefined>): string {
  const h = createHash("sha256");
  for (const data of secrets) {
    for (const key of Object.keys(data ?? {}).sort()) {
      h.update(key);
      h.update(createHash("sha256").update(data![key]).digest("hex"));
    }
  }
  return h.digest("hex");
}

/** `obj` as GRM applies it for `mr`: injected labels, the managed-by label and the origin annotation added. */
export function desiredObject(mr: ManagedResource, obj: KubeObject): KubeObject {
  const origin = `${ORIGIN_CLUSTER}:${mr.metadata.namespace}/${mr.metadata.name}`;
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      labels: { ...obj.metadata.labels, ...mr.spec.injectLabels, [LABEL_MANAGED_BY]: "gardener" },
      annotations: { ...obj.metadata.annotations, [ANNOTATION_ORIGIN]: origin },
    },
  };
}

/** The reference kept in status.resources[] for an applied object. */
export function appliedRef(obj: KubeObject): AppliedRef {
  const ref: AppliedRef = { apiVersion: obj.apiVersion ?? "", kind: obj.kind ?? "", name: obj.metadata.name ?? "" };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}

/** Key of an applied reference (to tell the stale ones). */
export function refKey(r: AppliedRef): string {
  return `${r.apiVersion}|${r.kind}|${r.namespace ?? ""}|${r.name}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * The object to write when `current` (as the target holds it) lacks what `desired` wants, or undefined when it already
 * has it: every top-level field but metadata and status equal, desired labels and annotations present.
 */
export function objectUpdate(current: KubeObject, desired: KubeObject): KubeObject | undefined {
  const cur = current as unknown as Record<string, unknown>;
  const want = desired as unknown as Record<string, unknown>;
  let differs = false;
  for (const key of Object.keys(want)) {
    if (key === "metadata" || key === "status" || key === "apiVersion" || key === "kind") continue;
    if (!deepEqual(cur[key], want[key])) differs = true;
  }
  for (const field of ["labels", "annotations"] as const) {
    const have = current.metadata[field] ?? {};
    for (const [k, v] of Object.entries(desired.metadata[field] ?? {})) if (have[k] !== v) differs = true;
  }
  if (!differs) return undefined;
  const merged: Record<string, unknown> = { ...cur };
  for (const key of Object.keys(want)) if (key !== "metadata" && key !== "status") merged[key] = want[key];
  merged.metadata = {
    ...current.metadata,
    labels: { ...current.metadata.labels, ...desired.metadata.labels },
    annotations: { ...current.metadata.annotations, ...desired.metadata.annotations },
  };
  return merged as unknown as KubeObject;
}

/** Why a Deployment is not available yet, or undefined when it is (rolled out, every replica available). */
export function deploymentProblem(d: KubeObject): string | undefined {
  const dep = d as KubeObject & {
    spec?: { replicas?: number };
    status?: { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number };
  };
  const want = dep.spec?.replicas ?? 1;
  const st = dep.status ?? {};
  if ((st.observedGeneration ?? 0) < (dep.metadata.generation ?? 0)) return "observed generation is outdated";
  if ((st.updatedReplicas ?? 0) < want) return `${st.updatedReplicas ?? 0} of ${want} replicas updated`;
  if ((st.availableReplicas ?? 0) < want) return `${st.availableReplicas ?? 0} of ${want} replicas available`;
  return undefined;
}

/** What one pass observed about an MR's objects, for its conditions. */
export interface MrObservation {
  /** Applying failed with this message (secrets missing, target unreachable, a write refused). */
  applyError?: string;
  /** `<Kind> "<ns>/<name>"` → why it is not healthy/rolled out yet. */
  unhealthy: Array<{ kind: string; key: string; problem: string }>;
}

/** GRM's three conditions for an observation (no times: `withConditionTimes` adds them). */
export function mrConditions(obs: MrObservation): MrCondition[] {
  const applied: MrCondition = obs.applyError
    ? { type: "ResourcesApplied", status: "False", reason: "ApplyFailed", message: obs.applyError }
    : { type: "ResourcesApplied", status: "True", reason: "ApplySucceeded", message: "All resources are applied." };
  if (obs.applyError) {
    return [
      applied,
      { type: "ResourcesHealthy", status: "Unknown", reason: "ApplyFailed", message: "Resources are not applied." },
      {
        type: "ResourcesProgressing",
        status: "Unknown",
        reason: "ApplyFailed",
        message: "Resources are not applied.",
      },
    ];
  }
  const first = obs.unhealthy[0];
  const healthy: MrCondition = first
    ? {
      type: "ResourcesHealthy",
      status: "False",
      reason: `${first.kind}Unhealthy`,
      message: `${first.kind} "${first.key}" is unhealthy: ${first.problem}`,
    }
    : { type: "ResourcesHealthy", status: "True", reason: "ResourcesHealthy", message: "All resources are healthy." };
  const progressing: MrCondition = first
    ? {
      type: "ResourcesProgressing",
      status: "True",
      reason: `${first.kind}Progressing`,
      message: `${first.kind} "${first.key}" is progressing: ${first.problem}`,
    }
    : {
      type: "ResourcesProgressing",
      status: "False",
      reason: "ResourcesRolledOut",
      message: "All resources have been fully rolled out.",
    };
  return [applied, healthy, progressing];
}

/** `next` with times kept where the status (transition) or also reason and message (update) are unchanged. */
export { withConditionTimes } from "../kernel/mod.ts";

/** True when the status GRM would write differs from the current one (times aside). */
export function statusChanged(current: ManagedResourceStatus | undefined, next: ManagedResourceStatus): boolean {
  const strip = (s: ManagedResourceStatus | undefined) => ({
    ...s,
    conditions: (s?.conditions ?? []).map(({ lastTransitionTime: _t, lastUpdateTime: _u, ...c }) => c),
  });
  return !deepEqual(strip(current), strip(next));
}
