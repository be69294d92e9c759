/** machine-controller-manager scaled down (a control-plane migration): its controllers leave the namespace alone. */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { deployment, Harness, NS } from "./harness.ts";

Deno.test("a paused namespace gets no MachineSet or Machine; resumed, the deployment converges", async () => {
  const h = await Harness.start();
  try {
    h.sim.pause(NS);
    await h.createDeployment(deployment("pool-a", { replicas: 2 }));
    await h.idle(10_000);
    assertEquals(h.sets.list(NS).length, 0);
    assertEquals(h.machines.list(NS).length, 0);
    h.sim.resume(NS);
    await h.until(() => h.converged("pool-a", 2), "2 running machines after the resume");
  } finally {
    await h.close();
  }
});
