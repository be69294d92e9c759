/**
 * The main job at scale, end to end: 1 shoot × 1,000 machines and 100 shoots × 10 machines through the playground
 * (gardenlet simulation → extension → MachineDeployment simulation → machine controller → Metal simulator over HTTP
 * → node simulation), devices provisioned in no time. Our components run as subprocesses of the CLI (`extension`,
 * one `machine-controller` per shoot, as in a seed) so their CPU and peak RSS are their own (read from /proc); the
 * landscape — fake API servers, Metal simulator, the three simulations — runs in this process.
 *
 * Measured: wall time to all machines Running and to everything gone, Metal API calls per machine (create, delete),
 * API-server writes per machine (ours, without leases and the simulations'), CPU seconds and peak RSS per component.
 *
 * Run: `deno task bench playground_scale` (BENCH_SCENARIOS=1000 or =100x10 runs one of them).
 */
import { configureLogging } from "../../src/observability/log.ts";
import { type PhaseReport, type ProcessUsage, runPlayground } from "../../src/playground/mod.ts";
import { machineDescription, report } from "./report.ts";

configureLogging({ level: "error" });

interface Scenario {
  key: string;
  title: string;
  shoots: number;
  pools: number;
  machinesPerPool: number;
}

const SCENARIOS: Scenario[] = [
  { key: "1000", title: "1 shoot × 1,000 machines", shoots: 1, pools: 2, machinesPerPool: 500 },
  { key: "100x10", title: "100 shoots × 10 machines", shoots: 100, pools: 2, machinesPerPool: 5 },
];
const wanted = (Deno.env.get("BENCH_SCENARIOS") ?? "1000,100x10").split(",");

const MB = 1024 * 1024;

/** Usage of one component kind between two snapshots: CPU used, peak RSS (max and sum over instances). */
function usageOf(
  usage: Array<{ phase: string; components: Record<string, ProcessUsage> }>,
  from: string,
  to: string,
  prefix: string,
): { cpuSeconds: number; peakRssMb: number; sumPeakRssMb: number; instances: number } {
  const a = usage.find((u) => u.phase === from)!.components;
  const b = usage.find((u) => u.phase === to)!.components;
  let cpu = 0, peak = 0, sum = 0, n = 0;
  for (const [name, u] of Object.entries(b)) {
    if (!name.startsWith(prefix)) continue;
    n++;
    cpu += u.cpuSeconds - (a[name]?.cpuSeconds ?? 0);
    peak = Math.max(peak, u.peakRssBytes / MB);
    sum += u.peakRssBytes / MB;
  }
  return { cpuSeconds: cpu, peakRssMb: peak, sumPeakRssMb: sum, instances: n };
}

function perMachine(r: PhaseReport, method?: string): number {
  return (method ? r.deviceCallsByMethod[method] ?? 0 : r.deviceCalls) / r.machines;
}

console.log(`machine: ${machineDescription()}`);
for (const s of SCENARIOS.filter((x) => wanted.includes(x.key))) {
  console.log(`\n--- ${s.title} (${s.pools} pools per shoot, components as subprocesses)`);
  const started = Date.now();
  const result = await runPlayground({
    once: true,
    rollingUpdate: false,
    migrate: false,
    shoots: s.shoots,
    pools: s.pools,
    machinesPerPool: s.machinesPerPool,
    provisioningSeconds: 0,
    components: "subprocess",
    watchHistory: 200_000,
    nodePollMs: 500,
    parallelShoots: 100,
    phaseTimeoutMs: 30 * 60_000,
    status: "quiet",
    print: (l) => {
      if (/^(created|deleted|running|kubeconfig):/.test(l)) {
        console.log(`  [${((Date.now() - started) / 1000).toFixed(1)} s] ${l}`);
      }
    },
  });
  const [create, del] = result.reports;
  const m = result.milestones!;
  const tag = s.key;
  report({
    name: `${tag} wall time to all machines Running`,
    value: m.allRunningMs / 1000,
    unit: "s",
    goal: s.key === "1000" ? "< 60 s" : undefined,
  });
  report({ name: `${tag} wall time to all Workers ready`, value: m.workersReadyMs / 1000, unit: "s" });
  report({ name: `${tag} wall time to everything gone`, value: del.durationMs / 1000, unit: "s" });
  report({
    name: `${tag} Metal device calls per machine to Running`,
    value: perMachine(create),
    unit: "calls",
    goal: "≤ 2",
  });
  for (const method of Object.keys(create.deviceCallsByMethod).sort()) {
    report({ name: `${tag} … of which ${method}`, value: perMachine(create, method), unit: "calls" });
  }
  report({ name: `${tag} Metal device calls per machine to delete`, value: perMachine(del), unit: "calls", goal: "1" });
  report({
    name: `${tag} Metal listings of all devices (orphan collection), create+delete`,
    value: create.deviceListings + del.deviceListings,
    unit: "calls",
  });
  report({
    name: `${tag} Metal calls besides devices (SSH keys), create+delete`,
    value: create.metalCalls - create.deviceCalls - create.deviceListings + del.metalCalls - del.deviceCalls -
      del.deviceListings,
    unit: "calls",
  });
  report({
    name: `${tag} API-server writes of our components per machine, create`,
    value: create.componentWrites / create.machines,
    unit: "writes",
  });
  report({
    name: `${tag} API-server writes of our components per machine, delete`,
    value: del.componentWrites / del.machines,
    unit: "writes",
  });
  for (const [phase, r] of [["create", create], ["delete", del]] as const) {
    const each = Object.entries(r.writesByResource).sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ${(n / r.machines).toFixed(2)}`).join(", ");
    console.log(`  writes per machine by resource, ${phase} (ours and the simulations'): ${each}`);
  }
  report({
    name: `${tag} API-server writes of the simulations per machine, create+delete`,
    value: (create.simulationWrites + del.simulationWrites) / create.machines,
    unit: "writes",
  });
  report({
    name: `${tag} lease writes (leader election, heartbeat), create+delete`,
    value: create.leaseWrites + del.leaseWrites,
    unit: "writes",
  });
  for (
    const [prefix, label] of [["extension", "extension"], ["machine-controller", "machine controller"], [
      "landscape",
      "landscape (this process)",
    ]] as const
  ) {
    const c = usageOf(result.usage, "start", "create", prefix);
    const d = usageOf(result.usage, "create", "delete", prefix);
    const each = c.instances > 1 ? ` (${c.instances} processes)` : "";
    report({ name: `${tag} ${label} CPU, create${each}`, value: c.cpuSeconds, unit: "s" });
    report({ name: `${tag} ${label} CPU, delete${each}`, value: d.cpuSeconds, unit: "s" });
    report({
      name: `${tag} ${label} peak RSS${c.instances > 1 ? " (largest process)" : ""}`,
      value: Math.max(c.peakRssMb, d.peakRssMb),
      unit: "MB",
      goal: label === "machine controller" && s.key === "1000" ? "< 150 MB" : undefined,
    });
    if (c.instances > 1) {
      report({ name: `${tag} ${label} peak RSS, sum over processes`, value: d.sumPeakRssMb, unit: "MB" });
    }
  }
  console.log(
    `  restarts: ${JSON.stringify(result.restarts).slice(0, 200)}; total wall time ${
      ((Date.now() - started) / 1000).toFixed(1)
    } s`,
  );
}
