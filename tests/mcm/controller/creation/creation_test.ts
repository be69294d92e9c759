import assert from "node:assert/strict";
import { CoreV1 } from "../../../../src/k8s/api/resources.ts";
import { isNotFound } from "../../../../src/k8s/api/errors.ts";
import { MachineError } from "../../../../src/mcm/driver/driver.ts";
import {
  bootstrapTokenId,
  bootstrapTokenSecretName,
  decodeSecretValue,
} from "../../../../src/mcm/controller/creation/bootstrap_token.ts";
import type { Secret } from "../../../../src/k8s/api/builtin_types.ts";
import { captureLogs } from "../../../../src/observability/log.ts";
import { type Machine, MCM_FINALIZER } from "../../../../src/apis/machine/v1alpha1.ts";
import { FakeDriver } from "../fake_driver.ts";
import { CLASS, fakeDevices, Harness, NS } from "../harness.ts";

Deno.test("creation: finalizer, bootstrap token, CreateMachine with substituted user data, metadata, Pending, Running", async () => {
  const driver = new FakeDriver();
  const h = await Harness.start({
    driver,
    devices: fakeDevices(() => driver.vms.values()),
    criticalComponentsTaintMs: 3000,
  });
  try {
    await h.createDefaultClass();
    await h.createMachine("pool-a-abcde", { labels: { name: "pool-a" } });
    const pending = await h.until(async () => {
      const m = await h.machine("pool-a-abcde");
      return m?.status?.currentStatus?.phase === "Pending" ? m : undefined;
    }, { what: "Pending" });
    assert.deepEqual(pending.metadata.finalizers, ["machine.sapcloud.io/machine-controller-manager"]);
    assert.equal(pending.metadata.labels?.node, "pool-a-abcde");
    assert.equal(pending.metadata.annotations?.["machinepriority.machine.sapcloud.io"], "3");
    assert.match(pending.spec.providerID!, /^equinixmetal:\/\/ny\/[0-9a-f-]{36}$/);
    assert.equal(pending.status?.lastOperation?.description, "Creating machine on cloud provider");
    assert.equal(pending.status?.lastOperation?.state, "Processing");
    assert.equal(pending.status?.lastOperation?.type, "Create");
    assert.equal(pending.status?.currentStatus?.timeoutActive, true);
    // The driver got the user data with both placeholders replaced; the token is the bootstrap secret's.
    const secret = await h.targetClient.get<Secret>(CoreV1.secrets, bootstrapTokenSecretName("pool-a-abcde"), {
      namespace: "kube-system",
    });
    assert.equal(secret.type, "bootstrap.kubernetes.io/token");
    const token = `${decodeSecretValue(secret.data!["token-id"])}.${decodeSecretValue(secret.data!["token-secret"])}`;
    assert.equal(decodeSecretValue(secret.data!["token-id"]), bootstrapTokenId("pool-a-abcde"));
    const vm = [...driver.vms.values()][0];
    assert.equal(vm.userData, `#!/bin/sh\nTOKEN=${token}\nNAME=pool-a-abcde\n`);
    assert.equal(driver.count("create"), 1);
    assert.equal(driver.count("status"), 0, "no GetMachineStatus before the first create (no providerID yet)");
    // The class and its secret got their finalizers.
    const cls = await h.controlClient.get(
      {
        group: "machine.sapcloud.io",
        version: "v1alpha1",
        resource: "machineclasses",
        kind: "MachineClass",
        namespaced: true,
      },
      CLASS,
      { namespace: NS },
    );
    assert.ok(cls.metadata.finalizers?.includes("machine.sapcloud.io/machine-controller-manager"));
    const classSecret = await h.controlClient.get(CoreV1.secrets, "class-secret", { namespace: NS });
    assert.ok(classSecret.metadata.finalizers?.includes("machine.sapcloud.io/machine-controller"));

    // The node simulation registers a tainted Ready node; the machine stays Pending until the taint is gone.
    await h.until(async () => (await h.node("pool-a-abcde"))?.spec?.taints?.length, {
      stepMs: 200,
      what: "tainted node",
    });
    assert.equal(await h.phase("pool-a-abcde"), "Pending");
    const running = await h.until(async () => {
      const m = await h.machine("pool-a-abcde");
      return m?.status?.currentStatus?.phase === "Running" ? m : undefined;
    }, { what: "Running" });
    assert.match(
      running.status!.lastOperation!.description!,
      /^Machine pool-a-abcde successfully joined the cluster in /,
    );
    assert.equal(running.status?.lastOperation?.state, "Successful");
    assert.equal(running.status?.conditions?.find((c) => c.type === "Ready")?.status, "True");
    // Joined: bootstrap token deleted, node labelled and protected by the finalizer.
    await h.until(async () => {
      try {
        await h.targetClient.get(CoreV1.secrets, bootstrapTokenSecretName("pool-a-abcde"), {
          namespace: "kube-system",
        });
        return false;
      } catch (e) {
        return isNotFound(e);
      }
    }, { what: "bootstrap token deleted" });
    const node = await h.until(async () => {
      const n = await h.node("pool-a-abcde");
      return n?.metadata.finalizers?.includes("node.machine.sapcloud.io/machine-controller") &&
          n.metadata.labels?.["node.gardener.cloud/machine-name"] === "pool-a-abcde"
        ? n
        : undefined;
    }, { what: "node finalizer and label" });
    assert.equal(node.spec?.providerID, `equinixmetal://${vm.id}`, "the node has the CCM's providerID form");

    // Steady state: no API writes, no driver calls but the periodic orphan listing.
    await h.advance(5000);
    h.control.counters.reset();
    h.target.counters.reset();
    const callsBefore = driver.calls.filter((c) => c.op !== "list").length;
    await h.advance(45 * 60_000, 60_000);
    assert.equal(h.control.counters.writes(), 0, JSON.stringify(h.control.counters.snapshot().byVerbResource));
    assert.equal(h.target.counters.writes(), 0, JSON.stringify(h.target.counters.snapshot().byVerbResource));
    assert.equal(driver.calls.filter((c) => c.op !== "list").length, callsBefore);
  } finally {
    await h.close();
  }
});

Deno.test("creation: CrashLoopBackOff on Internal (MediumRetry), on ResourceExhausted (--resource-exhausted-retry), Failed after the creation timeout", async () => {
  const driver = new FakeDriver();
  const h = await Harness.start({ driver, options: { resourceExhaustedRetryMs: 42_000 } });
  try {
    // A class already in use (with its finalizer): otherwise the first reconcile waits for the finalizer and its
    // 5 s requeue, still pending when the class update lets the machine fail, retries early (as a Go workqueue would).
    await h.createSecret("class-secret", { userData: "#!/bin/sh\n", apiToken: "fake-api-token-123456" });
    await h.createClass({ metadata: { name: CLASS, namespace: NS, finalizers: [MCM_FINALIZER] } });
    driver.errors.create = (req) =>
      req.machine.name === "internal"
        ? new MachineError("Internal", "quota service broken")
        : req.machine.name === "exhausted"
        ? new MachineError("ResourceExhausted", "no capacity in ny")
        : undefined;
    await h.createMachine("internal");
    await h.createMachine("exhausted");
    const clbo = await h.until(async () => {
      const m = await h.machine("internal");
      return m?.status?.currentStatus?.phase === "CrashLoopBackOff" ? m : undefined;
    });
    assert.equal(
      clbo.status?.lastOperation?.description,
      "Cloud provider message - machine codes error: code = [Internal] message = [quota service broken]",
    );
    assert.equal(clbo.status?.lastOperation?.errorCode, "Internal");
    assert.equal(clbo.status?.lastOperation?.state, "Failed");
    assert.equal(clbo.metadata.labels?.node, undefined);
    await h.until(async () => (await h.phase("exhausted")) === "CrashLoopBackOff");
    const t0 = h.clock.now();
    const internal0 = driver.count("create", "internal");
    const exhausted0 = driver.count("create", "exhausted");
    await h.advance(40_000);
    assert.equal(driver.count("create", "exhausted"), exhausted0, "no retry before 42 s");
    await h.advance(5_000);
    assert.equal(driver.count("create", "exhausted"), exhausted0 + 1, "retried after --resource-exhausted-retry");
    assert.equal(driver.count("create", "internal"), internal0, "Internal waits MediumRetry (3 min)");
    await h.until(() => driver.count("create", "internal") > internal0, { what: "Internal retry" });
    assert.ok(h.clock.now() - t0 >= 3 * 60_000 - 5_000);
    // After the creation timeout (20 min since creation) a failing create makes the machine Failed.
    await h.until(async () => (await h.phase("internal")) === "Failed", { stepMs: 30_000, what: "Failed" });
    const failed = await h.machine("internal");
    assert.equal(failed?.status?.lastOperation?.errorCode, "Internal");
  } finally {
    await h.close();
  }
});

Deno.test("creation: already created VM is adopted; CrashLoopBackOff → Pending when the VM is present", async () => {
  const driver = new FakeDriver();
  const h = await Harness.start({ driver });
  try {
    await h.createDefaultClass();
    // A create that fails once after the VM came into existence (lost response): CLBO, then Pending.
    let failOnce = true;
    driver.errors.create = (req) => {
      if (!failOnce) return undefined;
      failOnce = false;
      driver.addVM(req.machine.name);
      return new MachineError("Unavailable", "connection reset");
    };
    const seen: Machine[] = [];
    await h.watchMachines((x) => seen.push(x));
    await h.createMachine("flaky");
    await h.until(() => seen.some((x) => x.status?.currentStatus?.phase === "CrashLoopBackOff"), {
      what: "CrashLoopBackOff",
    });
    const m = await h.until(async () => {
      const x = await h.machine("flaky");
      return x?.status?.currentStatus?.phase === "Pending" ? x : undefined;
    }, { what: "Pending after CLBO" });
    assert.equal(driver.vms.size, 1, "no duplicate VM");
    assert.equal(m.spec.providerID, [...driver.vms.values()][0].providerID);
    assert.equal(driver.count("create", "flaky"), 2, "ShortRetry after Unavailable");
  } finally {
    await h.close();
  }
});

Deno.test("creation: a VM whose node name belongs to an old Node object is deleted and the machine Failed", async () => {
  const driver = new FakeDriver();
  driver.nodeNameFor = () => "old-node";
  const h = await Harness.start({ driver });
  try {
    await h.registerNode("old-node");
    await h.createDefaultClass();
    await h.createMachine("stale");
    const m = await h.until(async () => {
      const x = await h.machine("stale");
      return x?.status?.currentStatus?.phase === "Failed" ? x : undefined;
    });
    assert.equal(m.status?.lastOperation?.description, "VM using old node obj");
    assert.equal(driver.vms.size, 0, "the new VM was deleted");
    assert.equal(driver.count("delete"), 1);
  } finally {
    await h.close();
  }
});

Deno.test("creation: userData missing in the class secret → no VM, a clear error, retried; secrets never logged", async () => {
  const driver = new FakeDriver();
  const logs = captureLogs();
  const h = await Harness.start({ driver });
  try {
    await h.createSecret("class-secret", { apiToken: "fake-api-token-123456" });
    await h.createClass();
    await h.createMachine("no-userdata");
    await h.advance(60_000, 5_000);
    assert.equal(driver.count("create"), 0);
    assert.equal(await h.phase("no-userdata"), undefined);
    const errors = logs.lines.filter((l) => l.includes("userdata field not found"));
    assert.ok(errors.length >= 2, "retried");
    assert.match(errors[0], /"machine":"no-userdata"/);
    assert.match(errors[0], /"field":"secret data key userData"/);
    assert.ok(!logs.lines.some((l) => l.includes("fake-api-token-123456")), "the API token never appears in logs");
  } finally {
    logs.restore();
    await h.close();
  }
});

Deno.test("creation: a machine whose VM exists already (providerID set) is adopted without CreateMachine", async () => {
  const driver = new FakeDriver();
  const h = await Harness.start({ driver });
  try {
    await h.createDefaultClass();
    const vm = driver.addVM("adopted");
    await h.createMachine("adopted", { spec: { providerID: vm.providerID } });
    const m = await h.until(async () => {
      const x = await h.machine("adopted");
      return x?.status?.currentStatus?.phase === "Pending" ? x : undefined;
    });
    assert.equal(driver.count("create"), 0);
    assert.equal(driver.count("status", "adopted"), 1, "GetMachineStatus with a providerID, as MCM");
    assert.equal(m.metadata.labels?.node, "adopted");
    assert.equal(m.spec.providerID, vm.providerID);
  } finally {
    await h.close();
  }
});

Deno.test("creation: an InitializeMachine error other than Unimplemented is a CrashLoopBackOff with its code", async () => {
  const driver = new FakeDriver();
  driver.errors.init = [new MachineError("Internal", "cannot attach network")];
  const h = await Harness.start({ driver });
  try {
    await h.createDefaultClass();
    const seen: Machine[] = [];
    await h.watchMachines((x) => seen.push(x));
    await h.createMachine("init-fails");
    const m = await h.until(
      () => seen.find((x) => x.status?.currentStatus?.phase === "CrashLoopBackOff"),
      { what: "CrashLoopBackOff" },
    );
    assert.equal(
      m.status?.lastOperation?.description,
      "Provider error: machine codes error: code = [Internal] message = [cannot attach network]. Initialize VM Instance",
    );
    assert.equal(m.status?.lastOperation?.errorCode, "Internal");
    // The next round finds the VM (providerID set), and Unimplemented from then on lets it go Pending.
    await h.until(async () => (await h.phase("init-fails")) === "Pending");
    assert.equal(driver.vms.size, 1);
  } finally {
    await h.close();
  }
});

Deno.test("creation: at most 4 control-cluster writes per machine to reach Running (MCM HEAD: 4)", async () => {
  const driver = new FakeDriver();
  const h = await Harness.start({ driver, devices: fakeDevices(() => driver.vms.values()) });
  try {
    // A class already in use (its finalizer set), so that only the machines' own writes are counted.
    await h.createSecret("class-secret", {
      userData: "#!/bin/sh\nTOKEN=<<BOOTSTRAP_TOKEN>>\n",
      apiToken: "fake-api-token-123456",
    });
    await h.createClass({ metadata: { name: CLASS, namespace: NS, finalizers: [MCM_FINALIZER] } });
    await h.advance(2000);
    const names = ["w-aaaaa", "w-bbbbb", "w-ccccc"];
    h.control.counters.reset();
    for (const name of names) await h.createMachine(name);
    await h.until(async () => {
      for (const name of names) if (await h.phase(name) !== "Running") return false;
      return true;
    }, { what: "all Running" });
    await h.advance(60_000, 5000);
    const byVerbResource = h.control.counters.snapshot().byVerbResource;
    // The harness's own three creates are not the controller's.
    const writes = h.control.counters.writes({ excludeResources: ["leases", "events"] }) - names.length;
    assert.ok(
      writes <= 4 * names.length,
      `${writes} control writes for ${names.length} machines: ${JSON.stringify(byVerbResource)}`,
    );
    for (const name of names) {
      assert.equal(
        (await h.machine(name))?.metadata.annotations?.["node.machine.sapcloud.io/machine-join-duration"],
        undefined,
        "the join duration is a metric and a log line, not an annotation (MCM's status update drops it)",
      );
    }
  } finally {
    await h.close();
  }
});
