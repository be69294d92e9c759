/**
 * The fault run at a larger size than CI's: 3 shoots × 2 pools × 5 machines (30 machines) through the whole scenario
 * (create, rolling update of one pool per shoot, deletion) with the CI test's faults — Metal: 10 % lost responses,
 * 5 % 500/503, 429 bursts, 25 % of device creates committed late (lost response, device visible 15 s later); API servers: 5 % conflicts, watch drops every 30 s, 410 Gone every 60 s; a component
 * restarted (crash or graceful) about every 20 s — for several seeds, on a fake clock driven in the background.
 * Every run must converge with no duplicated and no leftover device (the scenario checks both and fails otherwise).
 *
 * Run: `deno task bench playground_faults` (BENCH_FAULT_SEEDS=1,2,3 picks the seeds).
 */
import { configureLogging } from "../../src/observability/log.ts";
import { type FaultOptions, runPlayground } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";
import { machineDescription, report } from "./report.ts";

configureLogging({ level: "error", sink: () => {} });

const FAULTS: FaultOptions = {
  metal: {
    lostResponsePercent: 10,
    serverErrorPercent: 5,
    lateCommitPercent: 25,
    rateLimitBursts: { everyMs: 20_000, size: 5 },
  },
  apiServers: { conflictPercent: 5, watchDropEveryMs: 30_000, goneEveryMs: 60_000 },
  restarts: { everyMs: 20_000, mode: "mixed" },
};
const SEEDS = (Deno.env.get("BENCH_FAULT_SEEDS") ?? "101,102,103,104,105").split(",").map(Number);

console.log(`machine: ${machineDescription()}`);
let failures = 0;
const createMs: number[] = [];
const totals = { restarts: 0, lost: 0, lateCommits: 0, serverErrors: 0, throttled: 0 };
for (const seed of SEEDS) {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
  const started = Date.now();
  try {
    const r = await new FakeTimeDriver(clock).during(() =>
      runPlayground({
        once: true,
        migrate: false,
        clock,
        randomSeed: seed,
        shoots: 3,
        pools: 2,
        machinesPerPool: 5,
        provisioningSeconds: 10,
        faults: FAULTS,
        status: "quiet",
        print: () => {},
      })
    );
    const restarts = Object.values(r.restarts).reduce((a, b) => a + b, 0);
    const injected = r.faults!.metalInjected;
    const sum = (prefix: string) =>
      Object.entries(injected).filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
    totals.restarts += restarts;
    totals.lost += sum("lost ");
    totals.lateCommits += sum("late-commit ");
    totals.serverErrors += sum("500 ") + sum("503 ");
    totals.throttled += sum("429 ");
    createMs.push(r.milestones!.allRunningMs);
    const [create, rolling, del] = r.reports;
    console.log(
      `seed ${seed}: converged — create ${(create.durationMs / 1000).toFixed(0)} s, rolling update ` +
        `${(rolling.durationMs / 1000).toFixed(0)} s, delete ${(del.durationMs / 1000).toFixed(0)} s (fake time); ` +
        `${restarts} restarts, ${sum("lost ")} lost responses, ${sum("late-commit ")} late commits, ` +
        `${sum("500 ") + sum("503 ")} 5xx, ${sum("429 ")} 429s; ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s real`,
    );
  } catch (e) {
    failures++;
    console.log(`seed ${seed}: FAILED: ${(e as Error).message}`);
  }
}
report({ name: "fault runs converged", value: SEEDS.length - failures, unit: `of ${SEEDS.length}`, goal: "all" });
report({ name: "fault runs: component restarts in total", value: totals.restarts, unit: "restarts" });
report({ name: "fault runs: Metal lost responses in total", value: totals.lost, unit: "responses" });
report({ name: "fault runs: Metal late commits in total", value: totals.lateCommits, unit: "creates" });
report({ name: "fault runs: Metal 5xx in total", value: totals.serverErrors, unit: "responses" });
report({ name: "fault runs: Metal 429 in total", value: totals.throttled, unit: "responses" });
report({
  name: "fault runs: median time to all 30 machines Running (fake time)",
  value: createMs.sort((a, b) => a - b)[Math.floor(createMs.length / 2)] / 1000,
  unit: "s",
});
if (failures) Deno.exit(1);
