/**
 * The shoot webhooks hook of the ControlPlane controller: with a configuration (the webhook server's, with the current
 * caBundle) it is published as MR `extension-controlplane-shoot-webhooks`, waited for until healthy unless hibernated,
 * updated when the caBundle changes, and deleted (and waited for) on deletion.
 */
import * as assert from "node:assert/strict";
import type { MutatingWebhookConfiguration, RuleWithOperations } from "kubernetes-types/admissionregistration/v1.d.ts";
import { CoreV1, ExtensionsV1alpha1, ResourcesV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { getLogger } from "../../../src/observability/log.ts";
import { publishShootWebhooks } from "../../../src/extension/genericcontrolplane/mod.ts";
import { encodeBase64 } from "../../../src/runtime/base64.ts";
import { readinessProblems } from "../reconciler/harness.ts";
import { ControlPlaneHarness, controlPlaneObject, NS } from "./harness.ts";

const MR = "extension-controlplane-shoot-webhooks";

function webhookConfig(ca: string): MutatingWebhookConfiguration {
  return {
    metadata: { name: "gardener-extension-provider-equinix-metal-shoot" },
    webhooks: [{
      name: "shoot.equinix-metal.extensions.gardener.cloud",
      admissionReviewVersions: ["v1"],
      sideEffects: "None",
      failurePolicy: "Ignore",
      clientConfig: {
        url: "https://gardener-extension-provider-equinix-metal.extension-provider-equinix-metal:443/shoot",
        caBundle: encodeBase64(ca),
      },
      objectSelector: { matchLabels: { app: "vpn-shoot" } },
      rules: [{
        operations: ["CREATE", "UPDATE"],
        apiGroups: ["apps"],
        apiVersions: ["v1"],
        resources: ["deployments"],
      } as RuleWithOperations],
    }],
  };
}

Deno.test("controlplane: the shoot webhooks MR is published with the caBundle and waited for until healthy", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    h.webhookConfig = webhookConfig("ca-1");
    await h.createControlPlane();
    await h.annotate();
    const waiting = await h.reconcile();
    assert.ok(waiting && waiting.requeueAfterMs === 2000, JSON.stringify(waiting));
    assert.match(
      (await h.getControlPlane()).status?.lastOperation?.description ?? "",
      /extension-controlplane-shoot-webhooks/,
    );
    const [config] = await h.manifests(MR);
    assert.equal(config.kind, "MutatingWebhookConfiguration");
    assert.equal(config.apiVersion, "admissionregistration.k8s.io/v1");
    const ca = (config as unknown as MutatingWebhookConfiguration).webhooks![0].clientConfig.caBundle;
    assert.equal(ca, encodeBase64("ca-1"));

    await h.grm.applyAll();
    await h.clock.advance(2000);
    assert.equal(await h.reconcile(), undefined);
    assert.deepEqual(readinessProblems(await h.getControlPlane()), []);

    // A new CA: the MR's content follows.
    h.webhookConfig = webhookConfig("ca-2");
    await h.annotate();
    await h.reconcile();
    const [rotated] = await h.manifests(MR);
    assert.equal(
      (rotated as unknown as MutatingWebhookConfiguration).webhooks![0].clientConfig.caBundle,
      encodeBase64("ca-2"),
    );
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: hibernated, the shoot webhooks MR is not waited for (the shoot's resource manager is down)", async () => {
  const h = await ControlPlaneHarness.start({ hibernated: true });
  try {
    h.webhookConfig = webhookConfig("ca-1");
    await h.scaleKubeApiServer(0);
    await h.createControlPlane();
    await h.annotate();
    assert.equal(await h.reconcile(), undefined);
    assert.ok(await h.get(ResourcesV1alpha1.managedResources, MR));
    assert.deepEqual(readinessProblems(await h.getControlPlane()), []);
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: deletion removes the shoot webhooks MR last and waits for it", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    h.webhookConfig = webhookConfig("ca-1");
    await h.createControlPlane();
    await h.annotate();
    await h.reconcile();
    await h.grm.applyAll();
    await h.reconcile();
    await h.deleteControlPlane();
    assert.ok(await h.reconcile(), "waits for the shoot MR");
    assert.deepEqual(await h.grm.processDeletions(), ["extension-controlplane-shoot"]);
    assert.ok(await h.reconcile(), "waits for the webhooks MR");
    // The seed MR is deleted but not waited for; both MRs wait for their resource manager.
    assert.deepEqual(
      (await h.seedObjects()).filter((o) => o.startsWith("ManagedResource/")),
      ["ManagedResource/extension-controlplane-seed", "ManagedResource/extension-controlplane-shoot-webhooks"],
    );
    assert.deepEqual(await h.grm.processDeletions(), ["extension-controlplane-seed", MR]);
    assert.equal(await h.reconcile(), undefined);
    assert.equal(await h.controlPlaneExists(), false);
    assert.deepEqual(await h.seedObjects(), []);
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: a new CA bundle is published into every shoot namespace of ours, compared first", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    await h.createControlPlane();
    for (const [ns, type] of [["shoot--p--other", "equinixmetal"], ["shoot--p--aws", "aws"]]) {
      await h.client.create(CoreV1.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
      const cp = controlPlaneObject();
      await h.client.create(ExtensionsV1alpha1.controlPlanes, {
        ...cp,
        metadata: { name: "other", namespace: ns },
        spec: { ...cp.spec, type },
      } as KubeObject);
    }
    const log = getLogger("test.controlplane");
    const written = await publishShootWebhooks(h.client, log, "equinixmetal", webhookConfig("ca-2"));
    assert.deepEqual(written, [NS, "shoot--p--other"].sort());
    for (const ns of written) {
      assert.ok(await h.client.get(ResourcesV1alpha1.managedResources, MR, { namespace: ns }));
    }
    h.resetCounters();
    await publishShootWebhooks(h.client, log, "equinixmetal", webhookConfig("ca-2"));
    assert.equal(h.writes(), 0);
    const [published] = await h.manifests(MR);
    assert.equal(
      (published as unknown as MutatingWebhookConfiguration).webhooks![0].clientConfig.caBundle,
      encodeBase64("ca-2"),
    );
  } finally {
    await h.close();
  }
});
