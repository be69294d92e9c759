/**
 * Protocol tests of the ControlPlane controller against the fake seed: create, reconcile (0 writes when up to date),
 * hibernate, wake up, delete (bounded waits for the MRs), force-delete, migrate and restore. The CCM's seed objects
 * reach the seed through the seed-class MR, applied by the harness's resource manager stand-in. Every object is
 * checked against the real CRDs.
 */
import * as assert from "node:assert/strict";
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { AppsV1, CoreV1, ResourcesV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { readinessProblems } from "../reconciler/harness.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { ControlPlaneHarness, NS, SEED_RESOURCES } from "./harness.ts";

/** The CCM's objects, applied by the resource manager from the seed MR. */
const CCM_OBJECTS = [
  "Deployment/cloud-controller-manager",
  "PodDisruptionBudget/cloud-controller-manager",
  "PrometheusRule/shoot-cloud-controller-manager",
  "Service/cloud-controller-manager",
  "ServiceMonitor/shoot-cloud-controller-manager",
  "VerticalPodAutoscaler/cloud-controller-manager-vpa",
];
/** What the controller itself writes. */
const OWN_OBJECTS = [
  "ManagedResource/extension-controlplane-seed",
  "ManagedResource/extension-controlplane-shoot",
  "Secret/managedresource-extension-controlplane-seed",
  "Secret/managedresource-extension-controlplane-shoot",
  "Secret/shoot-access-cloud-controller-manager",
];
const SEED_OBJECTS = [...CCM_OBJECTS, ...OWN_OBJECTS].sort();

async function ccm(h: ControlPlaneHarness): Promise<Deployment & KubeObject> {
  return (await h.get<Deployment & KubeObject>(AppsV1.deployments, "cloud-controller-manager"))!;
}

/** Creates the ControlPlane and runs gardenlet's first request to a ready state. */
async function ready(h: ControlPlaneHarness): Promise<void> {
  await h.createControlPlane();
  await h.annotate();
  assert.equal(await h.reconcile(), undefined);
  await h.grm.applyAll();
  assert.deepEqual(readinessProblems(await h.getControlPlane()), []);
}

/** Every stored object of a CRD kind in the namespace is valid against the vendored CRD (nothing would be pruned). */
async function assertStoredValid(h: ControlPlaneHarness): Promise<void> {
  for (const res of SEED_RESOURCES.filter((r) => r.group !== "" && r.group !== "apps" && r.group !== "policy")) {
    for (const o of (await h.client.list(res, { namespace: "shoot--garden--playground" })).items) {
      const { metadata, ...rest } = o as KubeObject & { status?: unknown };
      const obj = { ...rest, status: undefined, metadata: { name: metadata.name, namespace: metadata.namespace } };
      delete (obj as { status?: unknown }).status;
      assertValidAgainstCrd({ ...obj, apiVersion: o.apiVersion ?? `${res.group}/${res.version}`, kind: res.kind });
    }
  }
}

Deno.test("controlplane: create deploys the CCM and its monitoring in the seed and the shoot MR; all valid", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    await ready(h);
    assert.deepEqual(await h.seedObjects(), SEED_OBJECTS);
    const cp = await h.getControlPlane();
    assert.ok(cp.metadata.finalizers?.includes("extensions.gardener.cloud/controlplane"));
    await assertStoredValid(h);

    const d = await ccm(h);
    assert.equal(d.spec?.replicas, 1);
    const pod = d.spec!.template.spec!;
    const labels = d.spec!.template.metadata!.labels!;
    assert.equal(labels["networking.gardener.cloud/to-dns"], "allowed");
    assert.equal(labels["networking.gardener.cloud/to-public-networks"], "allowed");
    assert.equal(labels["networking.resources.gardener.cloud/to-kube-apiserver-tcp-443"], "allowed");
    assert.equal(labels["gardener.cloud/role"], "controlplane");
    assert.equal(pod.priorityClassName, "gardener-system-300");
    assert.equal(pod.automountServiceAccountToken, false);
    const c = pod.containers[0];
    assert.ok(
      c.image?.startsWith("europe-docker.pkg.dev/gardener-project/releases/3rd/equinix/cloud-provider-equinix-metal:"),
    );
    assert.ok(c.args?.includes("--cloud-provider=equinixmetal"));
    assert.ok(c.args?.includes("--kubeconfig=/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig/kubeconfig"));
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
    assert.deepEqual(env.METAL_API_KEY.valueFrom, { secretKeyRef: { name: "cloudprovider", key: "apiToken" } });
    assert.deepEqual(env.METAL_PROJECT_ID.valueFrom, { secretKeyRef: { name: "cloudprovider", key: "projectID" } });
    assert.equal(env.METAL_METRO_NAME.value, "ny");
    // The kubeconfig is the Cluster's generic token kubeconfig plus the CCM's own token.
    const sources = pod.volumes![0].projected!.sources!.map((s) => s.secret?.name);
    assert.deepEqual(sources, ["generic-token-kubeconfig-abc12", "shoot-access-cloud-controller-manager"]);
    assert.match(d.spec!.template.metadata!.annotations!["checksum/secret-cloudprovider"], /^[0-9a-f]{64}$/);

    // The Service, PDB and ServiceMonitor select the CCM pods (upstream's selectors matched nothing).
    const svc = (await h.get<KubeObject & { spec: { selector: Record<string, string> } }>(
      CoreV1.services,
      "cloud-controller-manager",
    ))!;
    for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(labels[k], v);

    const access = (await h.get(CoreV1.secrets, "shoot-access-cloud-controller-manager"))!;
    assert.equal(access.metadata.labels?.["resources.gardener.cloud/purpose"], "token-requestor");
    assert.equal(access.metadata.labels?.["resources.gardener.cloud/class"], "shoot");
    assert.equal(
      access.metadata.annotations?.["serviceaccount.resources.gardener.cloud/name"],
      "cloud-controller-manager",
    );
    assert.equal(access.metadata.annotations?.["serviceaccount.resources.gardener.cloud/namespace"], "kube-system");

    const mr = (await h.get<KubeObject & { spec: Record<string, unknown> }>(
      ResourcesV1alpha1.managedResources,
      "extension-controlplane-shoot",
    ))!;
    assert.equal(mr.spec.class, undefined);
    assert.equal(mr.spec.keepObjects, false);
    assert.deepEqual(mr.spec.injectLabels, { "shoot.gardener.cloud/no-cleanup": "true" });
    assert.equal(mr.metadata.labels?.origin, undefined);
    const seedMr = (await h.get<KubeObject & { spec: Record<string, unknown> }>(
      ResourcesV1alpha1.managedResources,
      "extension-controlplane-seed",
    ))!;
    assert.equal(seedMr.spec.class, "seed");
    assert.equal(seedMr.spec.keepObjects, false);
    assert.equal(seedMr.spec.injectLabels, undefined, "no shoot clean-up label on seed objects");
    assert.deepEqual(
      (await h.manifests("extension-controlplane-seed")).map((o) => `${o.kind}/${o.metadata.name}`).sort(),
      CCM_OBJECTS,
    );
    // The Go provider's Deployment selected other labels (immutable): the resource manager replaces it.
    assert.equal(d.metadata.annotations?.["resources.gardener.cloud/delete-on-invalid-update"], "true");
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: the shoot MR holds least-privilege CCM RBAC (no cluster-admin) and MetalLB", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    await ready(h);
    const objects = await h.manifests("extension-controlplane-shoot");
    const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    for (const o of objects) {
      const ref = (o as { roleRef?: { name: string } }).roleRef;
      assert.notEqual(ref?.name, "cluster-admin", `${o.kind} ${o.metadata.name} binds cluster-admin`);
      for (const rule of (o as { rules?: { verbs: string[]; resources: string[] }[] }).rules ?? []) {
        assert.ok(!rule.verbs.includes("*") && !rule.resources.includes("*"), `${o.metadata.name}: wildcard rule`);
      }
    }
    assert.ok(keys.includes("ClusterRole//extensions.gardener.cloud:provider-equinix-metal:cloud-controller-manager"));
    assert.ok(keys.includes("ConfigMap/kube-system/metallb-config"));
    assert.ok(keys.includes("Deployment/kube-system/metallb-controller"));
    assert.ok(keys.includes("DaemonSet/kube-system/metallb-speaker"));
    assert.ok(!objects.some((o) => o.kind === "StorageClass"));
    const ccmRole = objects.find((o) =>
      o.kind === "ClusterRole" && o.metadata.name?.endsWith("cloud-controller-manager")
    );
    const rules = (ccmRole as unknown as { rules: { resources: string[]; verbs: string[] }[] }).rules;
    assert.deepEqual(rules.find((r) => r.resources.includes("nodes"))?.verbs.sort(), [
      "delete",
      "get",
      "list",
      "patch",
      "update",
      "watch",
    ]);
    // Replaces the Go provider's binding of the same name to cluster-admin (a roleRef is immutable).
    const binding = objects.find((o) => o.kind === "ClusterRoleBinding" && o.metadata.name === ccmRole?.metadata.name);
    assert.equal(binding?.metadata.annotations?.["resources.gardener.cloud/delete-on-invalid-update"], "true");
    assert.equal(await h.get(ResourcesV1alpha1.managedResources, "extension-controlplane-storageclasses"), undefined);
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: a reconcile of an up-to-date ControlPlane makes 0 writes to the seed", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    await ready(h);
    // The resource manager fills the token in; that is not ours to compare.
    await h.client.patch(
      CoreV1.secrets,
      "shoot-access-cloud-controller-manager",
      {
        metadata: {
          annotations: { "serviceaccount.resources.gardener.cloud/token-renew-timestamp": "2026-01-01T00:00:00Z" },
        },
        data: { token: "dG9rZW4=" },
      },
      "merge",
      { namespace: "shoot--garden--playground" },
    );
    await h.clock.advance(60_000);
    await h.annotate();
    h.resetCounters();
    assert.equal(await h.reconcile(), undefined);
    // Two writes are gardenlet's protocol on the ControlPlane itself (annotation removed, lastOperation); none else.
    const counts = h.api.counters;
    assert.equal(counts.writes({ excludeResources: ["events", "leases", "controlplanes"] }), 0);
    assert.deepEqual(readinessProblems(await h.getControlPlane()), []);
    // Without a request (a resync), nothing at all is written.
    h.resetCounters();
    await h.reconcile();
    assert.equal(h.writes(), 0);
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: new credentials change the checksum in the seed MR (the CCM restarts once it is applied)", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    await ready(h);
    const before = (await ccm(h)).spec!.template.metadata!.annotations!["checksum/secret-cloudprovider"];
    await h.rotateCredentials("token-2");
    await h.annotate();
    assert.equal(await h.reconcile(), undefined);
    await h.grm.applyAll();
    const d = await ccm(h);
    assert.notEqual(d.spec!.template.metadata!.annotations!["checksum/secret-cloudprovider"], before);
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: the CCM reaches the seed only through the seed MR: the reconcile writes none of its objects", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    await h.createControlPlane();
    await h.annotate();
    h.resetCounters();
    assert.equal(await h.reconcile(), undefined);
    assert.deepEqual(await h.seedObjects(), OWN_OBJECTS, "nothing of the CCM until the resource manager applies it");
    const ownWrites = h.api.counters.writes({ excludeResources: ["events", "leases", "controlplanes"] });
    const allWrites = h.api.counters.writes({
      excludeResources: ["events", "leases", "controlplanes", "secrets", "managedresources"],
    });
    assert.ok(ownWrites > 0);
    assert.equal(allWrites, 0, "no Deployment, Service, PDB, VPA or monitoring object written by the controller");
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: a Go provider's CCM Deployment (another, immutable selector) is re-created as ours by the resource manager", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    const goLabels = { app: "cloud-controller-manager" };
    const old = await h.client.create<KubeObject>(AppsV1.deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "cloud-controller-manager", namespace: NS, labels: goLabels },
      spec: {
        replicas: 1,
        selector: { matchLabels: goLabels },
        template: {
          metadata: { labels: goLabels },
          spec: { containers: [{ name: "cloud-provider-equinix-metal", image: "ccm:old" }] },
        },
      },
    } as KubeObject);
    await ready(h);
    const d = await ccm(h);
    assert.notEqual(d.metadata.uid, old.metadata.uid);
    assert.deepEqual(d.spec!.selector.matchLabels, { app: "kubernetes", role: "cloud-controller-manager" });
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: hibernation waits for kube-apiserver at 0, then scales the CCM to 0; wake-up brings it back", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    await ready(h);
    await h.updateCluster({ hibernated: true });
    await h.annotate();
    const first = await h.reconcile();
    assert.ok(first && first.requeueAfterMs === 2000, JSON.stringify(first));
    assert.equal((await ccm(h)).spec!.replicas, 1, "the CCM stays up while kube-apiserver runs");
    assert.equal((await h.getControlPlane()).status?.lastOperation?.state, "Processing");

    await h.scaleKubeApiServer(0);
    await h.clock.advance(2000);
    assert.equal(await h.reconcile(), undefined);
    await h.grm.applyAll();
    assert.equal((await ccm(h)).spec!.replicas, 0);
    assert.deepEqual(readinessProblems(await h.getControlPlane()), []);

    // Wake-up: gardenlet brings kube-apiserver back and re-requests the ControlPlane.
    await h.updateCluster({ hibernated: false });
    await h.scaleKubeApiServer(1);
    await h.annotate();
    assert.equal(await h.reconcile(), undefined);
    await h.grm.applyAll();
    assert.equal((await ccm(h)).spec!.replicas, 1);
    assert.deepEqual(readinessProblems(await h.getControlPlane()), []);
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: delete waits (bounded) for the shoot MR, then deletes the seed MR, whose objects go with it", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    await ready(h);
    await h.deleteControlPlane();
    const waiting = await h.reconcile();
    assert.ok(waiting && waiting.requeueAfterMs === 2000, JSON.stringify(waiting));
    assert.ok(await h.controlPlaneExists());
    assert.ok(
      (await h.seedObjects()).includes("Deployment/cloud-controller-manager"),
      "the CCM stays while the MR goes",
    );

    // The wait is bounded: after 2 minutes the pass fails (lastError), the next retry waits again.
    await h.clock.advance(2 * 60_000 + 1);
    const err = await h.reconcileCatching();
    assert.match(String(err), /Timed out waiting for deletion of ManagedResource\(s\) extension-controlplane-shoot/);
    assert.match((await h.getControlPlane()).status?.lastError?.description ?? "", /Timed out/);

    assert.deepEqual(await h.grm.processDeletions(), ["extension-controlplane-shoot"]);
    assert.equal(await h.reconcile(), undefined);
    assert.equal(await h.controlPlaneExists(), false);
    // The seed MR is deleted but not waited for (as Gardener's library): its resource manager removes the CCM.
    assert.deepEqual(await h.seedObjects(), [...CCM_OBJECTS, "ManagedResource/extension-controlplane-seed"].sort());
    assert.deepEqual(await h.grm.processDeletions(), ["extension-controlplane-seed"]);
    assert.deepEqual(await h.seedObjects(), []);
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: force-delete does not wait for the MRs; their resource manager removes the rest", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    await ready(h);
    await h.updateCluster({ forceDeletion: true });
    await h.deleteControlPlane();
    assert.equal(await h.reconcile(), undefined);
    assert.equal(await h.controlPlaneExists(), false);
    // Only the MRs (their finalizer) and what the seed MR applied are left to the resource manager.
    assert.deepEqual(
      await h.seedObjects(),
      [...CCM_OBJECTS, "ManagedResource/extension-controlplane-seed", "ManagedResource/extension-controlplane-shoot"]
        .sort(),
    );
    await h.grm.processDeletions();
    assert.deepEqual(await h.seedObjects(), []);
  } finally {
    await h.close();
  }
});

Deno.test("controlplane: migrate keeps the shoot objects (keepObjects) and removes the seed MR's; restore rebuilds", async () => {
  const h = await ControlPlaneHarness.start();
  try {
    await ready(h);
    await h.annotate("migrate");
    assert.equal(await h.reconcile(), undefined);
    assert.equal(await h.grm.keepObjects("extension-controlplane-shoot"), true);
    const migrated = await h.getControlPlane();
    assert.equal(migrated.status?.lastOperation?.type, "Migrate");
    assert.equal(migrated.status?.lastOperation?.state, "Succeeded");
    assert.ok(!migrated.metadata.finalizers?.includes("extensions.gardener.cloud/controlplane"));
    assert.equal(await h.grm.keepObjects("extension-controlplane-seed"), false, "the CCM leaves this seed");
    assert.deepEqual(
      await h.seedObjects(),
      [...CCM_OBJECTS, "ManagedResource/extension-controlplane-seed", "ManagedResource/extension-controlplane-shoot"]
        .sort(),
    );
    await h.grm.processDeletions();
    assert.deepEqual(await h.seedObjects(), []);

    // Restore (the new seed): everything back, keepObjects off again.
    await h.annotate("restore");
    assert.equal(await h.reconcile(), undefined);
    await h.grm.applyAll();
    const restored = await h.getControlPlane();
    assert.equal(restored.status?.lastOperation?.type, "Restore");
    assert.deepEqual(readinessProblems(restored), []);
    assert.deepEqual(await h.seedObjects(), SEED_OBJECTS);
    assert.equal(await h.grm.keepObjects("extension-controlplane-shoot"), false);
  } finally {
    await h.close();
  }
});
