/**
 * Benchmark of the MachineDeployment simulation at the size the task names: 100 MachineDeployments with 10
 * machines each (1,000 machines) against the in-process fake API server, on the real clock. A stand-in for the
 * machine controller puts the finalizer on new machines, makes them Running and releases deleted ones.
 *
 * Run: `deno task bench machinedeployments`
 * (the harness is shared with the tests in tests/sim/machinedeployments).
 */
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { Informer } from "../../src/k8s/cache/informer.ts";
import { isConflict, isNotFound } from "../../src/k8s/api/errors.ts";
import { MachineV1alpha1 } from "../../src/k8s/api/resources.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { type Machine, type MachineDeployment, MCM_FINALIZER } from "../../src/apis/machine/v1alpha1.ts";
import { MachineDeploymentSimulation } from "../../src/sim/machinedeployments/mod.ts";
import { loadCrds } from "../../src/playground/crds.ts";
import { cpuSeconds, machineDescription, peakRssMb, report } from "./report.ts";
import { deployment, NS } from "../sim/machinedeployments/harness.ts";

configureLogging({ level: "error" });
const DEPLOYMENTS = 100;
const REPLICAS = 10;
const TOTAL = DEPLOYMENTS * REPLICAS;

const api = await startApiServer({ tls: false, namespaces: ["default", NS] });
await api.installCrds(loadCrds({ groups: ["machine"] }));
const simClient = new KubeClient(api.connection());
const client = new KubeClient(api.connection());
const stop = new AbortController();

// The machine controller's part: finalizer, Running, release on deletion.
const machines = new Informer<Machine>(client, MachineV1alpha1.machines, { namespace: NS });
const busy = new Set<string>();
const act = (m: Machine) => {
  const name = m.metadata.name!;
  if (busy.has(name) || stop.signal.aborted) return;
  let patch: unknown;
  let sub: "status" | undefined;
  if (m.metadata.deletionTimestamp) {
    if (!m.metadata.finalizers?.length) return;
    patch = { metadata: { resourceVersion: m.metadata.resourceVersion, finalizers: [] } };
  } else if (!m.metadata.finalizers?.includes(MCM_FINALIZER)) {
    patch = { metadata: { resourceVersion: m.metadata.resourceVersion, finalizers: [MCM_FINALIZER] } };
  } else if (!m.status?.currentStatus?.phase) {
    patch = { status: { currentStatus: { phase: "Running" }, lastOperation: { type: "Create", state: "Successful" } } };
    sub = "status";
  } else return;
  busy.add(name);
  client.patch(MachineV1alpha1.machines, name, patch, "merge", { namespace: NS, subresource: sub })
    .catch((e) => {
      if (!isNotFound(e) && !isConflict(e)) console.error(e);
    })
    .finally(() => {
      busy.delete(name);
      const latest = machines.get(`${NS}/${name}`);
      if (latest && latest !== m) act(latest);
    });
};
machines.addEventHandler({ onAdd: act, onUpdate: (_o, m) => act(m) });
machines.start(stop.signal);
const deployments = new Informer<MachineDeployment>(client, MachineV1alpha1.machineDeployments, { namespace: NS });
deployments.start(stop.signal);

const sim = new MachineDeploymentSimulation({ client: simClient, namespace: NS, concurrency: 5 });
const running = sim.start(stop.signal);
await machines.waitForSync();
await deployments.waitForSync();

async function waitFor(what: string, probe: () => boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
/** Every deployment reports `REPLICAS` updated, available machines of its current generation. */
const allDone = () =>
  deployments.list(NS).length === DEPLOYMENTS && machines.list(NS).length === TOTAL &&
  deployments.list(NS).every((d) => {
    const s = d.status;
    return s?.updatedReplicas === REPLICAS && s.availableReplicas === REPLICAS && s.replicas === REPLICAS &&
      (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1);
  });

console.log(`${DEPLOYMENTS} deployments × ${REPLICAS} machines on ${machineDescription()}`);

// 1. Create everything.
let cpu = cpuSeconds();
let t = performance.now();
let simWrites = sim.stats.writes;
api.counters.reset();
await Promise.all(
  Array.from(
    { length: DEPLOYMENTS },
    (_, i) => client.create(MachineV1alpha1.machineDeployments, deployment(`md-${i}`, { replicas: REPLICAS })),
  ),
);
await waitFor("initial rollout", allDone);
report({
  name: "create 1,000 machines (100 deployments) until all available",
  value: (performance.now() - t) / 1000,
  unit: "s",
  goal: "< 30 s",
});
report({
  name: "simulation writes per machine (create)",
  value: (sim.stats.writes - simWrites) / TOTAL,
  unit: "writes",
});
report({ name: "CPU for the creation (whole process)", value: cpuSeconds() - cpu, unit: "s" });

// 2. Steady state: nothing written.
await new Promise((r) => setTimeout(r, 2000));
(globalThis as { gc?: () => void }).gc?.();
report({
  name: "heap after GC at steady state (API server, simulation, stand-in; 1,000 machines)",
  value: Deno.memoryUsage().heapUsed / 1048576,
  unit: "MB",
});
api.counters.reset();
simWrites = sim.stats.writes;
await new Promise((r) => setTimeout(r, 3000));
report({ name: "API writes in 3 s of steady state", value: api.counters.writes(), unit: "writes", goal: "0" });

// 3. Rolling update of every deployment (class change).
cpu = cpuSeconds();
t = performance.now();
simWrites = sim.stats.writes;
const before = { ...sim.stats };
await Promise.all(
  deployments.list(NS).map((d) =>
    client.patch(
      MachineV1alpha1.machineDeployments,
      d.metadata.name!,
      {
        spec: { template: { spec: { class: { kind: "MachineClass", name: `${d.metadata.name}-class-b` } } } },
      },
      "merge",
      { namespace: NS },
    )
  ),
);
await waitFor(
  "rolling update",
  () => allDone() && machines.list(NS).every((m) => m.spec.class?.name?.endsWith("-class-b")),
);
report({
  name: "rolling update of 1,000 machines (maxSurge 1, maxUnavailable 0)",
  value: (performance.now() - t) / 1000,
  unit: "s",
  goal: "< 120 s",
});
report({
  name: "simulation writes per replaced machine",
  value: (sim.stats.writes - simWrites) / TOTAL,
  unit: "writes",
});
console.log(
  "simulation writes of the rolling update by kind:",
  Object.fromEntries(
    Object.entries(sim.stats).map(([k, v]) => [k, v - before[k as keyof typeof before]]),
  ),
);
report({ name: "CPU for the rolling update (whole process)", value: cpuSeconds() - cpu, unit: "s" });

report({ name: "peak RSS of the whole process", value: peakRssMb(), unit: "MB" });

stop.abort();
await running;
await machines.stopped();
await deployments.stopped();
simClient.close();
client.close();
await api.stop();
