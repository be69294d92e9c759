/**
 * Example Gardener objects built from our types, shaped as gardenlet writes them and as our controllers complete them
 * (provider statuses encoded with `encode*`). Shared by the decoding and CRD-validation tests.
 */
import type { CloudProfile, Seed, Shoot } from "../../../src/apis/core/v1beta1.ts";
import {
  encodeCloudProfileConfig,
  encodeControlPlaneConfig,
  encodeInfrastructureConfig,
  encodeInfrastructureStatus,
  encodeWorkerConfig,
  encodeWorkerStatus,
} from "../../../src/apis/equinixmetal/helper.ts";
import { EXTENSION_TYPE } from "../../../src/apis/extensions/constants.ts";
import {
  API_VERSION,
  type Cluster,
  type ControlPlane,
  encodeSshPublicKey,
  type Infrastructure,
  type Worker,
} from "../../../src/apis/extensions/v1alpha1.ts";

export const NAMESPACE = "shoot--dev--metal";
export const SSH_KEY_ID = "5f2c1f36-0c47-4a55-9a3f-3b2ad0c1e0a1";
export const RESERVATION = "932eecda-1f7b-4d5e-9a3e-2f1f0b9d4c11";
const secretRef = { name: "cloudprovider", namespace: NAMESPACE };
const now = "2026-11-20T10:00:00Z";

export function exampleInfrastructure(): Infrastructure {
  return {
    apiVersion: API_VERSION,
    kind: "Infrastructure",
    metadata: {
      name: "metal",
      namespace: NAMESPACE,
      generation: 2,
      finalizers: ["extensions.gardener.cloud/infrastructure"],
    },
    spec: {
      type: EXTENSION_TYPE,
      region: "da",
      secretRef,
      sshPublicKey: encodeSshPublicKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9hZ2FyZGVuZXI gardener"),
      providerConfig: encodeInfrastructureConfig(),
    },
    status: {
      providerStatus: encodeInfrastructureStatus({ sshKeyID: SSH_KEY_ID }),
      lastOperation: {
        description: "Successfully reconciled infrastructure",
        lastUpdateTime: now,
        progress: 100,
        state: "Succeeded",
        type: "Reconcile",
      },
      observedGeneration: 2,
      networking: { nodes: ["10.250.0.0/16"], pods: ["100.96.0.0/11"], services: ["100.64.0.0/13"] },
      egressCIDRs: ["147.75.0.1/32"],
      state: { sshKeyID: SSH_KEY_ID },
      resources: [{ name: "ssh", resourceRef: { apiVersion: "v1", kind: "Secret", name: "ssh-keypair" } }],
      conditions: [{
        type: "ControlPlaneHealthy",
        status: "True",
        lastTransitionTime: now,
        lastUpdateTime: now,
        reason: "HealthCheckSuccessful",
        message: "All health checks successful",
      }],
    },
  };
}

export function exampleWorker(): Worker {
  return {
    apiVersion: API_VERSION,
    kind: "Worker",
    metadata: { name: "metal", namespace: NAMESPACE, generation: 3 },
    spec: {
      type: EXTENSION_TYPE,
      region: "da",
      secretRef,
      sshPublicKey: encodeSshPublicKey("ssh-ed25519 AAAA gardener"),
      infrastructureProviderStatus: encodeInfrastructureStatus({ sshKeyID: SSH_KEY_ID }),
      pools: [
        {
          name: "worker-a",
          machineType: "c3.small.x86",
          minimum: 1,
          maximum: 3,
          maxSurge: 1,
          maxUnavailable: "25%",
          priority: 10,
          annotations: { "example.com/a": "b" },
          labels: { "node.kubernetes.io/role": "node", "worker.gardener.cloud/pool": "worker-a" },
          taints: [{ key: "dedicated", value: "metal", effect: "NoSchedule" }],
          machineImage: { name: "flatcar", version: "3815.2.0" },
          architecture: "amd64",
          nodeAgentSecretName: "gardener-node-agent-worker-a-77ac3",
          userDataSecretRef: { name: "user-data-worker-a", key: "cloud_config" },
          volume: { size: "50Gi", type: "ssd" },
          dataVolumes: [{ name: "data", size: "100Gi", encrypted: true }],
          kubeletDataVolumeName: "data",
          zones: ["da11"],
          machineControllerManager: {
            machineDrainTimeout: "2h0m0s",
            machineHealthTimeout: "10m0s",
            machineCreationTimeout: "20m0s",
            maxEvictRetries: 30,
            nodeConditions: ["ReadonlyFilesystem", "KernelDeadlock"],
            disableHealthTimeout: false,
          },
          kubernetesVersion: "1.33.1",
          kubeletConfig: { maxPods: 110, failSwapOn: true },
          nodeTemplate: { capacity: { cpu: "8", memory: "32Gi", gpu: 0 } },
          clusterAutoscaler: { scaleDownUtilizationThreshold: "0.5", scaleDownUnneededTime: "30m0s" },
          updateStrategy: "AutoRollingUpdate",
          providerConfig: encodeWorkerConfig({ reservationIDs: [RESERVATION], reservedDevicesOnly: true }),
        },
      ],
    },
    status: {
      providerStatus: encodeWorkerStatus({
        machineImages: [{ name: "flatcar", version: "3815.2.0", ipxeScriptUrl: "https://boot.example.com/f.ipxe" }],
      }),
      machineDeployments: [{ name: `${NAMESPACE}-worker-a-z1`, minimum: 1, maximum: 3, priority: 10 }],
      machineDeploymentsLastUpdateTime: now,
      lastOperation: {
        description: "Successfully reconciled worker",
        lastUpdateTime: now,
        progress: 100,
        state: "Succeeded",
        type: "Reconcile",
      },
      lastError: { description: "previous failure", codes: ["ERR_INFRA_RESOURCES_DEPLETED"], lastUpdateTime: now },
      observedGeneration: 3,
    },
  };
}

export function exampleControlPlane(): ControlPlane {
  return {
    apiVersion: API_VERSION,
    kind: "ControlPlane",
    metadata: { name: "metal", namespace: NAMESPACE },
    spec: {
      type: EXTENSION_TYPE,
      region: "da",
      secretRef,
      providerConfig: encodeControlPlaneConfig(),
      infrastructureProviderStatus: encodeInfrastructureStatus({ sshKeyID: SSH_KEY_ID }),
    },
    status: { observedGeneration: 1 },
  };
}

export function exampleShoot(): Shoot {
  return {
    apiVersion: "core.gardener.cloud/v1beta1",
    kind: "Shoot",
    metadata: {
      name: "metal",
      namespace: "garden-dev",
      annotations: { "confirmation.gardener.cloud/deletion": "true" },
    },
    spec: {
      region: "da",
      kubernetes: { version: "1.33.1" },
      networking: { type: "calico", nodes: "10.250.0.0/16" },
      provider: {
        type: EXTENSION_TYPE,
        workers: [{
          name: "worker-a",
          machine: { type: "c3.small.x86" },
          minimum: 1,
          maximum: 3,
          cri: { name: "containerd" },
        }],
      },
    },
    status: { technicalID: NAMESPACE, lastOperation: { type: "Reconcile", state: "Succeeded", progress: 100 } },
  };
}

export function exampleCloudProfile(): CloudProfile {
  return {
    apiVersion: "core.gardener.cloud/v1beta1",
    kind: "CloudProfile",
    metadata: { name: "equinix-metal" },
    spec: {
      type: EXTENSION_TYPE,
      regions: [{ name: "da", zones: [{ name: "da11" }] }],
      machineTypes: [{ name: "c3.small.x86", cpu: "8", gpu: "0", memory: "32Gi", usable: true }],
      machineImages: [{ name: "flatcar", versions: [{ version: "3815.2.0" }] }],
      providerConfig: encodeCloudProfileConfig({
        machineImages: [{ name: "flatcar", versions: [{ version: "3815.2.0", id: "flatcar_stable" }] }],
      }),
    },
  };
}

export function exampleSeed(): Seed {
  return {
    apiVersion: "core.gardener.cloud/v1beta1",
    kind: "Seed",
    metadata: { name: "seed-da" },
    spec: { provider: { type: EXTENSION_TYPE, region: "da" } },
  };
}

export function exampleCluster(withSeed = true): Cluster {
  const cluster: Cluster = {
    apiVersion: API_VERSION,
    kind: "Cluster",
    metadata: { name: NAMESPACE },
    spec: { shoot: exampleShoot(), cloudProfile: exampleCloudProfile() },
  };
  if (withSeed) cluster.spec.seed = exampleSeed();
  return cluster;
}
