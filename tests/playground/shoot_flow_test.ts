/**
 * The shoot flow as gardenlet runs it in the playground: Infrastructure, then the ControlPlane (our controller deploys
 * the CCM and its ManagedResources; the simulated resource manager applies them and the simulated kubelet makes the
 * Deployments available), then the Worker; deletion in reverse leaves nothing of the shoot in the seed.
 */
import assert from "node:assert/strict";
import { configureLogging } from "../../src/observability/log.ts";
import { withLandscape } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { eventually } from "../support/eventually.ts";
import {
  AppsV1,
  CoreGardenerV1beta1,
  ExtensionsV1alpha1,
  RbacV1,
  ResourcesV1alpha1,
} from "../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { ConflictError } from "../../src/k8s/api/errors.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

configureLogging({ level: "error" });

type WithStatus = KubeObject & {
  spec?: Record<string, unknown>;
  status?: {
    conditions?: { type: string; status: string }[];
    lastOperation?: { type?: string; state?: string };
    availableReplicas?: number;
  };
};
const conds = (o: WithStatus) => (o.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort();

Deno.test("shoot flow: the Shoot in the garden Succeeded with its conditions all True; ControlPlane ready, its MRs healthy, CCM available; deletion leaves nothing", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 14, 0, 0));
  const seen: Record<string, unknown> = {};
  await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape({ clock, randomSeed: 5 }, async (landscape) => {
      await landscape.create();
      const seed = landscape.simulators.seedClient;
      const garden = new KubeClient(landscape.simulators.garden.connection());
      const gardenShoot = async () => (await garden.list<WithStatus>(CoreGardenerV1beta1.shoots)).items;
      const shoot = await eventually(async () => {
        const [s] = await gardenShoot();
        return s && conds(s).length === 4 && conds(s).every((c) => c.endsWith("=True")) ? s : undefined;
      }, { timeoutMs: 30_000, description: "the Shoot's conditions all True" });
      seen.shootOperation = `${shoot.status?.lastOperation?.type} ${shoot.status?.lastOperation?.state}`;
      seen.shootConditions = conds(shoot);
      const cps = await seed.list<WithStatus>(ExtensionsV1alpha1.controlPlanes);
      assert.equal(cps.items.length, 1);
      const cp = cps.items[0];
      const ns = cp.metadata.namespace!;
      seen.cpType = cp.spec?.type;
      seen.cpState = cp.status?.lastOperation?.state;
      seen.hasInfraStatus = cp.spec?.infrastructureProviderStatus !== undefined;
      const mrs = await seed.list<WithStatus>(ResourcesV1alpha1.managedResources, { namespace: ns });
      seen.mrs = Object.fromEntries(mrs.items.map((m) => [m.metadata.name, conds(m).join(",")]));
      const ccm = await seed.get<WithStatus>(AppsV1.deployments, "cloud-controller-manager", { namespace: ns });
      seen.ccmAvailable = ccm.status?.availableReplicas;
      const shootClient = new KubeClient(landscape.simulators.shoots.get(ns)!.api.connection());
      const managed = async () =>
        (await shootClient.list(RbacV1.clusterRoles, { labelSelector: "resources.gardener.cloud/managed-by=gardener" }))
          .items.length;
      seen.appliedInShoot = await managed();
      await landscape.delete();
      seen.leftInSeed = (await seed.list(ResourcesV1alpha1.managedResources)).items.length +
        (await seed.list(ExtensionsV1alpha1.controlPlanes)).items.length +
        (await seed.list(AppsV1.deployments, { namespace: ns })).items.length;
      seen.leftInShoot = await managed();
      seen.shootsLeft = (await gardenShoot()).length;
      garden.close();
      shootClient.close();
    })
  );
  assert.equal(seen.shootOperation, "Create Succeeded");
  assert.deepEqual(seen.shootConditions, [
    "APIServerAvailable=True",
    "ControlPlaneHealthy=True",
    "EveryNodeReady=True",
    "SystemComponentsHealthy=True",
  ]);
  assert.equal(seen.shootsLeft, 0, "the Shoot is gone from the garden");
  assert.equal(seen.cpType, "equinixmetal");
  assert.equal(seen.cpState, "Succeeded");
  assert.equal(seen.hasInfraStatus, true);
  const healthy = "ResourcesApplied=True,ResourcesHealthy=True,ResourcesProgressing=False";
  for (const [name, c] of Object.entries(seen.mrs as Record<string, string>)) assert.equal(c, healthy, name);
  assert.ok("extension-controlplane-seed" in (seen.mrs as object), "the CCM's seed-class MR");
  assert.ok("extension-controlplane-shoot" in (seen.mrs as object), "the shoot MR");
  assert.equal(seen.ccmAvailable, 1);
  assert.equal(seen.leftInSeed, 0);
});

Deno.test("shoot care: a pass whose write meets a conflict (another pass or a report wrote meanwhile) reads again and writes", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 16, 0, 0));
  await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape({ clock, randomSeed: 6 }, async (landscape) => {
      await landscape.create();
      const garden = new KubeClient(landscape.simulators.garden.connection());
      try {
        const [shoot] = (await garden.list<WithStatus>(CoreGardenerV1beta1.shoots)).items;
        // Conditions gone, so the pass must write them; its first write is answered 409 as after a concurrent write.
        await garden.updateStatus(
          CoreGardenerV1beta1.shoots,
          { ...shoot, status: { ...shoot.status, conditions: [] } } as KubeObject,
          { namespace: shoot.metadata.namespace },
        );
        const gardenlet = landscape.simulators.gardenlet;
        const client = (gardenlet as unknown as { opts: { garden: KubeClient } }).opts.garden;
        const updateStatus = client.updateStatus.bind(client);
        let writes = 0;
        client.updateStatus = ((...args: Parameters<typeof updateStatus>) =>
          writes++ === 0
            ? Promise.reject(
              new ConflictError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", code: 409 }),
            )
            : updateStatus(...args)) as typeof updateStatus;
        try {
          const conditions = await gardenlet.careNow({ technicalId: landscape.shoots[0].technicalId });
          assert.equal(conditions?.length, 4);
        } finally {
          client.updateStatus = updateStatus;
        }
        assert.equal(writes, 2);
        const [after] = (await garden.list<WithStatus>(CoreGardenerV1beta1.shoots)).items;
        assert.deepEqual(conds(after), conds(shoot));
      } finally {
        garden.close();
      }
      await landscape.delete();
    })
  );
});
