/**
 * Realistic objects of every CRD kind the project writes, valid against the real schemas (crds/), plus
 * invalid variants with the exact field errors kube-apiserver reports for them.
 */
import type { KubeObject } from "../../../src/k8s/api/objects.ts";

const NS = "shoot--dev--metal";
const PROJECT_ID = "0f3a8c2e-5b1d-4e7a-9c6b-2d4e8f1a3b5c";

const nodeTemplateSpec = {
  taints: [{ key: "node.gardener.cloud/critical-components-not-ready", effect: "NoSchedule" }],
};

const machineTemplate = {
  metadata: { labels: { "worker.gardener.cloud/pool": "pool-a" } },
  spec: {
    class: { kind: "MachineClass", name: "shoot--dev--metal-pool-a-z1-5c9f1" },
    nodeTemplate: { metadata: { labels: { "node.kubernetes.io/role": "node" } }, spec: nodeTemplateSpec },
    drainTimeout: "2h0m0s",
    creationTimeout: "20m0s",
    healthTimeout: "10m0s",
    maxEvictRetries: 360,
  },
};

/** One valid object per kind, as our controllers write them. */
export const VALID_OBJECTS: Record<string, KubeObject & Record<string, unknown>> = {
  MachineClass: {
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "MachineClass",
    metadata: { name: "shoot--dev--metal-pool-a-z1-5c9f1", namespace: NS },
    provider: "EquinixMetal",
    providerSpec: {
      OS: "flatcar_stable",
      metro: "da",
      billingCycle: "hourly",
      machineType: "c3.small.x86",
      projectID: PROJECT_ID,
      tags: ["kubernetes.io/cluster/shoot--dev--metal", "kubernetes.io/role/node"],
      sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOM0aZ8pIuFOH0ZCLh8bJz4Rk0VmG2n1Yw3Lk3S5m7yP gardener"],
    },
    secretRef: { name: "shoot--dev--metal-pool-a-z1-5c9f1", namespace: NS },
    credentialsSecretRef: { name: "cloudprovider", namespace: NS },
    nodeTemplate: {
      capacity: { cpu: "8", memory: "32Gi", "nvidia.com/gpu": 0 },
      instanceType: "c3.small.x86",
      region: "da",
      zone: "da",
      architecture: "amd64",
    },
  },
  Machine: {
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "Machine",
    metadata: { name: "shoot--dev--metal-pool-a-z1-5c9f1-x7k2p", namespace: NS },
    spec: { ...machineTemplate.spec, providerID: "equinixmetal://da/6b1c4a2e-1d3f-4b5a-8c7e-9f0a1b2c3d4e" },
  },
  MachineSet: {
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "MachineSet",
    metadata: { name: "shoot--dev--metal-pool-a-z1-7d9b8", namespace: NS },
    spec: {
      replicas: 2,
      minReadySeconds: 0,
      selector: { matchLabels: { name: "shoot--dev--metal-pool-a-z1" } },
      machineClass: { kind: "MachineClass", name: "shoot--dev--metal-pool-a-z1-5c9f1" },
      template: machineTemplate,
    },
  },
  MachineDeployment: {
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "MachineDeployment",
    metadata: { name: "shoot--dev--metal-pool-a-z1", namespace: NS },
    spec: {
      replicas: 2,
      minReadySeconds: 500,
      revisionHistoryLimit: 10,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } },
      selector: { matchLabels: { name: "shoot--dev--metal-pool-a-z1" } },
      template: machineTemplate,
    },
  },
  Cluster: {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "Cluster",
    metadata: { name: NS },
    spec: {
      cloudProfile: {
        apiVersion: "core.gardener.cloud/v1beta1",
        kind: "CloudProfile",
        metadata: { name: "equinix-metal" },
      },
      seed: { apiVersion: "core.gardener.cloud/v1beta1", kind: "Seed", metadata: { name: "metal-seed" } },
      shoot: {
        apiVersion: "core.gardener.cloud/v1beta1",
        kind: "Shoot",
        metadata: { name: "metal", namespace: "garden-dev" },
        spec: { provider: { type: "equinixmetal" }, region: "da" },
      },
    },
  },
  Infrastructure: {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "Infrastructure",
    metadata: { name: "metal", namespace: NS },
    spec: {
      type: "equinixmetal",
      region: "da",
      secretRef: { name: "cloudprovider", namespace: NS },
      sshPublicKey: "c3NoLWVkMjU1MTkgQUFBQUMzTnphQzFsWkRJMU5URTVBQUFBSU9NMGFaOHAgZ2FyZGVuZXI=",
      providerConfig: {
        apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
        kind: "InfrastructureConfig",
      },
    },
  },
  Worker: {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "Worker",
    metadata: { name: "metal", namespace: NS },
    spec: {
      type: "equinixmetal",
      region: "da",
      secretRef: { name: "cloudprovider", namespace: NS },
      infrastructureProviderStatus: {
        apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
        kind: "InfrastructureStatus",
      },
      pools: [{
        name: "pool-a",
        machineType: "c3.small.x86",
        machineImage: { name: "flatcar", version: "3815.2.0" },
        minimum: 1,
        maximum: 3,
        maxSurge: 1,
        maxUnavailable: 0,
        userDataSecretRef: { name: "osc-secret-pool-a", key: "cloud_config" },
        labels: { "worker.gardener.cloud/pool": "pool-a" },
        zones: ["da"],
        kubernetesVersion: "1.30.4",
        kubeletConfig: { maxPods: 110, kubeReserved: { cpu: "80m", memory: "1Gi" } },
        taints: [{ key: "dedicated", value: "metal", effect: "NoSchedule", timeAdded: "2026-06-30T12:00:00Z" }],
        architecture: "amd64",
        providerConfig: {
          apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
          kind: "WorkerConfig",
        },
      }],
    },
  },
  ControlPlane: {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "ControlPlane",
    metadata: { name: "metal", namespace: NS },
    spec: {
      type: "equinixmetal",
      region: "da",
      secretRef: { name: "cloudprovider", namespace: NS },
      providerConfig: {
        apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
        kind: "ControlPlaneConfig",
      },
      infrastructureProviderStatus: {
        apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
        kind: "InfrastructureStatus",
      },
    },
  },
  ManagedResource: {
    apiVersion: "resources.gardener.cloud/v1alpha1",
    kind: "ManagedResource",
    metadata: { name: "extension-controlplane-shoot", namespace: NS },
    spec: {
      secretRefs: [{ name: "managedresource-extension-controlplane-shoot" }],
      class: "seed",
      keepObjects: false,
      injectLabels: { "shoot.gardener.cloud/no-cleanup": "true" },
    },
  },
};

/** An invalid variant of a valid object and the errors the real server answers with. */
export interface InvalidCase {
  kind: string;
  what: string;
  mutate: (o: Record<string, unknown>) => void;
  errors: Array<{ type: string; field: string; message?: string | RegExp }>;
}

// deno-lint-ignore no-explicit-any
type Json = any;

/** Wrong type, unsupported enum value and missing nested required fields, one or more per kind. */
export const INVALID_CASES: InvalidCase[] = [
  {
    kind: "Worker",
    what: "string where an integer is expected, in a list item",
    mutate: (o: Json) => (o.spec.pools[0].minimum = "one"),
    errors: [{
      type: "FieldValueTypeInvalid",
      field: "spec.pools[0].minimum",
      message: 'Invalid value: "string": spec.pools[0].minimum in body must be of type integer: "string"',
    }],
  },
  {
    kind: "Worker",
    what: "missing nested required field",
    mutate: (o: Json) => delete o.spec.pools[0].machineImage.version,
    errors: [{ type: "FieldValueRequired", field: "spec.pools[0].machineImage.version", message: "Required value" }],
  },
  {
    kind: "Worker",
    what: "boolean in an int-or-string field",
    mutate: (o: Json) => (o.spec.pools[0].maxSurge = true),
    errors: [{ type: "FieldValueTypeInvalid", field: "spec.pools[0].maxSurge" }],
  },
  {
    kind: "Worker",
    what: "timestamp that is not RFC 3339",
    mutate: (o: Json) => (o.spec.pools[0].taints[0].timeAdded = "yesterday"),
    errors: [{
      type: "FieldValueTypeInvalid",
      field: "spec.pools[0].taints[0].timeAdded",
      message:
        'Invalid value: "yesterday": spec.pools[0].taints[0].timeAdded in body must be of type date-time: "yesterday"',
    }],
  },
  {
    kind: "Infrastructure",
    what: "missing required spec fields",
    mutate: (o: Json) => {
      delete o.spec.region;
      delete o.spec.type;
    },
    errors: [
      { type: "FieldValueRequired", field: "spec.region" },
      { type: "FieldValueRequired", field: "spec.type" },
    ],
  },
  {
    kind: "Infrastructure",
    what: "sshPublicKey that is not base64",
    mutate: (o: Json) => (o.spec.sshPublicKey = "ssh-ed25519 AAAA gardener"),
    errors: [{ type: "FieldValueTypeInvalid", field: "spec.sshPublicKey" }],
  },
  {
    kind: "MachineClass",
    what: "missing providerSpec",
    mutate: (o: Json) => delete o.providerSpec,
    errors: [{ type: "FieldValueRequired", field: "providerSpec" }],
  },
  {
    kind: "MachineClass",
    what: "capacity that is not a quantity",
    mutate: (o: Json) => (o.nodeTemplate.capacity.memory = "lots"),
    errors: [{ type: "FieldValueInvalid", field: "nodeTemplate.capacity.memory", message: /should match/ }],
  },
  {
    kind: "Machine",
    what: "nested taint without its required key",
    mutate: (o: Json) => delete o.spec.nodeTemplate.spec.taints[0].key,
    errors: [{ type: "FieldValueRequired", field: "spec.nodeTemplate.spec.taints[0].key" }],
  },
  {
    kind: "MachineSet",
    what: "replicas as a string",
    mutate: (o: Json) => (o.spec.replicas = "2"),
    errors: [{ type: "FieldValueTypeInvalid", field: "spec.replicas" }],
  },
  {
    kind: "MachineDeployment",
    what: "missing template and a selector expression without operator",
    mutate: (o: Json) => {
      delete o.spec.template;
      o.spec.selector.matchExpressions = [{ key: "name" }];
    },
    errors: [
      { type: "FieldValueRequired", field: "spec.selector.matchExpressions[0].operator" },
      { type: "FieldValueRequired", field: "spec.template" },
    ],
  },
  {
    kind: "Cluster",
    what: "missing shoot",
    mutate: (o: Json) => delete o.spec.shoot,
    errors: [{ type: "FieldValueRequired", field: "spec.shoot" }],
  },
  {
    kind: "ControlPlane",
    what: "secretRef of the wrong type",
    mutate: (o: Json) => (o.spec.secretRef = "cloudprovider"),
    errors: [{ type: "FieldValueTypeInvalid", field: "spec.secretRef" }],
  },
  {
    kind: "ManagedResource",
    what: "secretRefs as an object and injectLabels with a non-string value",
    mutate: (o: Json) => {
      o.spec.secretRefs = { name: "x" };
      o.spec.injectLabels = { a: 1 };
    },
    errors: [
      { type: "FieldValueTypeInvalid", field: "spec.secretRefs" },
      { type: "FieldValueTypeInvalid", field: "spec.injectLabels.a" },
    ],
  },
];
