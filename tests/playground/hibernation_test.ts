/**
 * Hibernation as gardenlet runs it: no machine, no device and no CCM replica while the shoot sleeps; after the
 * wake-up every machine runs again and the Shoot's conditions are all True.
 */
import assert from "node:assert/strict";
import { configureLogging } from "../../src/observability/log.ts";
import { runPlayground, withLandscape } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";
import { eventually } from "../support/eventually.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { CoreGardenerV1beta1, MachineV1alpha1 } from "../../src/k8s/api/resources.ts";

configureLogging({ level: "error" });

Deno.test("hibernation: machines, devices and CCM go to 0; waking up brings them back with the Shoot's conditions all True", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 14, 0, 0));
  const { value: report } = await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape({ clock, randomSeed: 5 }, async (landscape) => {
      const created = await landscape.create();
      assert.equal(created.machines, 3);
      const report = await landscape.hibernate();
      await landscape.delete();
      return report;
    })
  );
  assert.deepEqual(report.asleep, { machines: 0, devices: 0, ccmReplicas: 0 });
  assert.equal(report.awake, 3);
  for (const conds of Object.values(report.shootConditions)) {
    assert.deepEqual(conds, [
      "APIServerAvailable=True",
      "ControlPlaneHealthy=True",
      "EveryNodeReady=True",
      "SystemComponentsHealthy=True",
    ]);
  }
});

Deno.test("demo --once --hibernate: hibernation after the rolling update, then the migration, then the deletion, their lines printed", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 8, 0, 0));
  const lines: string[] = [];
  const result = await new FakeTimeDriver(clock).during(() =>
    runPlayground({ once: true, hibernate: true, clock, randomSeed: 11, print: (l) => lines.push(l) })
  );
  const text = lines.join("\n");
  assert.deepEqual(result.reports.map((r) => r.name), [
    "create",
    "rolling update",
    "hibernation",
    "migration",
    "delete",
  ]);
  assert.match(
    text,
    /^hibernated: 0 machines, 0 devices, 0 CCM replicas; woken up: all 3 machines Running after [\d.]+ s$/m,
  );
  assert.match(
    text,
    /^migrated: control plane migrated and restored in [\d.]+ s; all 3 machines Running again from the machine state \(3 recorded\); the same 3 device\(s\) \(0 created, 0 deleted\); \d+ shoot object\(s\) kept$/m,
  );
  assert.match(text, /^left after the deletion: nothing in the seed, the garden or the shoots$/m);
});

Deno.test("a patch of the Shoot's spec.hibernation.enabled in the garden (as kubectl would) hibernates the shoot and wakes it up", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 14, 0, 0));
  const seen: number[] = [];
  await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape({ clock, randomSeed: 5 }, async (landscape) => {
      await landscape.create();
      const garden = new KubeClient(landscape.simulators.garden.connection());
      const seed = landscape.simulators.seedClient;
      try {
        const [shoot] = (await garden.list(CoreGardenerV1beta1.shoots)).items;
        const patch = (enabled: boolean) =>
          garden.patch(
            CoreGardenerV1beta1.shoots,
            shoot.metadata.name!,
            { spec: { hibernation: { enabled } } },
            "merge",
            {
              namespace: shoot.metadata.namespace,
            },
          );
        const machines = async () => (await seed.list(MachineV1alpha1.machines)).items.length;
        seen.push(await machines());
        await patch(true);
        await eventually(async () => (await machines()) === 0, { timeoutMs: 60_000, description: "no machine" });
        seen.push(await machines());
        await patch(false);
        await eventually(async () => (await machines()) === 3, { timeoutMs: 60_000, description: "machines back" });
        seen.push(await machines());
      } finally {
        garden.close();
      }
      await landscape.delete();
    })
  );
  assert.deepEqual(seen, [3, 0, 3]);
});
