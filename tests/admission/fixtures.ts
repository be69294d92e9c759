/** A valid `equinixmetal` CloudProfile, Shoot and credentials secret the admission tests change one field of. */
import type { CloudProfileSpec, Shoot } from "../../src/apis/core/v1beta1.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { encodeBase64 } from "../../src/runtime/base64.ts";

export const PROJECT_ID = "0b6e3f0a-8c2e-4c1a-9d0e-2f3a4b5c6d7e";

/** The profile's spec: metro `da` with facilities `da11` and `da12`, one image with two versions. */
export function profileSpec(): CloudProfileSpec {
  return {
    type: "equinixmetal",
    providerConfig: {
      apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
      kind: "CloudProfileConfig",
      machineImages: [{
        name: "flatcar",
        versions: [{ version: "4081.2.0", id: "flatcar_stable" }, {
          version: "4100.0.0",
          ipxeScriptUrl: "https://boot.example.com/flatcar.ipxe",
        }],
      }],
    },
    regions: [{ name: "da", zones: [{ name: "da11" }, { name: "da12" }] }, { name: "ny", zones: [{ name: "ny5" }] }],
    machineTypes: [{ name: "c3.small.x86", cpu: "8", gpu: "0", memory: "32Gi" }],
    machineImages: [{ name: "flatcar", versions: [{ version: "4081.2.0" }, { version: "4100.0.0" }] }],
    kubernetes: { versions: [{ version: "1.33.1" }, { version: "1.34.0" }] },
  };
}

/** A CloudProfile object around `profileSpec()`. */
export function cloudProfile(): KubeObject & { spec: CloudProfileSpec } {
  return {
    apiVersion: "core.gardener.cloud/v1beta1",
    kind: "CloudProfile",
    metadata: { name: "equinix", labels: { "provider.extensions.gardener.cloud/equinixmetal": "true" } },
    spec: profileSpec(),
  };
}

/** A valid Shoot of the profile, one pool in `da11`. */
export function shoot(): Shoot {
  return {
    apiVersion: "core.gardener.cloud/v1beta1",
    kind: "Shoot",
    metadata: {
      name: "demo",
      namespace: "garden-dev",
      labels: { "provider.extensions.gardener.cloud/equinixmetal": "true" },
    },
    spec: {
      region: "da",
      cloudProfile: { kind: "CloudProfile", name: "equinix" },
      credentialsBindingName: "metal",
      kubernetes: { version: "1.34.0" },
      networking: { type: "calico", nodes: "10.250.0.0/16", pods: "100.96.0.0/11", services: "100.64.0.0/13" },
      provider: {
        type: "equinixmetal",
        infrastructureConfig: {
          apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
          kind: "InfrastructureConfig",
        },
        controlPlaneConfig: {
          apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
          kind: "ControlPlaneConfig",
        },
        workers: [{
          name: "pool-a",
          machine: { type: "c3.small.x86", image: { name: "flatcar", version: "4081.2.0" } },
          minimum: 1,
          maximum: 2,
          zones: ["da11"],
          providerConfig: {
            apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
            kind: "WorkerConfig",
            reservationIDs: ["next-available"],
          },
        }],
      },
    },
  };
}

/** Secret data (base64) with the given keys. */
export function secretData(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, encodeBase64(v)]));
}

/** A valid credentials secret. */
export function credentialsSecret(): { metadata: { name: string; namespace: string }; data: Record<string, string> } {
  return {
    metadata: { name: "metal-secret", namespace: "garden-dev" },
    data: secretData({ apiToken: "token-abc", projectID: PROJECT_ID }),
  };
}
