/**
 * The ControlPlane's conditions from the seed Deployments and shoot ManagedResources named as data
 * (`CONTROL_PLANE_HEALTH`): `ControlPlaneHealthy` False while the cloud-controller-manager Deployment is missing, True
 * once it is available; `SystemComponentsHealthy` from the `extension-controlplane-shoot` ManagedResource.
 */
import assert from "node:assert/strict";
import { AppsV1, ExtensionsV1alpha1, ResourcesV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { CONTROL_PLANE_HEALTH } from "../../../src/extension/healthcheck/add.ts";
import { eventually } from "../../support/eventually.ts";
import { HealthHarness, NAME, NS } from "./harness.ts";

type Cond = { type: string; status: string; message: string };

Deno.test("healthcheck ControlPlane: ControlPlaneHealthy from the CCM Deployment, SystemComponentsHealthy from the MR", async () => {
  const h = await HealthHarness.start(1);
  try {
    assert.deepEqual(CONTROL_PLANE_HEALTH.seedDeployments, ["cloud-controller-manager"]);
    await h.seedClient.create(ExtensionsV1alpha1.controlPlanes, {
      apiVersion: "extensions.gardener.cloud/v1alpha1",
      kind: "ControlPlane",
      metadata: { name: NAME, namespace: NS },
      spec: { type: "equinixmetal", region: "ny", secretRef: { name: "cloudprovider", namespace: NS } },
    } as KubeObject, { namespace: NS });
    h.startChecks();
    const conditions = async () =>
      ((await h.seedClient.get(ExtensionsV1alpha1.controlPlanes, NAME, { namespace: NS })) as {
        status?: { conditions?: Cond[] };
      }).status?.conditions ?? [];
    const until = async (want: (cs: Cond[]) => boolean, what: string) =>
      await eventually(async () => {
        const cs = await conditions();
        if (want(cs)) return cs;
        await h.nextPass();
        return undefined;
      }, { description: what, timeoutMs: 20_000 });

    const missing = await until((cs) => cs.length === 2, "both conditions written");
    assert.deepEqual(missing.map((c) => [c.type, c.status, c.message]), [
      ["ControlPlaneHealthy", "False", `deployment "cloud-controller-manager" in namespace "${NS}" not found.`],
      [
        "SystemComponentsHealthy",
        "False",
        `managed resource "extension-controlplane-shoot" in namespace "${NS}" not found.`,
      ],
    ]);

    const d = await h.seedClient.create(AppsV1.deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "cloud-controller-manager", namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "ccm" } },
        template: { metadata: { labels: { app: "ccm" } }, spec: { containers: [{ name: "ccm", image: "ccm:1" }] } },
      },
    } as KubeObject, { namespace: NS });
    await h.seedClient.updateStatus(AppsV1.deployments, {
      ...d,
      status: {
        observedGeneration: d.metadata.generation,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [{ type: "Available", status: "True" }, { type: "Progressing", status: "True" }],
      },
    } as KubeObject, { namespace: NS });
    const mr = await h.seedClient.create(ResourcesV1alpha1.managedResources, {
      apiVersion: "resources.gardener.cloud/v1alpha1",
      kind: "ManagedResource",
      metadata: { name: "extension-controlplane-shoot", namespace: NS },
      spec: { secretRefs: [{ name: "s" }] },
    } as KubeObject, { namespace: NS });
    await h.seedClient.updateStatus(ResourcesV1alpha1.managedResources, {
      ...mr,
      status: {
        observedGeneration: mr.metadata.generation,
        conditions: [
          {
            type: "ResourcesApplied",
            status: "True",
            lastTransitionTime: "2026-11-21T00:00:00Z",
            lastUpdateTime: "2026-11-21T00:00:00Z",
            reason: "r",
            message: "m",
          },
          {
            type: "ResourcesHealthy",
            status: "True",
            lastTransitionTime: "2026-11-21T00:00:00Z",
            lastUpdateTime: "2026-11-21T00:00:00Z",
            reason: "r",
            message: "m",
          },
        ],
      },
    } as KubeObject, { namespace: NS });
    const healthy = await until((cs) => cs.every((c) => c.status === "True"), "both True");
    assert.deepEqual(healthy.map((c) => c.message), ["All health checks successful", "All health checks successful"]);
  } finally {
    await h.close();
  }
});
