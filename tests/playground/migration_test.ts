/**
 * The control-plane migration as gardenlet runs it (migrate flow, then the restore flow into the same seed): the
 * machine state holds every machine, the restore brings them back on the devices they had — none created, none
 * deleted — and the objects our ManagedResources applied in the shoot are kept.
 */
import assert from "node:assert/strict";
import { configureLogging } from "../../src/observability/log.ts";
import { withLandscape } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";
import { CoreV1, ExtensionsV1alpha1 } from "../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";

configureLogging({ level: "error" });

Deno.test("migration: the same devices before and after, every machine Running again, the shoot's objects kept", async () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 10, 0, 0));
  const { value: report } = await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape({ clock, randomSeed: 21 }, async (landscape) => {
      await landscape.create();
      const seed = landscape.simulators.seedClient;
      const ns = landscape.shoots[0].technicalId;
      const namespaceBefore = (await seed.get(CoreV1.namespaces, ns)).metadata.uid;
      const report = await landscape.migrate();
      // Migrated to the same seed: the namespace was torn down and rebuilt, the extension objects restored.
      assert.notEqual((await seed.get(CoreV1.namespaces, ns)).metadata.uid, namespaceBefore);
      for (
        const res of [ExtensionsV1alpha1.infrastructures, ExtensionsV1alpha1.controlPlanes, ExtensionsV1alpha1.workers]
      ) {
        const o = await seed.get<KubeObject & { status?: { lastOperation?: { type?: string; state?: string } } }>(
          res,
          landscape.shoots[0].shootName,
          { namespace: ns },
        );
        assert.deepEqual([o.status?.lastOperation?.type, o.status?.lastOperation?.state], ["Restore", "Succeeded"]);
      }
      await landscape.delete();
      return report;
    })
  );
  assert.equal(report.machines, 3);
  assert.equal(report.machinesInState, 3);
  assert.equal(report.restored, 3);
  assert.deepEqual(report.devices, { before: 3, after: 3, created: 0, deleted: 0 });
  assert.ok(report.shootObjectsKept > 0, "the CCM's ClusterRole and the rest of the shoot MR were checked");
  for (const conds of Object.values(report.shootConditions)) {
    assert.deepEqual(conds, [
      "APIServerAvailable=True",
      "ControlPlaneHealthy=True",
      "EveryNodeReady=True",
      "SystemComponentsHealthy=True",
    ]);
  }
});
