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

configureLogging({ level: "error" });

Deno.test("migration: the same devices before and after, every machine Running again, the shoot's objects kept", async () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 10, 0, 0));
  const { value: report } = await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape({ clock, randomSeed: 21 }, async (landscape) => {
      await landscape.create();
      const report = await landscape.migrate();
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
