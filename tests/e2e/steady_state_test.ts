/**
 * Steady state: once the shoot's machines run, 10 minutes (fake time) without any change cause no writes at all to
 * any API server — not by our components, not by the simulations — except the leader-election leases (extension and
 * machine controller) and the extension's heartbeat lease; and no Metal API call.
 */
import assert from "node:assert/strict";
import { configureLogging } from "../../src/observability/log.ts";
import { runPlayground } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { FakeTimeDriver } from "./fake_time.ts";

configureLogging({ level: "error" });

Deno.test("10 minutes with nothing changing: only lease writes, no Metal API call", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 14, 0, 0));
  const lines: string[] = [];
  const result = await new FakeTimeDriver(clock, 1000).during(() =>
    runPlayground({
      once: true,
      clock,
      randomSeed: 5,
      steadyStateMs: 10 * 60_000,
      rollingUpdate: false,
      status: "quiet",
      print: (l) => lines.push(l),
    })
  );
  const steady = result.reports.find((r) => r.name === "steady state")!;
  assert.equal(steady.durationMs, 10 * 60_000);
  assert.equal(steady.machines, 3);
  assert.deepEqual(steady.writesByResource, {}, "no write but the leases'");
  assert.equal(steady.apiWrites, steady.leaseWrites);
  assert.equal(steady.metalCalls, 0);
  // Two leader leases renewed every 2 s and the heartbeat every 30 s: the components are alive, not stuck.
  assert.ok(steady.leaseWrites >= 2 * 250, `lease writes ${steady.leaseWrites}`);
  assert.ok(
    lines.some((l) =>
      /^steady state: 10\.0 min without changes: \d+ lease writes, 0 other writes, 0 Metal API calls$/.test(l)
    ),
  );
});
