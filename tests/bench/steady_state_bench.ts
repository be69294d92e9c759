/**
 * Steady state at scale, in real time: 1 shoot × 1,000 machines Running, then 10 minutes with nothing changing. Our
 * components run as CLI subprocesses. Counted over the quiet window: API-server writes by resource (only the leases
 * of leader election and the heartbeat are allowed), Metal API calls, and the CPU each component spends idling.
 * (`tests/e2e/steady_state_test.ts` checks the same for the example shoot on a fake clock in CI.)
 *
 * Run: `deno task bench steady_state` (BENCH_STEADY_MINUTES=2 shortens the window).
 */
import { configureLogging } from "../../src/observability/log.ts";
import { runPlayground } from "../../src/playground/mod.ts";
import { machineDescription, report } from "./report.ts";

configureLogging({ level: "error" });
const minutes = Number(Deno.env.get("BENCH_STEADY_MINUTES") ?? 10);

console.log(`machine: ${machineDescription()}`);
const result = await runPlayground({
  once: true,
  rollingUpdate: false,
  migrate: false,
  pools: 2,
  machinesPerPool: 500,
  provisioningSeconds: 0,
  steadyStateMs: minutes * 60_000,
  components: "subprocess",
  watchHistory: 200_000,
  phaseTimeoutMs: 30 * 60_000,
  status: "quiet",
  print: (l) => {
    if (/^(created|steady state|deleted):/.test(l)) console.log(`  ${l}`);
  },
});
const steady = result.reports.find((r) => r.name === "steady state")!;
report({
  name: `steady state (${minutes} min, 1,000 machines): writes other than leases`,
  value: steady.apiWrites - steady.leaseWrites,
  unit: "writes",
  goal: "0",
});
report({
  name: `steady state (${minutes} min, 1,000 machines): lease writes`,
  value: steady.leaseWrites,
  unit: "writes",
});
report({
  name: `steady state (${minutes} min, 1,000 machines): Metal API calls`,
  value: steady.metalCalls,
  unit: "calls",
  goal: "0",
});
if (Object.keys(steady.writesByResource).length) {
  console.log(`  writes by resource: ${JSON.stringify(steady.writesByResource)}`);
}
const at = (phase: string) => result.usage.find((u) => u.phase === phase)!.components;
for (const [name, u] of Object.entries(at("steady state"))) {
  const before = at("create")[name];
  if (!before) continue;
  report({
    name: `steady state: CPU of ${name.startsWith("machine-controller") ? "machine controller" : name}`,
    value: u.cpuSeconds - before.cpuSeconds,
    unit: "s",
  });
}
