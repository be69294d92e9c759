import assert from "node:assert/strict";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { AppsV1, CoreV1, RbacV1, ResourcesV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { undefinedIfNotFound } from "../../../src/k8s/api/errors.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { FakeClock, yieldToEventLoop } from "../../../src/runtime/clock.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import {
  GRM_FINALIZER,
  type ManagedResource,
  ResourceManagerSimulation,
} from "../../../src/sim/resourcemanager/mod.ts";
import { DeploymentKubelet } from "../../../src/sim/kubelet/mod.ts";
// The extension's own rendering, so the simulation is tested against what we really write.
import { renderManagedResource } from "../../../src/extension/genericcontrolplane/managed_resource.ts";

const NS = "shoot--p--s";

async function until<T>(clock: FakeClock, probe: () => Promise<T> | T, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    for (let i = 0; i < 3; i++) await yieldToEventLoop();
    await new Promise((r) => setTimeout(r, 3));
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await clock.advance(500);
  }
}

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "cloud-controller-manager", namespace: NS },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "ccm" } },
    template: { metadata: { labels: { app: "ccm" } }, spec: { containers: [{ name: "ccm", image: "ccm:1" }] } },
  },
} as KubeObject;
const clusterRole = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRole",
  metadata: { name: "system:controller:cloud-node-controller" },
  rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }],
} as KubeObject;

Deno.test("resource manager: seed MR into the seed, shoot MR into the shoot, conditions as GRM's, 0 writes when settled, keepObjects on deletion", async () => {
  const clock = new FakeClock();
  const seed = await startApiServer({ clock, bookmarkIntervalMs: 3_600_000, namespaces: ["default", NS] });
  const shoot = await startApiServer({ clock, bookmarkIntervalMs: 3_600_000 });
  await seed.installCrds(loadCrds({ groups: ["gardener"] }));
  const seedClient = new KubeClient(seed.connection());
  const shootClient = new KubeClient(shoot.connection());
  const grm = new ResourceManagerSimulation({
    seed: new KubeClient(seed.connection()),
    shootClient: (ns) => ns === NS ? shootClient : undefined,
    clock,
    pollMs: 1000,
  });
  const kubelet = new DeploymentKubelet({ client: new KubeClient(seed.connection()), clock, delayMs: 2000 });
  const stop = new AbortController();
  const running = [grm.start(stop.signal), kubelet.start(stop.signal)];
  const mr = (name: string) =>
    undefinedIfNotFound(seedClient.get<ManagedResource>(ResourcesV1alpha1.managedResources, name, { namespace: NS }));
  const cond = (m: ManagedResource | undefined, type: string) =>
    m?.status?.conditions?.find((c) => c.type === type)?.status;
  try {
    const seedMr = renderManagedResource({
      name: "extension-controlplane-seed",
      namespace: NS,
      class: "seed",
      objects: [deployment],
    });
    const shootMr = renderManagedResource({
      name: "extension-controlplane-shoot",
      namespace: NS,
      objects: [clusterRole],
    });
    for (const r of [seedMr, shootMr]) {
      await seedClient.create(CoreV1.secrets, r.secret, { namespace: NS });
      await seedClient.create(ResourcesV1alpha1.managedResources, r.managedResource, { namespace: NS });
    }

    // The shoot MR: applied into the shoot (not the seed), with the injected no-cleanup label, healthy.
    const shootDone = await until(clock, async () => {
      const m = await mr("extension-controlplane-shoot");
      return cond(m, "ResourcesHealthy") === "True" ? m : undefined;
    }, "shoot MR healthy");
    assert.ok(shootDone.metadata.finalizers?.includes(GRM_FINALIZER));
    assert.equal(cond(shootDone, "ResourcesApplied"), "True");
    assert.equal(cond(shootDone, "ResourcesProgressing"), "False");
    assert.equal(shootDone.status?.observedGeneration, shootDone.metadata.generation);
    const role = await shootClient.get(RbacV1.clusterRoles, clusterRole.metadata.name!);
    assert.equal(role.metadata.labels?.["shoot.gardener.cloud/no-cleanup"], "true");
    assert.equal(
      role.metadata.annotations?.["resources.gardener.cloud/origin"],
      `seed:${NS}/extension-controlplane-shoot`,
    );
    assert.equal(
      await undefinedIfNotFound(seedClient.get(RbacV1.clusterRoles, clusterRole.metadata.name!)),
      undefined,
    );

    // The seed MR: the Deployment lands in the seed; unhealthy and progressing until the kubelet makes it available.
    const progressing = await until(clock, async () => {
      const m = await mr("extension-controlplane-seed");
      return cond(m, "ResourcesApplied") === "True" ? m : undefined;
    }, "seed MR applied");
    assert.equal(cond(progressing, "ResourcesHealthy"), "False");
    assert.equal(cond(progressing, "ResourcesProgressing"), "True");
    await until(
      clock,
      async () => cond(await mr("extension-controlplane-seed"), "ResourcesHealthy") === "True",
      "seed MR healthy",
    );
    const dep = await seedClient.get<KubeObject & { status?: { availableReplicas?: number } }>(
      AppsV1.deployments,
      "cloud-controller-manager",
      { namespace: NS },
    );
    assert.equal(dep.status?.availableReplicas, 1);

    // Settled: further passes write nothing.
    const writes = grm.stats.writes + kubelet.stats.writes;
    for (let i = 0; i < 5; i++) {
      await clock.advance(1000);
      await grm.syncNow();
      await kubelet.syncNow();
    }
    assert.equal(grm.stats.writes + kubelet.stats.writes, writes, "no writes once settled");

    // Deletion: keepObjects leaves the shoot's objects; without it the seed's objects go. Both MRs disappear.
    await seedClient.patch(
      ResourcesV1alpha1.managedResources,
      "extension-controlplane-shoot",
      {
        spec: { keepObjects: true },
      },
      "merge",
      { namespace: NS },
    );
    await until(clock, async () => (await mr("extension-controlplane-shoot"))?.spec.keepObjects === true, "patched");
    await clock.advance(1000);
    for (const name of ["extension-controlplane-shoot", "extension-controlplane-seed"]) {
      await seedClient.delete(ResourcesV1alpha1.managedResources, name, { namespace: NS });
    }
    await until(clock, async () => !(await mr("extension-controlplane-shoot")), "shoot MR gone");
    await until(clock, async () => !(await mr("extension-controlplane-seed")), "seed MR gone");
    assert.ok(await undefinedIfNotFound(shootClient.get(RbacV1.clusterRoles, clusterRole.metadata.name!)), "kept");
    assert.equal(
      await undefinedIfNotFound(seedClient.get(AppsV1.deployments, "cloud-controller-manager", { namespace: NS })),
      undefined,
      "deleted",
    );
  } finally {
    stop.abort();
    for (const s of [seed, shoot]) s.faults.dropWatches();
    await Promise.all(running);
    await shoot.stop();
    await seed.stop();
  }
});

Deno.test("resource manager: TokenRequestor creates the shoot ServiceAccount a token-requestor Secret names, once; an MR's objects pass the edit and are told as applied", async () => {
  const clock = new FakeClock();
  const seed = await startApiServer({ clock, bookmarkIntervalMs: 3_600_000, namespaces: ["default", NS] });
  const shoot = await startApiServer({ clock, bookmarkIntervalMs: 3_600_000 });
  await seed.installCrds(loadCrds({ groups: ["gardener"] }));
  const seedClient = new KubeClient(seed.connection());
  const shootClient = new KubeClient(shoot.connection());
  const told: KubeObject[] = [];
  const grm = new ResourceManagerSimulation({
    seed: new KubeClient(seed.connection()),
    shootClient: (ns) => ns === NS ? shootClient : undefined,
    clock,
    pollMs: 1000,
    edit: (o) => o.kind === "ClusterRole" ? { ...o, rules: [] } as KubeObject : o,
    onApplied: (_mr, objects) => told.push(...objects),
  });
  const stop = new AbortController();
  const running = [grm.start(stop.signal)];
  try {
    // As our ControlPlane writes it (shootAccessSecret): purpose token-requestor, class shoot.
    await seedClient.create(CoreV1.secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "shoot-access-cloud-controller-manager",
        namespace: NS,
        labels: { "resources.gardener.cloud/purpose": "token-requestor", "resources.gardener.cloud/class": "shoot" },
        annotations: {
          "serviceaccount.resources.gardener.cloud/name": "cloud-controller-manager",
          "serviceaccount.resources.gardener.cloud/namespace": "kube-system",
        },
      },
    } as KubeObject, { namespace: NS });
    const shootMr = renderManagedResource({
      name: "extension-controlplane-shoot",
      namespace: NS,
      objects: [clusterRole],
    });
    await seedClient.create(CoreV1.secrets, shootMr.secret, { namespace: NS });
    await seedClient.create(ResourcesV1alpha1.managedResources, shootMr.managedResource, { namespace: NS });
    await until(
      clock,
      () =>
        undefinedIfNotFound(
          shootClient.get(CoreV1.serviceAccounts, "cloud-controller-manager", { namespace: "kube-system" }),
        ),
      "ServiceAccount created",
    );
    const role = await until(
      clock,
      () => undefinedIfNotFound(shootClient.get(RbacV1.clusterRoles, clusterRole.metadata.name!)),
      "ClusterRole applied",
    );
    assert.deepEqual((role as unknown as { rules: unknown[] }).rules, [], "edited before it was applied");
    assert.deepEqual(told.map((o) => `${o.kind}/${o.metadata.name}`), [`ClusterRole/${clusterRole.metadata.name}`]);
    assert.equal(grm.stats.serviceAccountsCreated, 1);
    const writes = grm.stats.writes;
    for (let i = 0; i < 5; i++) await clock.advance(1000);
    assert.equal(grm.stats.serviceAccountsCreated, 1, "created once");
    assert.equal(grm.stats.writes, writes, "no write once settled");
  } finally {
    stop.abort();
    for (const s of [seed, shoot]) s.faults.dropWatches();
    await Promise.all(running);
    seedClient.close();
    shootClient.close();
    await shoot.stop();
    await seed.stop();
  }
});

Deno.test("resource manager: an object whose update is refused as invalid (an immutable field) is re-created with delete-on-invalid-update, and fails the MR without it", async () => {
  const clock = new FakeClock();
  const seed = await startApiServer({ clock, bookmarkIntervalMs: 3_600_000, namespaces: ["default", NS] });
  await seed.installCrds(loadCrds({ groups: ["gardener"] }));
  const seedClient = new KubeClient(seed.connection());
  const grm = new ResourceManagerSimulation({
    seed: new KubeClient(seed.connection()),
    shootClient: () => undefined,
    clock,
    pollMs: 1000,
  });
  const stop = new AbortController();
  const running = grm.start(stop.signal);
  const get = (res: typeof AppsV1.deployments, name: string) =>
    undefinedIfNotFound(seedClient.get<KubeObject & { spec?: { selector?: unknown } }>(res, name, { namespace: NS }));
  const condition = async (name: string, type: string) =>
    (await get(ResourcesV1alpha1.managedResources, name) as ManagedResource | undefined)?.status?.conditions?.find(
      (c) => c.type === type,
    );
  // A Deployment written directly earlier, selecting its pods by another label.
  const old = (name: string) => ({
    ...deployment,
    metadata: { name, namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "old" } },
      template: { metadata: { labels: { app: "old" } }, spec: { containers: [{ name: "ccm", image: "ccm:0" }] } },
    },
  } as KubeObject);
  const ours = (name: string, annotations?: Record<string, string>) =>
    ({ ...deployment, metadata: { name, namespace: NS, annotations } }) as KubeObject;
  try {
    for (const name of ["replaced", "refused"]) await seedClient.create(AppsV1.deployments, old(name));
    const originalUid = (await get(AppsV1.deployments, "replaced"))!.metadata.uid;
    for (
      const r of [
        renderManagedResource({
          name: "with-annotation",
          namespace: NS,
          class: "seed",
          objects: [ours("replaced", { "resources.gardener.cloud/delete-on-invalid-update": "true" })],
        }),
        renderManagedResource({ name: "without", namespace: NS, class: "seed", objects: [ours("refused")] }),
      ]
    ) {
      await seedClient.create(CoreV1.secrets, r.secret, { namespace: NS });
      await seedClient.create(ResourcesV1alpha1.managedResources, r.managedResource, { namespace: NS });
    }
    await until(
      clock,
      async () => (await condition("with-annotation", "ResourcesApplied"))?.status === "True",
      "applied",
    );
    const replaced = (await get(AppsV1.deployments, "replaced"))!;
    assert.notEqual(replaced.metadata.uid, originalUid, "deleted and created again");
    assert.deepEqual(replaced.spec?.selector, { matchLabels: { app: "ccm" } });
    const refused = await until(clock, async () => {
      const c = await condition("without", "ResourcesApplied");
      return c?.status === "False" ? c : undefined;
    }, "the MR without the annotation fails");
    assert.match(refused.message ?? "", /spec\.selector/);
    assert.deepEqual((await get(AppsV1.deployments, "refused"))!.spec?.selector, { matchLabels: { app: "old" } });
  } finally {
    stop.abort();
    seed.faults.dropWatches();
    await running;
    seedClient.close();
    await seed.stop();
  }
});
