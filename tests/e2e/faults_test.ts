/**
 * The playground's scenario under faults, on a fake clock: 1 shoot, 2 pools of 3 machines; the Metal API loses 10 %
 * of its responses (after the effect) and answers 5 % with 500/503, plus 429 bursts, and a quarter of the device
 * creates commit late (the response is lost and the device is visible only 15 s later); every API server answers 5 % of
 * updates and patches with 409, drops all watches every 30 s and compacts (410 Gone) every minute; the extension and
 * the machine controller are restarted (crash or graceful) about every 20 s. It must converge: all machines Running
 * with exactly one live device each after the create phase, the rolled pool on its new machine type, a machine whose
 * device was deleted out of band replaced by exactly one new device, the control plane migrated and restored onto the
 * same devices (none created, none deleted), and no device left after the deletion (the scenario itself checks each
 * and fails naming the problem).
 *
 * Seeded and reproducible in its fault decisions: FAULT_SEEDS=1,2,3 runs other seeds; a failure names its seed.
 */
import assert from "node:assert/strict";
import { configureLogging, type LogLevel } from "../../src/observability/log.ts";
import { type FaultOptions, withLandscape } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

// Injected faults make the components log errors by design; TEST_LOG_LEVEL=info shows them.
const level = Deno.env.get("TEST_LOG_LEVEL") as LogLevel | undefined;
configureLogging(level ? { level } : { level: "error", sink: () => {} });

const FAULTS: FaultOptions = {
  metal: {
    lostResponsePercent: 10,
    serverErrorPercent: 5,
    lateCommitPercent: 50,
    rateLimitBursts: { everyMs: 20_000, size: 5 },
  },
  apiServers: { conflictPercent: 5, watchDropEveryMs: 30_000, goneEveryMs: 60_000 },
  restarts: { everyMs: 20_000, mode: "mixed" },
};
// Every fault kind must occur in each run (asserted below), and the fault decisions interleave with every API request
// of the run, so any new request moves them: at 25 % of ~9 device creates a seed drew no late commit in one run of
// several (0.75^9 ≈ 8 %). At 50 % that is 0.2 %; seeds 1–8 and 20261121 all converged with every kind.
const SEEDS = (Deno.env.get("FAULT_SEEDS") ?? "2").split(",").map(Number);

for (const seed of SEEDS) {
  Deno.test(`faults (seed ${seed}): converges, no duplicated device, nothing left after deletion`, async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
    const phase = { name: "start" };
    try {
      const { value: reports, outcome } = await new FakeTimeDriver(clock).during(() =>
        withLandscape({
          clock,
          randomSeed: seed,
          pools: 2,
          machinesPerPool: 3,
          provisioningSeconds: 10,
          faults: FAULTS,
        }, async (landscape) => {
          phase.name = "create";
          const created = await landscape.create();
          phase.name = "rolling update";
          const rolled = await landscape.rollingUpdate();
          phase.name = "device loss";
          const lost = await landscape.loseDevices();
          phase.name = "migration";
          const migrated = await landscape.migrate();
          phase.name = "delete";
          const deleted = await landscape.delete();
          return { created, rolled, lost, migrated, deleted };
        })
      );
      const { created, rolled, lost, migrated, deleted } = reports;
      assert.deepEqual([created, rolled, lost, migrated, deleted].map((r) => [r.name, r.machines]), [
        ["create", 6],
        ["rolling update", 3],
        ["device loss", 1],
        ["migration", 6],
        ["delete", 6],
      ]);
      const injected = outcome.faults!;
      assert.ok(
        injected.rateLimitBursts > 0 && injected.watchDrops > 0 && injected.compactions > 0,
        JSON.stringify(injected),
      );
      const restarts = Object.values(outcome.restarts).reduce((a, b) => a + b, 0);
      assert.ok(restarts >= 2, `components were restarted: ${JSON.stringify(outcome.restarts)}`);
      const kinds = (k: string) =>
        Object.entries(injected.metalInjected).filter(([key]) => key.startsWith(k)).reduce((n, [, v]) => n + v, 0);
      assert.ok(
        kinds("lost ") > 0 && kinds("late-commit ") > 0 && kinds("500 ") + kinds("503 ") > 0 && kinds("429 ") > 0,
        JSON.stringify(injected),
      );
      // What the demo's lines "created: all 6 machines Running … exactly one device per machine" and "deleted: every
      // shoot gone …; no device left" are printed from.
      assert.equal(created.machines, 6);
      assert.equal(created.liveDevices, created.machines, "exactly one live device per machine");
      assert.equal(deleted.liveDevices, 0, "no device left");
    } catch (e) {
      throw new Error(
        `fault run with seed ${seed} failed in phase ${phase.name} (reproduce: FAULT_SEEDS=${seed} deno test -A ` +
          `tests/e2e/faults_test.ts): ${(e as Error).message}`,
        { cause: e },
      );
    }
  });
}
