/**
 * Node template sync (MCM syncMachineNodeTemplates): the Machine's `spec.nodeTemplate` labels, annotations and
 * taints are applied to its Node, and what was applied is remembered in the Node annotation
 * `node.machine.sapcloud.io/last-applied-anno-labels-taints`, so that entries removed from the template are removed
 * from the Node (entries others put on the Node are never touched). The Node also gets the label
 * `node.gardener.cloud/machine-name`. The MachineClass `nodeTemplate.virtualCapacity` goes into the Node's status
 * capacity, tracked the same way. Pure: returns merge patches, or nothing when the Node is in sync.
 */
import {
  type Machine,
  NODE_ANNOTATION_LAST_APPLIED_ALT,
  NODE_ANNOTATION_LAST_APPLIED_VIRTUAL_CAPACITY,
  NODE_LABEL_MACHINE_NAME,
  type NodeTemplateSpec,
  type Taint,
} from "../../../apis/machine/v1alpha1.ts";
import type { Node } from "../../../k8s/api/builtin_types.ts";
import { sameQuantity } from "../../../apis/quantity.ts";

/** A merge patch for the Node object (labels/annotations with null = delete; taints replace the list). */
export interface NodeMetadataPatch {
  metadata: {
    resourceVersion?: string;
    finalizers?: string[];
    labels?: Record<string, string | null>;
    annotations?: Record<string, string | null>;
  };
  spec?: { taints: Taint[] };
}

function parseLastApplied(node: Node): { template: NodeTemplateSpec; problem?: string } {
  const raw = node.metadata.annotations?.[NODE_ANNOTATION_LAST_APPLIED_ALT];
  if (!raw) return { template: {} };
  try {
    const v = JSON.parse(raw);
    return { template: typeof v === "object" && v !== null ? v as NodeTemplateSpec : {} };
  } catch (e) {
    return {
      template: {},
      problem: `annotation ${NODE_ANNOTATION_LAST_APPLIED_ALT} of node ${node.metadata.name} is not JSON: ${
        (e as Error).message
      }`,
    };
  }
}

function syncMap(
  desired: Record<string, string>,
  current: Record<string, string>,
  lastApplied: Record<string, string>,
  same: (a: string, b: string) => boolean = (a, b) => a === b,
): Record<string, string | null> {
  const patch: Record<string, string | null> = {};
  for (const k of Object.keys(lastApplied)) if (!(k in desired) && k in current) patch[k] = null;
  for (const [k, v] of Object.entries(desired)) if (current[k] === undefined || !same(current[k], v)) patch[k] = v;
  return patch;
}

const taintKey = (t: Taint) => `${t.key}\u0000${t.effect}`;

function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect && (a.value ?? "") === (b.value ?? "");
}

function syncTaints(desired: Taint[], current: Taint[], lastApplied: Taint[]): Taint[] | undefined {
  const desiredKeys = new Map(desired.map((t) => [taintKey(t), t]));
  let changed = false;
  const out: Taint[] = [];
  const removed = new Set(lastApplied.map(taintKey).filter((k) => !desiredKeys.has(k)));
  for (const t of current) {
    const k = taintKey(t);
    if (removed.has(k)) {
      changed = true;
      continue;
    }
    const want = desiredKeys.get(k);
    if (want) {
      if (!sameTaint(want, t)) changed = true;
      out.push(want);
      desiredKeys.delete(k);
    } else {
      out.push(t);
    }
  }
  for (const t of desiredKeys.values()) {
    out.push(t);
    changed = true;
  }
  return changed ? out : undefined;
}

/**
 * The merge patch that brings the Node in line with the Machine, or undefined when nothing changes. With
 * `finalizer`, the patch also adds the node finalizer (one write instead of two for a new Node).
 */
export function nodeTemplatePatch(
  machine: Machine,
  node: Node,
  finalizer?: string,
): { patch?: NodeMetadataPatch; problem?: string } {
  const { template: last, problem } = parseLastApplied(node);
  const tmpl = machine.spec?.nodeTemplate ?? {};
  const desiredLabels = { ...(tmpl.metadata?.labels ?? {}), [NODE_LABEL_MACHINE_NAME]: machine.metadata.name! };
  const labels = syncMap(desiredLabels, node.metadata.labels ?? {}, last.metadata?.labels ?? {});
  const annotations = syncMap(
    tmpl.metadata?.annotations ?? {},
    node.metadata.annotations ?? {},
    last.metadata?.annotations ?? {},
  );
  const taints = syncTaints(tmpl.spec?.taints ?? [], node.spec?.taints ?? [], last.spec?.taints ?? []);
  const templateChanged = Object.keys(annotations).length > 0 ||
    Object.keys(labels).some((k) => k !== NODE_LABEL_MACHINE_NAME) || taints !== undefined;
  const lastAppliedText = JSON.stringify(appliedRecord(tmpl));
  if (templateChanged || (node.metadata.annotations?.[NODE_ANNOTATION_LAST_APPLIED_ALT] ?? "") !== lastAppliedText) {
    annotations[NODE_ANNOTATION_LAST_APPLIED_ALT] = lastAppliedText;
  }
  const addFinalizer = finalizer !== undefined && !(node.metadata.finalizers ?? []).includes(finalizer);
  if (Object.keys(labels).length === 0 && Object.keys(annotations).length === 0 && !taints && !addFinalizer) {
    return { problem };
  }
  const patch: NodeMetadataPatch = { metadata: {} };
  if (Object.keys(labels).length) patch.metadata.labels = labels;
  if (Object.keys(annotations).length) patch.metadata.annotations = annotations;
  if (taints) patch.spec = { taints };
  if (addFinalizer) patch.metadata.finalizers = [...(node.metadata.finalizers ?? []), finalizer!];
  // Lists are replaced as a whole: guard them with the resourceVersion they were computed from.
  if (taints || addFinalizer) patch.metadata.resourceVersion = node.metadata.resourceVersion;
  return { patch, problem };
}

/** What the annotation records: only the template parts that are synced, in a stable shape. */
function appliedRecord(t: NodeTemplateSpec): NodeTemplateSpec {
  const rec: NodeTemplateSpec = {};
  const labels = t.metadata?.labels;
  const annotations = t.metadata?.annotations;
  if (labels || annotations) {
    rec.metadata = {};
    if (labels) rec.metadata.labels = labels;
    if (annotations) rec.metadata.annotations = annotations;
  }
  if (t.spec?.taints?.length) rec.spec = { taints: t.spec.taints };
  return rec;
}

/** Status merge patch applying a class's virtualCapacity to the Node (removing entries no longer wanted). */
export function virtualCapacityPatch(
  virtualCapacity: Record<string, string | number> | undefined,
  node: Node,
): { status?: { capacity: Record<string, string | null> }; annotation?: string | null } | undefined {
  const desired = Object.fromEntries(Object.entries(virtualCapacity ?? {}).map(([k, v]) => [k, String(v)]));
  const lastRaw = node.metadata.annotations?.[NODE_ANNOTATION_LAST_APPLIED_VIRTUAL_CAPACITY];
  let last: Record<string, string> = {};
  try {
    last = lastRaw ? JSON.parse(lastRaw) : {};
  } catch {
    last = {};
  }
  // The API server stores quantities in canonical form (`1000` becomes `1k`): compare values, not texts.
  const cap = syncMap(desired, node.status?.capacity ?? {}, last, sameQuantity);
  const annotation = Object.keys(desired).length ? JSON.stringify(desired) : null;
  const annotationChanged = (lastRaw ?? null) !== annotation;
  if (Object.keys(cap).length === 0 && !annotationChanged) return undefined;
  return {
    status: Object.keys(cap).length ? { capacity: cap } : undefined,
    annotation: annotationChanged ? annotation : undefined,
  };
}
