/**
 * Field selectors (`metadata.name=x,spec.nodeName!=y`). Like the real server, only `metadata.name`,
 * `metadata.namespace` and a per-resource list of fields are supported; anything else is a 400.
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";

/** One `field=value` / `field!=value` term. */
export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** Thrown for an unparsable selector or an unsupported field (the server answers 400). */
export class FieldSelectorError extends Error {}

type Getter = (obj: KubeObject) => string | undefined;

function path(...keys: string[]): Getter {
  return (obj) => {
    let cur: unknown = obj;
    for (const k of keys) {
      if (cur === null || typeof cur !== "object") return undefined;
      cur = (cur as Record<string, unknown>)[k];
    }
    if (cur === undefined || cur === null) return undefined;
    return typeof cur === "string" ? cur : String(cur);
  };
}

const COMMON: Record<string, Getter> = {
  "metadata.name": path("metadata", "name"),
  "metadata.namespace": path("metadata", "namespace"),
};

/** Fields supported beyond metadata.name/namespace, by storage key (resource.group). */
const BY_RESOURCE: Record<string, Record<string, Getter>> = {
  pods: {
    "spec.nodeName": path("spec", "nodeName"),
    "spec.restartPolicy": path("spec", "restartPolicy"),
    "spec.schedulerName": path("spec", "schedulerName"),
    "spec.serviceAccountName": path("spec", "serviceAccountName"),
    "spec.hostNetwork": (o) => String(((o as { spec?: { hostNetwork?: boolean } }).spec?.hostNetwork) ?? false),
    "status.phase": path("status", "phase"),
    "status.podIP": path("status", "podIP"),
    "status.nominatedNodeName": path("status", "nominatedNodeName"),
  },
  events: {
    "involvedObject.kind": path("involvedObject", "kind"),
    "involvedObject.namespace": path("involvedObject", "namespace"),
    "involvedObject.name": path("involvedObject", "name"),
    "involvedObject.uid": path("involvedObject", "uid"),
    "involvedObject.apiVersion": path("involvedObject", "apiVersion"),
    "involvedObject.resourceVersion": path("involvedObject", "resourceVersion"),
    "involvedObject.fieldPath": path("involvedObject", "fieldPath"),
    "reason": path("reason"),
    "reportingComponent": path("reportingComponent"),
    "source": path("source", "component"),
    "type": path("type"),
  },
  secrets: { "type": path("type") },
  nodes: {
    "spec.unschedulable": (o) => String(((o as { spec?: { unschedulable?: boolean } }).spec?.unschedulable) ?? false),
  },
  namespaces: { "status.phase": path("status", "phase") },
  "replicasets.apps": { "status.replicas": path("status", "replicas") },
};

function gettersFor(storageKey: string): Record<string, Getter> {
  return { ...COMMON, ...(BY_RESOURCE[storageKey] ?? {}) };
}

// Field values escape `\`, `,` and `=` with a backslash.
function unescape(v: string): string {
  return v.replace(/\\(.)/g, "$1");
}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === sep) {
      out.push(cur);
      cur = "";
    } else cur += s[i];
  }
  out.push(cur);
  return out;
}

/** Parses a selector for a resource; throws FieldSelectorError naming the unsupported field. */
export function parseFieldSelector(selector: string | null | undefined, storageKey: string): FieldRequirement[] {
  if (!selector || selector.trim() === "") return [];
  const getters = gettersFor(storageKey);
  const out: FieldRequirement[] = [];
  for (const term of splitUnescaped(selector, ",")) {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/s.exec(term.trim());
    if (!m) throw new FieldSelectorError(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1].trim();
    if (!getters[field]) throw new FieldSelectorError(`field label not supported: ${field}`);
    out.push({ field, op: m[2] === "!=" ? "!=" : "=", value: unescape(m[3]) });
  }
  return out;
}

/** True if the object satisfies every requirement (fields absent on the object compare as ""). */
export function matchesFields(reqs: FieldRequirement[], obj: KubeObject, storageKey: string): boolean {
  if (reqs.length === 0) return true;
  const getters = gettersFor(storageKey);
  for (const r of reqs) {
    const v = getters[r.field]?.(obj) ?? "";
    if (r.op === "=" ? v !== r.value : v === r.value) return false;
  }
  return true;
}
