/** The simulation as a Runnable of the k8s Manager, sharing the manager's informers. */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { Manager } from "../../../src/k8s/controller/manager.ts";
import { MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { MachineDeployment } from "../../../src/apis/machine/v1alpha1.ts";
import { MachineDeploymentSimulation } from "../../../src/sim/machinedeployments/mod.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import { eventually } from "../../support/eventually.ts";
import { deployment, NS } from "./harness.ts";

Deno.test("runs under the Manager with shared informers and stops with it", async () => {
  const api = await startApiServer({ tls: false, namespaces: ["default", NS] });
  const client = new KubeClient(api.connection());
  try {
    await api.installCrds(loadCrds({ groups: ["machine"] }));
    const manager = new Manager({ client, gracefulShutdownMs: 5_000 });
    const sim = new MachineDeploymentSimulation({ client, namespace: NS, informers: manager.informers });
    manager.add(sim);
    const stop = new AbortController();
    const running = manager.start(stop.signal);
    await client.create(MachineV1alpha1.machineDeployments, deployment("pool-a", { replicas: 2 }));
    await eventually(async () => {
      const md = await client.get<MachineDeployment>(MachineV1alpha1.machineDeployments, "pool-a", { namespace: NS });
      return md.status?.replicas === 2;
    }, { description: "2 machines counted" });
    const machines = await client.listAll(MachineV1alpha1.machines, { namespace: NS });
    assertEquals(machines.items.length, 2);
    assertEquals(manager.informers.all().length, 3, "the simulation's informers are the manager's");
    stop.abort();
    await running;
    assertEquals(manager.stopReason, "signal");
  } finally {
    client.close();
    await api.stop();
  }
});
