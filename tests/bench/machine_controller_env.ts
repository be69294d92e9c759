/**
 * The world around the machine controller for `machine_controller_bench.ts`, in its own process so that the
 * benchmark measures the controller alone: a control and a target fake API server, the Metal simulator over loopback
 * HTTP (provisioning takes no time), the node simulation, one MachineClass with its Secret, and a small HTTP API:
 *   POST /machines?n=N   create N Machines      DELETE /machines   delete all Machines
 *   GET  /stats          phases, device count, Metal requests, API writes (controller's and simulation's)
 *   POST /reset          reset the counters
 * Prints one JSON line with the kubeconfig paths and URLs once ready.
 */
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { MetalSimulator } from "../../src/sim/metal/mod.ts";
import { metalDevices, NodeSimulator } from "../../src/sim/nodes/mod.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { Informer } from "../../src/k8s/cache/informer.ts";
import { CoreV1, MachineV1alpha1 } from "../../src/k8s/api/resources.ts";
import type { Machine } from "../../src/apis/machine/v1alpha1.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { loadCrds } from "../../src/playground/crds.ts";

configureLogging({ level: "error" });
const NS = "shoot--bench";
const dir = Deno.args[0] ?? await Deno.makeTempDir({ prefix: "mc-bench-" });

const tls = Deno.env.get("BENCH_PLAIN_HTTP") ? false : true;
const control = await startApiServer({ namespaces: ["default", "kube-system", NS], watchHistory: 100_000, tls });
const target = await startApiServer({ watchHistory: 100_000, tls });
await control.installCrds(loadCrds({ groups: ["machine"] }));
await control.writeKubeconfig(`${dir}/control`);
await target.writeKubeconfig(`${dir}/target`);
const sim = new MetalSimulator({ randomSeed: 1, timings: { queuedMs: 0, provisioningMs: 0, deprovisionVisibleMs: 0 } });
sim.setCapacity("ny", "c3.small.x86", "unlimited");
const metal = await sim.serve();
const project = sim.defaultProjectId;
const stop = new AbortController();
const nodeSim = new NodeSimulator({
  client: new KubeClient(target.connection()),
  devices: metalDevices(sim, project),
  pollMs: 250,
  criticalComponentsTaintMs: 0,
});
const nodeSimDone = nodeSim.start(stop.signal);
const client = new KubeClient(control.connection());
const machines = new Informer<Machine>(client, MachineV1alpha1.machines, { namespace: NS });
machines.start(stop.signal);
await machines.waitForSync();
const targetClient = new KubeClient(target.connection());
const nodes = new Informer(targetClient, CoreV1.nodes);
nodes.start(stop.signal);
await nodes.waitForSync();

await client.create(CoreV1.secrets, {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "worker", namespace: NS },
  stringData: {
    apiToken: sim.defaultToken,
    userData: "#!/bin/bash\n# bootstrap\necho <<BOOTSTRAP_TOKEN>> > /var/lib/token\n" + "# filler\n".repeat(200),
  },
} as never, { namespace: NS });
await client.create(MachineV1alpha1.machineClasses, {
  apiVersion: "machine.sapcloud.io/v1alpha1",
  kind: "MachineClass",
  metadata: { name: "worker", namespace: NS },
  provider: "EquinixMetal",
  providerSpec: {
    projectID: project,
    metro: "ny",
    machineType: "c3.small.x86",
    billingCycle: "hourly",
    OS: "flatcar_stable",
    tags: [`kubernetes.io/cluster/${NS}`, "kubernetes.io/role/node"],
  },
  secretRef: { name: "worker", namespace: NS },
} as never, { namespace: NS });

async function parallel<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

let simWritesBase = 0;
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
  const url = new URL(req.url);
  if (req.method === "POST" && url.pathname === "/machines") {
    const n = Number(url.searchParams.get("n") ?? "1000");
    const names = Array.from({ length: n }, (_, i) => `shoot--bench-worker-z1-${String(i).padStart(5, "0")}`);
    await parallel(names, 32, (name) =>
      client.create(MachineV1alpha1.machines, {
        apiVersion: "machine.sapcloud.io/v1alpha1",
        kind: "Machine",
        metadata: { name, namespace: NS, labels: { name: "shoot--bench-worker-z1" } },
        spec: { class: { kind: "MachineClass", name: "worker" } },
      } as never, { namespace: NS }));
    return new Response("ok");
  }
  if (req.method === "DELETE" && url.pathname === "/machines") {
    await parallel(
      machines.list(NS),
      32,
      (m) => client.delete(MachineV1alpha1.machines, m.metadata.name!, { namespace: NS }),
    );
    return new Response("ok");
  }
  if (req.method === "POST" && url.pathname === "/reset") {
    control.counters.reset();
    target.counters.reset();
    sim.counters.reset();
    simWritesBase = nodeSim.stats.writes;
    return new Response("ok");
  }
  if (url.pathname === "/stats") {
    const phases: Record<string, number> = {};
    for (const m of machines.list(NS)) {
      const p = m.status?.currentStatus?.phase || "(none)";
      phases[p] = (phases[p] ?? 0) + 1;
    }
    return Response.json({
      machines: machines.list(NS).length,
      phases,
      devices: sim.devices({ projectId: project }).length,
      nodes: nodes.size(),
      // Nodes the controller has taken over: finalizer and machine-name label.
      nodesSynced: nodes.list().filter((n) =>
        n.metadata.finalizers?.includes("node.machine.sapcloud.io/machine-controller") &&
        n.metadata.labels?.["node.gardener.cloud/machine-name"]
      ).length,
      metal: sim.counters.snapshot(),
      // The benchmark process's own writes to create/delete Machines go through `client` and are subtracted there.
      controlWrites: control.counters.writes({ excludeResources: ["leases"] }),
      controlByVerb: control.counters.snapshot().byVerbResource,
      targetWrites: target.counters.writes({ excludeResources: ["leases"] }),
      targetByVerb: target.counters.snapshot().byVerbResource,
      nodeSimWrites: nodeSim.stats.writes - simWritesBase,
    });
  }
  return new Response("not found", { status: 404 });
});

console.log(JSON.stringify({
  control: `${dir}/control`,
  target: `${dir}/target`,
  metalUrl: metal.url,
  statsUrl: `http://127.0.0.1:${server.addr.port}`,
  namespace: NS,
}));

Deno.addSignalListener("SIGTERM", async () => {
  stop.abort();
  await nodeSimDone;
  await server.shutdown();
  await metal.stop();
  sim.close();
  await control.stop();
  await target.stop();
  Deno.exit(0);
});
