import assert from "node:assert/strict";
import { CoreV1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { isNotFound } from "../../../src/k8s/api/errors.ts";
import { MachineError } from "../../../src/mcm/driver/driver.ts";
import { captureLogs } from "../../../src/observability/log.ts";
import type { Machine } from "../../../src/apis/machine/v1alpha1.ts";
import { FakeDriver } from "./fake_driver.ts";
import { CLASS, fakeDevices, Harness, NS } from "./harness.ts";

const MIN = 60_000;

Deno.test("health: Running → Unknown on an unhealthy node, re-join, then Unknown → Failed after the health timeout; one replacement per deployment at a time", async () => {
  const driver = new FakeDriver();
  const h = await Harness.start({ driver, devices: fakeDevices(() => driver.vms.values()) });
  try {
    await h.createDefaultClass();
    for (const n of ["a", "b"]) await h.createMachine(n, { labels: { name: "pool" } });
    await h.until(async () => (await h.phase("a")) === "Running" && (await h.phase("b")) === "Running");

    // Unhealthy → Unknown; healthy again → Running ("re-joined").
    await h.setNodeConditions("a", { DiskPressure: "True" });
    const unknown = await h.until(async () => {
      const m = await h.machine("a");
      return m?.status?.currentStatus?.phase === "Unknown" ? m : undefined;
    }, { stepMs: 500 });
    assert.match(
      unknown.status!.lastOperation!.description!,
      /^Machine a is unhealthy - changing MachinePhase to Unknown/,
    );
    assert.equal(unknown.status?.conditions?.find((c) => c.type === "DiskPressure")?.status, "True");
    await h.setNodeConditions("a", { DiskPressure: "False" });
    const rejoined = await h.until(async () => {
      const m = await h.machine("a");
      return m?.status?.currentStatus?.phase === "Running" ? m : undefined;
    }, { stepMs: 500 });
    assert.equal(rejoined.status?.lastOperation?.description, "Machine a successfully re-joined the cluster");

    // MemoryPressure is not a watched condition: still Running.
    await h.setNodeConditions("b", { MemoryPressure: "True" });
    await h.advance(10_000);
    assert.equal(await h.phase("b"), "Running");

    // Both go NotReady: after 10 min only one of them may be marked Failed (meltdown protection).
    await h.setNodeConditions("a", { Ready: "Unknown" });
    await h.setNodeConditions("b", { Ready: "False" });
    await h.until(async () => (await h.phase("a")) === "Unknown" && (await h.phase("b")) === "Unknown", {
      stepMs: 500,
    });
    await h.advance(9 * MIN, 30_000);
    assert.equal(await h.phase("a"), "Unknown", "not before the health timeout");
    await h.until(async () => {
      const phases = [await h.phase("a"), await h.phase("b")];
      return phases.includes("Failed");
    }, { stepMs: 10_000, what: "one Failed" });
    await h.advance(3 * MIN, 30_000);
    const phases = [await h.phase("a"), await h.phase("b")].sort();
    assert.deepEqual(phases, ["Failed", "Unknown"], "the second waits while a replacement is in progress");
    const failed = (await h.machine(phases[0] === (await h.phase("a")) ? "a" : "b"))!;
    assert.match(
      failed.status!.lastOperation!.description!,
      /health checks failing since last 10m0s minutes\. Updating machine phase to Failed\./,
    );
  } finally {
    await h.close();
  }
});

Deno.test("orphans: a device without Machine is deleted; a creating machine's device and an older providerID form are kept", async () => {
  const driver = new FakeDriver();
  const h = await Harness.start({ driver, options: { machineSafetyOrphanVmsPeriodMs: 5 * MIN } });
  try {
    await h.createDefaultClass();
    // A running machine whose providerID uses the facility form an older version wrote.
    await h.createMachine("old");
    await h.until(async () => (await h.phase("old")) === "Pending");
    const oldVm = [...driver.vms.values()].find((v) => v.name === "old")!;
    await h.controlClient.patch(
      MachineV1alpha1.machines,
      "old",
      {
        spec: { providerID: `equinixmetal://ewr1/${oldVm.id}` },
      },
      "merge",
      { namespace: NS },
    );
    // A machine stuck in creation (CrashLoopBackOff) whose device exists already.
    driver.errors.create = (req) =>
      req.machine.name === "creating" ? new MachineError("Unavailable", "lost response") : undefined;
    await h.createMachine("creating");
    await h.until(async () => (await h.phase("creating")) === "CrashLoopBackOff");
    const creatingVm = driver.addVM("creating");
    // A device no machine owns.
    const orphan = driver.addVM("gone-machine");
    await h.until(() => !driver.vms.has(orphan.id), { stepMs: 30_000, what: "orphan deleted" });
    assert.ok(driver.vms.has(oldVm.id), "older providerID form is not an orphan");
    assert.ok(driver.vms.has(creatingVm.id), "a creating machine's device is kept");
    assert.deepEqual(driver.calls.filter((c) => c.op === "delete").map((c) => c.machine), ["gone-machine"]);
  } finally {
    await h.close();
  }
});

Deno.test("orphans: a failing ListMachines of one class does not stop the pass for the others; Machine deletion triggers a pass", async () => {
  const driver = new FakeDriver();
  let lists = 0;
  const original = driver.listMachines.bind(driver);
  // Only the class created last can list; the others fail (an implementation that stops at the first failure
  // never reaches it).
  driver.listMachines = (req) => {
    lists++;
    return req.machineClass.name === "zz-working"
      ? original(req)
      : Promise.reject(new MachineError("Unavailable", "list failed"));
  };
  const logs = captureLogs();
  const h = await Harness.start({ driver });
  try {
    await h.createDefaultClass();
    await h.createClass({}, "broken");
    await h.createClass({}, "zz-working");
    await h.createMachine("m1");
    await h.until(async () => (await h.phase("m1")) === "Pending");
    await h.advance(10_000);
    const orphan = driver.addVM("nobody");
    const before = lists;
    await h.deleteMachine("m1");
    await h.until(() => !driver.vms.has(orphan.id), { stepMs: 1000, maxMs: 120_000, what: "orphan deleted" });
    assert.ok(lists > before, "the Machine deletion triggered a pass (the period is 15 min)");
    assert.ok(logs.lines.some((l) => l.includes("continuing with the next class") && l.includes('"class":"broken"')));
  } finally {
    logs.restore();
    await h.close();
  }
});

Deno.test("finalizers: MachineClass kept while used and released after; Secret finalizer follows class references", async () => {
  const driver = new FakeDriver();
  const h = await Harness.start({ driver });
  try {
    await h.createDefaultClass();
    await h.createSecret("cloudprovider", { apiToken: "other-token-123456" });
    await h.controlClient.patch(
      MachineV1alpha1.machineClasses,
      CLASS,
      {
        credentialsSecretRef: { name: "cloudprovider", namespace: NS },
      },
      "merge",
      { namespace: NS },
    );
    await h.createMachine("m1");
    const hasFinalizer = async (res: typeof CoreV1.secrets, name: string, f: string) => {
      try {
        return (await h.controlClient.get(res, name, { namespace: NS })).metadata.finalizers?.includes(f) ?? false;
      } catch (e) {
        if (isNotFound(e)) return "gone";
        throw e;
      }
    };
    await h.until(() =>
      hasFinalizer(MachineV1alpha1.machineClasses, CLASS, "machine.sapcloud.io/machine-controller-manager")
    );
    await h.until(() => hasFinalizer(CoreV1.secrets, "cloudprovider", "machine.sapcloud.io/machine-controller"));
    await h.until(() => hasFinalizer(CoreV1.secrets, "class-secret", "machine.sapcloud.io/machine-controller"));
    await h.until(async () => (await h.phase("m1")) === "Pending");
    // Deleting the class while a machine uses it: it stays.
    await h.controlClient.delete(MachineV1alpha1.machineClasses, CLASS, { namespace: NS });
    await h.advance(30_000, 5_000);
    assert.equal(
      await hasFinalizer(MachineV1alpha1.machineClasses, CLASS, "machine.sapcloud.io/machine-controller-manager"),
      true,
    );
    // The class no longer references the cloudprovider secret: its finalizer goes.
    await h.controlClient.patch(MachineV1alpha1.machineClasses, CLASS, { credentialsSecretRef: null }, "merge", {
      namespace: NS,
    });
    await h.until(async () =>
      (await hasFinalizer(CoreV1.secrets, "cloudprovider", "machine.sapcloud.io/machine-controller")) === false
    );
    // The machine goes; so does the class.
    await h.deleteMachine("m1");
    await h.until(async () => (await hasFinalizer(MachineV1alpha1.machineClasses, CLASS, "x")) === "gone", {
      what: "class gone",
    });
    await h.until(async () =>
      (await hasFinalizer(CoreV1.secrets, "class-secret", "machine.sapcloud.io/machine-controller")) === false
    );
  } finally {
    await h.close();
  }
});

Deno.test("API-server safety: unreachable control API freezes the controller; Unknown machines are reset to Running afterwards", async () => {
  const driver = new FakeDriver();
  const logs = captureLogs();
  const h = await Harness.start({ driver, devices: fakeDevices(() => driver.vms.values()) });
  try {
    await h.createDefaultClass();
    await h.createMachine("m1");
    await h.until(async () => (await h.phase("m1")) === "Running");
    // Machines are read from a watch from now on: the injected fault breaks every GET of machines.
    const seen = new Map<string, Machine>();
    await h.watchMachines((m) => seen.set(m.metadata.name!, m));
    const phase = () => seen.get("m1")?.status?.currentStatus?.phase;
    await h.setNodeConditions("m1", { Ready: "Unknown" });
    await h.until(() => phase() === "Unknown", { stepMs: 500 });
    // The probe (GET machines/dummy_name) fails: after the status-check timeout the controller freezes.
    const remove = h.control.faults.add({ verb: "get", resource: "machines", status: 503 });
    await h.until(() => h.controller.state.frozen, { stepMs: 5_000, what: "frozen" });
    assert.ok(logs.lines.some((l) => l.includes("freezing the machine controller")));
    // Frozen: the health timeout does not fail the machine although 10 minutes pass.
    await h.advance(11 * MIN, 30_000);
    assert.equal(phase(), "Unknown");
    remove();
    await h.until(
      () =>
        seen.get("m1")?.status?.lastOperation?.description ===
          "Machine Health Timeout was reset due to APIServer being unreachable",
      { stepMs: 5_000, what: "health timeout reset" },
    );
    assert.equal(h.controller.state.frozen, false);
    // The node is still unhealthy, so the next health check moves it to Unknown again, with a fresh timeout.
    await h.until(() => phase() === "Unknown", { stepMs: 5_000 });
  } finally {
    logs.restore();
    await h.close();
  }
});
