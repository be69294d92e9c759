/**
 * A Machine whose providerID was never written (the write conflicted, or the controller stopped after the create)
 * still owns a device. Deleting the Machine must delete that device in its own deletion flow, not leave it to the
 * orphan collector: the real driver against the Metal simulator.
 */
import assert from "node:assert/strict";
import { FakeClock } from "../../../../src/runtime/clock.ts";
import { IN_PROCESS_BASE_URL, MetalSimulator } from "../../../../src/sim/metal/mod.ts";
import { EquinixMetalDriver } from "../../../../src/mcm/driver/equinix_metal_driver.ts";
import type { MachineRequest } from "../../../../src/mcm/driver/driver.ts";
import { MachineV1alpha1 } from "../../../../src/k8s/api/resources.ts";
import { type Machine, MCM_FINALIZER } from "../../../../src/apis/machine/v1alpha1.ts";
import { CLASS, Harness, NS } from "../harness.ts";

Deno.test("deleting a Machine without providerID deletes the device its name finds (no leak)", async () => {
  const clock = new FakeClock();
  const sim = new MetalSimulator({ clock, randomSeed: 11 });
  const driver = new EquinixMetalDriver({ metalApiUrl: IN_PROCESS_BASE_URL, fetch: sim.fetch });
  // The device's state right after each DeleteMachine the deletion flow makes for a Machine without providerID.
  const statesAfterDelete: (string | undefined)[] = [];
  const deleteMachine = driver.deleteMachine.bind(driver);
  driver.deleteMachine = async (req: MachineRequest) => {
    const out = await deleteMachine(req);
    if (!req.machine.providerID) {
      statesAfterDelete.push(
        sim.devices({ includeDeleted: true }).find((d) => d.hostname === req.machine.name)?.state ?? undefined,
      );
    }
    return out;
  };
  const h = await Harness.start({ driver, clock });
  try {
    await h.stopController();
    const providerSpec = {
      projectID: sim.defaultProjectId,
      metro: "ny",
      machineType: "c3.small.x86",
      billingCycle: "hourly",
      OS: "flatcar_stable",
      tags: [`kubernetes.io/cluster/${NS}`, "kubernetes.io/role/node"],
    };
    await h.createSecret("class-secret", { userData: "#!/bin/sh\n", apiToken: sim.defaultToken });
    await h.createClass({ providerSpec });
    const secret = { userData: "#!/bin/sh\n", apiToken: sim.defaultToken };
    // The create happened, its providerID never reached the Machine.
    await driver.createMachine({
      machine: { name: "m1" },
      machineClass: { name: CLASS, provider: "EquinixMetal", providerSpec },
      secret,
    });
    await h.controlClient.create<Machine>(MachineV1alpha1.machines, {
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "Machine",
      metadata: { name: "m1", namespace: NS, finalizers: [MCM_FINALIZER] },
      spec: { class: { kind: "MachineClass", name: CLASS } },
    }, { namespace: NS });
    await h.deleteMachine("m1");
    h.startController();
    await h.until(async () => (await h.machine("m1")) === undefined, { what: "Machine gone", maxMs: 10 * 60_000 });
    assert.ok(statesAfterDelete.length > 0, "the deletion flow called DeleteMachine");
    assert.equal(statesAfterDelete[0], "deprovisioning", "DeleteMachine deleted the device the lookup found");
    assert.deepEqual(sim.devices(), [], "no live device left");
  } finally {
    await h.close();
    sim.close();
  }
});
