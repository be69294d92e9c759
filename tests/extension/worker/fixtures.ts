/**
 * Test objects of the Worker controller: a Cluster (shoot in region ny, CloudProfile with facilities ny5/ny7/ny2 and
 * a flatcar image), the cloudprovider and user data secrets, and a Worker with pools pool-a (c3.small.x86, ny5) and
 * pool-b (m3.small.x86, ny5+ny7) — the names of example/.
 */
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import type { Worker, WorkerPool } from "../../../src/apis/extensions/v1alpha1.ts";
import {
  encodeCloudProfileConfig,
  encodeInfrastructureStatus,
  encodeWorkerConfig,
} from "../../../src/apis/equinixmetal/helper.ts";
import { clusterContextOf } from "../../../src/extension/reconciler/cluster.ts";
import type { ClusterContext } from "../../../src/extension/reconciler/actuator.ts";

export const NS = "shoot--dev--eqx";
export const NAME = "eqx";
export const PROJECT_ID = "5c1e1e5e-0b1a-4bda-9f3a-0d6f0c3e1a11";
export const API_TOKEN = "metal-api-token-0123456789abcdef";
export const SSH_KEY_ID = "8b6ab4a5-6b76-4b4e-9a65-3a1c5c0f7c21";
export const RESERVATION = "0f6f1a4b-7d3c-4f0e-8a2b-9c1d2e3f4a5b";
export const USER_DATA = "#cloud-config\nbootstrap-token: s3cr3t-bootstrap-token-value\n";
export const IMAGE = { name: "flatcar", version: "4081.2.0" };

export function b64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

export interface ClusterOptions {
  hibernated?: boolean;
  technicalID?: string;
  forceDelete?: boolean;
  kubernetesVersion?: string;
}

/** The Cluster of `NS`. */
export function clusterObject(o: ClusterOptions = {}): KubeObject {
  return {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "Cluster",
    metadata: { name: NS },
    spec: {
      shoot: {
        apiVersion: "core.gardener.cloud/v1beta1",
        kind: "Shoot",
        metadata: {
          name: NAME,
          namespace: "garden-dev",
          annotations: o.forceDelete ? { "confirmation.gardener.cloud/force-deletion": "true" } : {},
        },
        spec: {
          region: "ny",
          kubernetes: { version: o.kubernetesVersion ?? "1.31.4" },
          hibernation: { enabled: o.hibernated ?? false },
          provider: {
            type: "equinixmetal",
            workers: [
              { name: "pool-a", machine: { type: "c3.small.x86", image: IMAGE }, cri: { name: "containerd" } },
              { name: "pool-b", machine: { type: "m3.small.x86", image: IMAGE }, cri: { name: "containerd" } },
            ],
          },
        },
        status: {
          technicalID: o.technicalID ?? NS,
          lastOperation: { type: "Reconcile", state: "Processing", progress: 40 },
        },
      },
      cloudProfile: {
        apiVersion: "core.gardener.cloud/v1beta1",
        kind: "CloudProfile",
        metadata: { name: "equinix-metal" },
        spec: {
          type: "equinixmetal",
          regions: [{ name: "ny", zones: [{ name: "ny5" }, { name: "ny7" }, { name: "ny2" }] }, { name: "da" }],
          machineTypes: [
            { name: "c3.small.x86", cpu: "8", gpu: "0", memory: "32Gi", architecture: "amd64", usable: true },
            { name: "m3.small.x86", cpu: "8", gpu: "0", memory: "64Gi", architecture: "amd64", usable: true },
          ],
          machineImages: [{ name: "flatcar", versions: [{ version: "4081.2.0" }, { version: "3975.2.0" }] }],
          providerConfig: encodeCloudProfileConfig({
            machineImages: [
              {
                name: "flatcar",
                versions: [
                  { version: "4081.2.0", id: "flatcar_stable" },
                  { version: "3975.2.0", ipxeScriptUrl: "https://boot.example.com/flatcar-3975.ipxe" },
                ],
              },
            ],
          }),
        },
      },
    },
  } as KubeObject;
}

/** The Cluster as the actuator receives it. */
export function clusterContext(o: ClusterOptions = {}): ClusterContext {
  return clusterContextOf(clusterObject(o));
}

/** A secret in `NS`. */
export function secretObject(name: string, data: Record<string, string>, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: NS, ...(labels ? { labels } : {}) },
    type: "Opaque",
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  } as KubeObject;
}

/** gardenlet's `cloudprovider` secret. */
export function credentialsSecret(): KubeObject {
  return secretObject("cloudprovider", { apiToken: API_TOKEN, projectID: PROJECT_ID }, {
    "gardener.cloud/purpose": "cloudprovider",
  });
}

/** gardenlet's user data secret of a pool. */
export function userDataSecret(pool: string, text = USER_DATA): KubeObject {
  return secretObject(`user-data-${pool}`, { cloud_config: text });
}

/** A pool as gardenlet writes it. */
export function pool(name: string, machineType: string, zones: string[], extra: Partial<WorkerPool> = {}): WorkerPool {
  return {
    name,
    machineType,
    minimum: 1,
    maximum: 1,
    maxSurge: 1,
    maxUnavailable: 0,
    machineImage: { ...IMAGE },
    architecture: "amd64",
    nodeAgentSecretName: `gardener-node-agent-${name}-77ac3`,
    userDataSecretRef: { name: `user-data-${name}`, key: "cloud_config" },
    zones,
    labels: { "node.kubernetes.io/role": "node", "worker.gardener.cloud/pool": name },
    ...extra,
  };
}

/** The Worker of the examples: pool-a (c3.small.x86, ny5) and pool-b (m3.small.x86, ny5 + ny7). */
export function workerObject(pools?: WorkerPool[]): Worker {
  return {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "Worker",
    metadata: { name: NAME, namespace: NS },
    spec: {
      type: "equinixmetal",
      region: "ny",
      secretRef: { name: "cloudprovider", namespace: NS },
      infrastructureProviderStatus: encodeInfrastructureStatus({ sshKeyID: SSH_KEY_ID }),
      pools: pools ?? [
        pool("pool-a", "c3.small.x86", ["ny5"]),
        pool("pool-b", "m3.small.x86", ["ny5", "ny7"], { minimum: 2, maximum: 4 }),
      ],
    },
  };
}

/** A WorkerConfig for `providerConfig`. */
export function workerConfig(reservationIDs?: string[], reservedDevicesOnly?: boolean): Record<string, unknown> {
  return encodeWorkerConfig({ reservationIDs, reservedDevicesOnly });
}
