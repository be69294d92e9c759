/** A MachineClass change reaches its machines at once (as MCM re-enqueues them), not at their next requeue. */
import assert from "node:assert/strict";
import { MachineV1alpha1 } from "../../../../src/k8s/api/resources.ts";
import { MachineError, type MachineRequest } from "../../../../src/mcm/driver/driver.ts";
import { classContentChanged } from "../../../../src/mcm/controller/finalizers/class_finalizer.ts";
import type { MachineClass } from "../../../../src/apis/machine/v1alpha1.ts";
import { FakeDriver } from "../fake_driver.ts";
import { CLASS, Harness, NS } from "../harness.ts";

Deno.test("a fixed MachineClass re-enqueues its machines: a CrashLoopBackOff machine is created within seconds", async () => {
  const driver = new FakeDriver();
  driver.errors.create = (req: MachineRequest) =>
    (req.machineClass.providerSpec as { machineType?: string }).machineType === "broken"
      ? new MachineError("InvalidArgument", "providerSpec.machineType: unknown plan")
      : undefined;
  const h = await Harness.start({ driver });
  try {
    await h.createSecret("class-secret", { userData: "#!/bin/sh\n", apiToken: "fake-api-token-123456" });
    await h.createClass({
      providerSpec: { metro: "ny", machineType: "broken", OS: "ubuntu_22_04", billingCycle: "hourly" },
    });
    await h.createMachine("m1");
    await h.until(async () => (await h.phase("m1")) === "CrashLoopBackOff", { what: "CrashLoopBackOff" });
    // Settled: the retries that follow the first failure are done; the next one is 3 minutes away.
    await h.advance(30_000);
    const creates = driver.count("create", "m1");
    assert.equal(await h.phase("m1"), "CrashLoopBackOff");
    await h.controlClient.patch(
      MachineV1alpha1.machineClasses,
      CLASS,
      {
        providerSpec: { machineType: "c3.small.x86" },
      },
      "merge",
      { namespace: NS },
    );
    await h.until(async () => (await h.phase("m1")) === "Pending", { what: "Pending after the fix", maxMs: 30_000 });
    assert.equal(driver.count("create", "m1"), creates + 1);
  } finally {
    await h.close();
  }
});

Deno.test("classContentChanged: spec fields count, metadata (our finalizer, resourceVersion) does not", () => {
  const cls: MachineClass = {
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "MachineClass",
    metadata: { name: "c", resourceVersion: "1" },
    providerSpec: { metro: "ny" },
  };
  const finalized = { ...cls, metadata: { ...cls.metadata, resourceVersion: "2", finalizers: ["f"] } };
  assert.equal(classContentChanged(cls, finalized), false);
  assert.equal(classContentChanged(cls, { ...cls, providerSpec: { metro: "da" } }), true);
  assert.equal(classContentChanged(cls, { ...cls, nodeTemplate: { capacity: { cpu: "4" } } }), true);
});
