/**
 * The MachineDeployment of one pool and zone with every field Gardener's generic Worker actuator sets:
 * label `worker.gardener.cloud/pool`, the cluster-autoscaler annotations, `minReadySeconds: 500`,
 * `revisionHistoryLimit: 0`, a RollingUpdate strategy, selector and template label `name=<deployment>`, the template's
 * class reference, node template (labels, annotations, taints) and MachineConfiguration. Pure builder plus the
 * `ownedView` compared before every write (fields others set, such as MCM's finalizer, `paused` or the template's
 * annotations, are left alone).
 * Pure.
 */
import type { Taint } from "kubernetes-types/core/v1.d.ts";
import { LABEL_WORKER_POOL } from "../../apis/extensions/constants.ts";
import type { IntOrString } from "../../apis/extensions/v1alpha1.ts";
import {
  API_VERSION as MACHINE_API_VERSION,
  LABEL_DEPLOYMENT_NAME,
  MACHINE_CLASS_KIND,
  type MachineConfiguration,
  type MachineDeployment,
} from "../../apis/machine/v1alpha1.ts";
import { CLUSTER_AUTOSCALER_ANNOTATION_KEYS } from "./machine_configuration.ts";

/** Seconds a new machine must be ready before MCM counts it available (the generic actuator's constant). */
export const MIN_READY_SECONDS = 500;
/** Old MachineSets are not kept. */
export const REVISION_HISTORY_LIMIT = 0;

/** One wanted MachineDeployment, computed from a pool and one of its zones. */
export interface DesiredDeployment {
  name: string;
  poolName: string;
  /** 0-based index of the zone in the pool. */
  zoneIndex: number;
  /** The Equinix facility; undefined for a pool without zones. */
  zone?: string;
  className: string;
  secretName: string;
  minimum: number;
  maximum: number;
  maxSurge: IntOrString;
  maxUnavailable: IntOrString;
  priority?: number;
  /** Node labels (the pool's, with `worker.gardener.cloud/pool`). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  taints: Taint[];
  machineConfiguration: MachineConfiguration;
  clusterAutoscalerAnnotations: Record<string, string>;
  autoPreserveFailedMachineMax?: number;
}

/** The MachineDeployment object with `replicas`. */
export function buildMachineDeployment(d: DesiredDeployment, namespace: string, replicas: number): MachineDeployment {
  const selectorLabels = { [LABEL_DEPLOYMENT_NAME]: d.name };
  const nodeTemplate: Record<string, unknown> = {};
  const nodeMeta: Record<string, unknown> = {};
  if (Object.keys(d.labels).length > 0) nodeMeta.labels = { ...d.labels };
  if (Object.keys(d.annotations).length > 0) nodeMeta.annotations = { ...d.annotations };
  if (Object.keys(nodeMeta).length > 0) nodeTemplate.metadata = nodeMeta;
  if (d.taints.length > 0) nodeTemplate.spec = { taints: d.taints.map((t) => ({ ...t })) };
  const templateSpec: Record<string, unknown> = {
    class: { kind: MACHINE_CLASS_KIND, name: d.className },
  };
  if (Object.keys(nodeTemplate).length > 0) templateSpec.nodeTemplate = nodeTemplate;
  Object.assign(templateSpec, d.machineConfiguration);

  const metadata: MachineDeployment["metadata"] = {
    name: d.name,
    namespace,
    labels: { [LABEL_WORKER_POOL]: d.poolName },
  };
  if (Object.keys(d.clusterAutoscalerAnnotations).length > 0) {
    metadata.annotations = { ...d.clusterAutoscalerAnnotations };
  }
  const md: MachineDeployment = {
    apiVersion: MACHINE_API_VERSION,
    kind: "MachineDeployment",
    metadata,
    spec: {
      replicas,
      minReadySeconds: MIN_READY_SECONDS,
      revisionHistoryLimit: REVISION_HISTORY_LIMIT,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: d.maxSurge, maxUnavailable: d.maxUnavailable } },
      selector: { matchLabels: selectorLabels },
      template: { metadata: { labels: { ...selectorLabels } }, spec: templateSpec },
    },
  };
  if (d.autoPreserveFailedMachineMax !== undefined) {
    md.spec.autoPreserveFailedMachineMax = d.autoPreserveFailedMachineMax;
  }
  return md;
}

function pick(map: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (map?.[k] !== undefined) out[k] = map[k];
  return out;
}

/**
 * The template without its annotations: we set none, and others do (gardenlet's manual worker pool rollout adds
 * `rollout-workers` there to make MCM roll the machines), so they are never compared nor patched.
 */
function templateWithoutAnnotations(template: MachineDeployment["spec"]["template"]): Record<string, unknown> {
  const { annotations: _foreign, ...metadata } = template.metadata ?? {};
  const out: Record<string, unknown> = { ...template };
  if (template.metadata !== undefined) out.metadata = metadata;
  return out;
}

/**
 * The fields of a MachineDeployment this controller owns: the pool label, the cluster-autoscaler annotations and the
 * spec fields the generic actuator sets, except the template's annotations (an unset owned field in the desired object
 * removes it from the stored one).
 */
export function machineDeploymentOwnedView(md: MachineDeployment): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  for (
    const key of [
      "replicas",
      "minReadySeconds",
      "revisionHistoryLimit",
      "strategy",
      "selector",
      "autoPreserveFailedMachineMax",
    ] as const
  ) {
    if (md.spec?.[key] !== undefined) spec[key] = md.spec[key];
  }
  if (md.spec?.template !== undefined) spec.template = templateWithoutAnnotations(md.spec.template);
  return {
    metadata: {
      labels: pick(md.metadata.labels, [LABEL_WORKER_POOL]),
      annotations: pick(md.metadata.annotations, CLUSTER_AUTOSCALER_ANNOTATION_KEYS),
    },
    spec,
  };
}
