/**
 * The MachineClass of one pool and zone, as MCM and our Equinix Metal driver read it: `provider: EquinixMetal`, the
 * `providerSpec` the driver decodes (src/mcm/driver/provider_spec.ts), `secretRef` to the class Secret (user data,
 * written by the generic part) and `credentialsSecretRef` to the Worker's cloudprovider secret (MCM merges both for the
 * driver), and a `nodeTemplate` so cluster-autoscaler can scale the pool from zero. Pure.
 */
import { API_VERSION as MACHINE_API_VERSION, type MachineClass } from "../../apis/machine/v1alpha1.ts";
import type { MachineImage, WorkerConfig } from "../../apis/equinixmetal/v1alpha1.ts";

/** `provider` of our MachineClasses (what the Go provider wrote; MCM passes it to the driver). */
export const MACHINE_CLASS_PROVIDER = "EquinixMetal";
/** Equinix Metal billing cycle of worker devices (as upstream). */
export const BILLING_CYCLE = "hourly";
/** Tag every worker device carries besides the cluster tag; the driver finds its devices by both. */
export const ROLE_TAG = "kubernetes.io/role/node";

/** The cluster tag of a shoot's devices. */
export function clusterTag(technicalID: string): string {
  return `kubernetes.io/cluster/${technicalID}`;
}

/** Capacity and placement data for cluster-autoscaler's scale-from-zero (MCM requires all but architecture). */
export interface ClassNodeTemplate {
  capacity: Record<string, string>;
  virtualCapacity?: Record<string, string>;
  instanceType: string;
  region: string;
  zone: string;
  architecture: string;
}

/** Everything one MachineClass is made of. */
export interface MachineClassInputs {
  name: string;
  namespace: string;
  projectID: string;
  image: MachineImage;
  machineType: string;
  region: string;
  /** The Equinix facility; undefined for a pool without zones (the metro picks). */
  zone?: string;
  /** The Infrastructure's project SSH key; `""` when SSH access is disabled (the class then lists no key). */
  sshKeyID: string;
  technicalID: string;
  workerConfig?: Pick<WorkerConfig, "reservationIDs" | "reservedDevicesOnly">;
  credentialsSecret: { name: string; namespace: string };
  nodeTemplate?: ClassNodeTemplate;
}

/** The providerSpec our driver decodes; absent settings are omitted (as the Go provider's chart did). */
export function providerSpecOf(i: MachineClassInputs): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (i.image.id !== undefined && i.image.id !== "") spec.OS = i.image.id;
  if (i.image.ipxeScriptUrl !== undefined) spec.ipxeScriptUrl = i.image.ipxeScriptUrl;
  spec.projectID = i.projectID;
  spec.billingCycle = BILLING_CYCLE;
  spec.machineType = i.machineType;
  spec.metro = i.region;
  if (i.zone !== undefined) spec.facilities = [i.zone];
  // Without sshKeys the driver asks Metal for a device without keys (not for every key of the project).
  if (i.sshKeyID !== "") spec.sshKeys = [i.sshKeyID];
  spec.tags = [clusterTag(i.technicalID), ROLE_TAG];
  const ids = i.workerConfig?.reservationIDs ?? [];
  if (ids.length > 0) spec.reservationIDs = [...ids];
  if (i.workerConfig?.reservedDevicesOnly === true) spec.reservedDevicesOnly = true;
  return spec;
}

/** The MachineClass object. */
export function buildMachineClass(i: MachineClassInputs): MachineClass {
  const cls: MachineClass = {
    apiVersion: MACHINE_API_VERSION,
    kind: "MachineClass",
    metadata: { name: i.name, namespace: i.namespace },
    provider: MACHINE_CLASS_PROVIDER,
    providerSpec: providerSpecOf(i),
    secretRef: { name: i.name, namespace: i.namespace },
    credentialsSecretRef: { name: i.credentialsSecret.name, namespace: i.credentialsSecret.namespace },
  };
  if (i.nodeTemplate) {
    const t: Record<string, unknown> = { capacity: { ...i.nodeTemplate.capacity } };
    if (i.nodeTemplate.virtualCapacity) t.virtualCapacity = { ...i.nodeTemplate.virtualCapacity };
    t.instanceType = i.nodeTemplate.instanceType;
    t.region = i.nodeTemplate.region;
    t.zone = i.nodeTemplate.zone;
    t.architecture = i.nodeTemplate.architecture;
    cls.nodeTemplate = t;
  }
  return cls;
}
