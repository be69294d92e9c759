/**
 * The objects the ControlPlane controller renders, checked without a server: every object of a CRD kind (VPA,
 * ServiceMonitor, PrometheusRule, the seed and shoot ManagedResources) is valid against the vendored CRD with nothing the API server would
 * prune, awake and hibernated; the image vector and its operator overwrite.
 */
import * as assert from "node:assert/strict";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { clusterContextOf } from "../../../src/extension/reconciler/mod.ts";
import { equinixControlPlaneDelegate } from "../../../src/extension/controlplane/mod.ts";
import {
  type ControlPlaneValues,
  MR_SEED,
  MR_SHOOT,
  renderManagedResource,
} from "../../../src/extension/genericcontrolplane/mod.ts";
import {
  defaultImageVector,
  findImage,
  IMAGE_CLOUD_CONTROLLER_MANAGER,
  IMAGE_METALLB_CONTROLLER,
  IMAGE_METALLB_SPEAKER,
} from "../../../src/extension/imagevector/mod.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { clusterObject, NS } from "../reconciler/harness.ts";
import { controlPlaneObject } from "./harness.ts";

function values(replicas: number): ControlPlaneValues {
  return {
    controlPlane: controlPlaneObject(),
    cluster: clusterContextOf(clusterObject()),
    namespace: NS,
    replicas,
    checksums: { "checksum/secret-cloudprovider": "0".repeat(64) },
    genericTokenKubeconfigSecretName: "generic-token-kubeconfig",
  };
}

const CRD_GROUPS = ["autoscaling.k8s.io/", "monitoring.coreos.com/", "resources.gardener.cloud/"];

Deno.test("controlplane renderers: every CRD object is valid against the real CRD, nothing pruned", () => {
  const delegate = equinixControlPlaneDelegate(defaultImageVector());
  let checked = 0;
  for (const replicas of [1, 0]) {
    const v = values(replicas);
    const shoot = renderManagedResource({ name: MR_SHOOT, namespace: NS, objects: delegate.shootObjects(v) });
    const seed = renderManagedResource({
      name: MR_SEED,
      namespace: NS,
      class: "seed",
      objects: delegate.seedObjects(v),
    });
    const all: KubeObject[] = [...delegate.seedObjects(v), shoot.managedResource, seed.managedResource];
    for (const o of all) {
      if (!CRD_GROUPS.some((g) => o.apiVersion?.startsWith(g))) continue;
      assertValidAgainstCrd(o);
      checked++;
    }
  }
  assert.equal(checked, 10, "VPA, ServiceMonitor, PrometheusRule and the two MRs, awake and hibernated");
});

Deno.test("the CCM and MetalLB images come from the image vector", () => {
  const images = defaultImageVector();
  assert.match(findImage(images, IMAGE_CLOUD_CONTROLLER_MANAGER), /cloud-provider-equinix-metal:v\d/);
  const delegate = equinixControlPlaneDelegate(images);
  const shootImages = delegate.shootObjects(values(1)).flatMap((o) =>
    ((o as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } }).spec?.template?.spec
      ?.containers ?? []).map((c) => c.image)
  );
  assert.ok(shootImages.includes(findImage(images, IMAGE_METALLB_CONTROLLER)));
  assert.ok(shootImages.includes(findImage(images, IMAGE_METALLB_SPEAKER)));
});
