/**
 * SIMULATION: a MachineDeployment's MachineSets as MCM's deployment controller sees them — the "new" set (the oldest
 * one whose template equals the deployment's, ignoring the hash label and the node template) and the old ones,
 * revisions, the MachineSet created for a new template, and what an existing new set must be brought up to date
 * with (deployment annotations, revision, minReadySeconds, node template). Pure.
 */
import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";
import { API_VERSION, type MachineDeployment, type MachineSet } from "../../apis/machine/v1alpha1.ts";
import { semanticEqual } from "./canonical_json.ts";
import {
  ANNOTATION_DESIRED_REPLICAS,
  ANNOTATION_MAX_REPLICAS,
  ANNOTATION_REVISION,
  ANNOTATION_REVISION_HISTORY,
  ANNOTATIONS_NOT_COPIED,
  LABEL_TEMPLATE_HASH,
} from "./keys.ts";
import { controllerReference } from "./machine_template.ts";
import { parseTime } from "../kernel/mod.ts";
import { desiredReplicas, maxSurge } from "./rollout_limits.ts";
import { machineSetName, templateHash, templatesEqualIgnoringHash } from "./template_hash.ts";

/** `spec.replicas` of a MachineSet, 0 when unset. */
export function setReplicas(ms: MachineSet): number {
  return ms.spec?.replicas ?? 0;
}

/** A MachineSet that has (or ought to have) machines. */
export function isActiveSet(ms: MachineSet): boolean {
  return setReplicas(ms) > 0;
}

/** Oldest first; the name breaks ties. */
export function compareByCreation(a: MachineSet, b: MachineSet): number {
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/** The new set (current template) and the old sets of a deployment. */
export interface SplitSets {
  newSet?: MachineSet;
  oldSets: MachineSet[];
}

/** Splits the deployment's sets; several sets with the current template: the oldest is the new one. */
export function splitSets(md: MachineDeployment, sets: readonly MachineSet[]): SplitSets {
  const sorted = [...sets].sort(compareByCreation);
  const newSet = sorted.find((s) => templatesEqualIgnoringHash(s.spec?.template ?? {}, md.spec.template));
  return { newSet, oldSets: sorted.filter((s) => s !== newSet) };
}

/** The revision a set serves (0 when unannotated, undefined when the annotation is not a number). */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number | undefined {
  const raw = obj.metadata.annotations?.[ANNOTATION_REVISION];
  if (raw === undefined) return 0;
  const n = Number(raw);
  return Number.isInteger(n) ? n : undefined;
}

/** The highest revision among the sets (unparsable ones are skipped). */
export function maxRevision(sets: readonly MachineSet[]): number {
  let max = 0;
  for (const s of sets) {
    const r = revisionOf(s);
    if (r !== undefined && r > max) max = r;
  }
  return max;
}

/** The desired/max replica annotations a set gets whenever the deployment scales it. */
export function replicaAnnotations(md: MachineDeployment): Record<string, string> {
  const replicas = desiredReplicas(md);
  return {
    [ANNOTATION_DESIRED_REPLICAS]: String(replicas),
    [ANNOTATION_MAX_REPLICAS]: String(replicas + maxSurge(md)),
  };
}

/** The deployment's annotations that MCM copies onto its sets. */
function copiedAnnotations(md: MachineDeployment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(md.metadata.annotations ?? {})) if (!ANNOTATIONS_NOT_COPIED.has(k)) out[k] = v;
  return out;
}

/** Annotations of `set` with the deployment's copied in and the revision raised to `revision` if lower. */
function annotationsFor(md: MachineDeployment, set: MachineSet, revision: number): Record<string, string> {
  const out = { ...(set.metadata.annotations ?? {}), ...copiedAnnotations(md) };
  const had = set.metadata.annotations?.[ANNOTATION_REVISION];
  const current = revisionOf(set);
  if (current !== undefined && current < revision) {
    out[ANNOTATION_REVISION] = String(revision);
    // A set that served an earlier revision serves the current template again (rollback): keep its history.
    if (had !== undefined) {
      const history = set.metadata.annotations?.[ANNOTATION_REVISION_HISTORY];
      out[ANNOTATION_REVISION_HISTORY] = history ? `${history},${had}` : had;
    }
  }
  return out;
}

/**
 * The MachineSet for the deployment's current template: named after the template hash (so that creating it twice
 * is harmless), labelled and selected by the hash, owned by the deployment, at revision `revision`.
 */
export function newMachineSetFor(md: MachineDeployment, replicas: number, revision: number): MachineSet {
  const hash = templateHash(md.spec.template, md.status?.collisionCount);
  const template = structuredClone(md.spec.template);
  template.metadata = {
    ...(template.metadata ?? {}),
    labels: { ...(template.metadata?.labels ?? {}), [LABEL_TEMPLATE_HASH]: hash },
  };
  const selector: LabelSelector = structuredClone(md.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [LABEL_TEMPLATE_HASH]: hash };
  const set: MachineSet = {
    apiVersion: API_VERSION,
    kind: "MachineSet",
    metadata: {
      name: machineSetName(md.metadata.name ?? "", hash),
      namespace: md.metadata.namespace,
      labels: { ...template.metadata.labels },
      ownerReferences: [controllerReference(md, "MachineDeployment")],
    },
    spec: { replicas, selector, template },
  };
  if (md.spec.minReadySeconds !== undefined) set.spec!.minReadySeconds = md.spec.minReadySeconds;
  if (md.spec.autoPreserveFailedMachineMax) {
    set.spec!.autoPreserveFailedMachineMax = md.spec.autoPreserveFailedMachineMax;
  }
  set.metadata.annotations = { ...annotationsFor(md, set, revision), ...replicaAnnotations(md) };
  return set;
}

/**
 * The existing new set brought up to date with the deployment (annotations, revision, minReadySeconds,
 * autoPreserveFailedMachineMax, node template); undefined when it already is.
 */
export function refreshedNewSet(md: MachineDeployment, set: MachineSet, revision: number): MachineSet | undefined {
  const annotations = annotationsFor(md, set, revision);
  const nodeTemplate = md.spec.template.spec?.nodeTemplate;
  const sameAnnotations = semanticEqual(annotations, set.metadata.annotations ?? {});
  const sameMinReady = (set.spec?.minReadySeconds ?? 0) === (md.spec.minReadySeconds ?? 0);
  const sameNodeTemplate = semanticEqual(nodeTemplate, set.spec?.template?.spec?.nodeTemplate);
  const samePreserveMax = (set.spec?.autoPreserveFailedMachineMax ?? 0) === (md.spec.autoPreserveFailedMachineMax ?? 0);
  if (sameAnnotations && sameMinReady && sameNodeTemplate && samePreserveMax) return undefined;
  const next = structuredClone(set) as MachineSet;
  next.metadata.annotations = annotations;
  next.spec ??= {};
  if (md.spec.minReadySeconds === undefined) delete next.spec.minReadySeconds;
  else next.spec.minReadySeconds = md.spec.minReadySeconds;
  if (!md.spec.autoPreserveFailedMachineMax) delete next.spec.autoPreserveFailedMachineMax;
  else next.spec.autoPreserveFailedMachineMax = md.spec.autoPreserveFailedMachineMax;
  next.spec.template ??= {};
  next.spec.template.spec ??= {};
  if (nodeTemplate === undefined) delete next.spec.template.spec.nodeTemplate;
  else next.spec.template.spec.nodeTemplate = structuredClone(nodeTemplate);
  return next;
}
