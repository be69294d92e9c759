/**
 * Steady state: once the shoot's machines run, 10 minutes (fake time) without any change cause no writes at all to
 * any API server — not by our components, not by the simulations — except the leader-election leases (extension and
 * machine controller) and the extension's heartbeat lease; and no Metal API call.
 */
import assert from "node:assert/strict";
import { configureLogging } from "../../src/observability/log.ts";
import { withLandscape } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { ExtensionsV1alpha1 } from "../../src/k8s/api/resources.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

configureLogging({ level: "error" });

Deno.test("10 minutes with nothing changing: only lease writes, no Metal API call", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 14, 0, 0));
  let conditions: string[] = [];
  const { value: steady } = await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape({ clock, randomSeed: 5 }, async (landscape) => {
      await landscape.create();
      const steady = await landscape.steadyState(10 * 60_000);
      // The health checks ran all along (reading the shoot through gardenlet's `gardener` secret) and wrote nothing.
      const workers = await landscape.simulators.seedClient.list(ExtensionsV1alpha1.workers);
      conditions = workers.items.map((w) =>
        ((w as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [])
          .map((c) => `${c.type}=${c.status}`).join(",")
      );
      await landscape.delete();
      return steady;
    })
  );
  assert.equal(steady.durationMs, 10 * 60_000);
  assert.equal(steady.machines, 3);
  assert.deepEqual(steady.writesByResource, {}, "no write but the leases'");
  assert.equal(steady.apiWrites, steady.leaseWrites);
  assert.equal(steady.metalCalls, 0);
  // Two leader leases renewed every 2 s and the heartbeat every 30 s: the components are alive, not stuck.
  assert.ok(steady.leaseWrites >= 2 * 250, `lease writes ${steady.leaseWrites}`);
  // What the demo's line "steady state: 10.0 min without changes: … 0 other writes, 0 Metal API calls" is printed from.
  assert.equal(steady.windowMs, 10 * 60_000);
  assert.equal(steady.otherWrites, 0);
  assert.deepEqual(conditions, ["EveryNodeReady=True"]);
});
