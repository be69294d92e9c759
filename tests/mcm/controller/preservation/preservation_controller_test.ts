import assert from "node:assert/strict";
import { ANNOTATION_PRESERVE, type Machine, TAINT_PRESERVED } from "../../../../src/apis/machine/v1alpha1.ts";
import { CoreV1, MachineV1alpha1 } from "../../../../src/k8s/api/resources.ts";
import type { Node } from "../../../../src/k8s/api/builtin_types.ts";
import {
  ANNOTATION_CA_SCALE_DOWN_DISABLED,
  ANNOTATION_CA_SCALE_DOWN_DISABLED_BY_MCM,
  MESSAGE_DRAIN_SUCCESSFUL,
  NODE_CONDITION_PRESERVED,
  REASON_PRESERVATION_STOPPED,
  REASON_PRESERVED_BY_USER,
} from "../../../../src/mcm/controller/preservation/preservation.ts";
import { FakeDriver } from "../fake_driver.ts";
import { CLASS, fakeDevices, Harness, NS } from "../harness.ts";
import { MachineDeploymentSimulation } from "../../../../src/sim/machinedeployments/mod.ts";

const MIN = 60_000;
const PRESERVE_MS = 30 * MIN;

async function start(driver = new FakeDriver()): Promise<Harness> {
  const h = await Harness.start({
    driver,
    devices: fakeDevices(() => driver.vms.values()),
    options: { machineHealthTimeoutMs: MIN, machinePreserveTimeoutMs: PRESERVE_MS },
  });
  await h.createDefaultClass();
  return h;
}

async function annotateMachine(h: Harness, name: string, value: string | null): Promise<void> {
  await h.controlClient.patch(
    MachineV1alpha1.machines,
    name,
    { metadata: { annotations: { [ANNOTATION_PRESERVE]: value } } },
    "merge",
    { namespace: NS },
  );
}

async function annotateNode(h: Harness, name: string, value: string | null): Promise<void> {
  await h.targetClient.patch(
    CoreV1.nodes,
    name,
    { metadata: { annotations: { [ANNOTATION_PRESERVE]: value } } },
    "merge",
  );
}

function preservedCondition(n: Node | undefined) {
  return n?.status?.conditions?.find((c) => c.type === NODE_CONDITION_PRESERVED);
}

function hasPreservedTaint(n: Node | undefined): boolean {
  return (n?.spec?.taints ?? []).some((t) => t.key === TAINT_PRESERVED && t.effect === "NoSchedule");
}

function expiryOf(m: Machine | undefined): number | undefined {
  const s = m?.status?.currentStatus?.preserveExpiryTime;
  return s ? Date.parse(s) : undefined;
}

/** A Running machine annotated `when-failed` whose node goes NotReady: Failed after the health timeout, then preserved. */
async function preservedFailedMachine(h: Harness, name: string): Promise<{ machine: Machine; failedAt: number }> {
  await h.createMachine(name, { labels: { name: "pool" } });
  await h.until(async () => (await h.phase(name)) === "Running", { what: "Running" });
  await h.targetClient.create(CoreV1.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `pod-${name}`, namespace: "default" },
    spec: { nodeName: name, terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "busybox" }] },
  }, { namespace: "default" });
  await annotateMachine(h, name, "when-failed");
  await h.setNodeConditions(name, { Ready: "False" });
  const failedAt = await h.until(async () => (await h.phase(name)) === "Failed" ? h.clock.now() : undefined, {
    stepMs: 1000,
    what: "Failed",
  });
  const machine = await h.until(async () => {
    const m = await h.machine(name);
    return expiryOf(m) !== undefined && preservedCondition(await h.node(name))?.status === "True" ? m : undefined;
  }, { stepMs: 1000, what: "preserved" });
  return { machine, failedAt };
}

Deno.test("preservation: a when-failed machine that fails is preserved (expiry, taint, condition, no autoscaler scale-down) and released on expiry", async () => {
  const h = await start();
  try {
    const { machine, failedAt } = await preservedFailedMachine(h, "a");
    const expiry = expiryOf(machine)!;
    assert.ok(
      expiry >= failedAt + PRESERVE_MS - 10_000 && expiry <= h.clock.now() + PRESERVE_MS,
      "expiry = the moment of preservation + the preserve timeout",
    );
    assert.equal(machine.status?.currentStatus?.phase, "Failed");
    const node = await h.node("a");
    assert.ok(hasPreservedTaint(node), "the preserved node takes no new pods");
    const cond = preservedCondition(node)!;
    assert.equal(cond.reason, REASON_PRESERVED_BY_USER);
    assert.ok(cond.message?.startsWith(MESSAGE_DRAIN_SUCCESSFUL), cond.message);
    assert.equal(node?.metadata.annotations?.[ANNOTATION_CA_SCALE_DOWN_DISABLED], "true");
    assert.equal(node?.metadata.annotations?.[ANNOTATION_CA_SCALE_DOWN_DISABLED_BY_MCM], "true");
    const pods = await h.targetClient.list(CoreV1.pods, { namespace: "default" });
    assert.deepEqual(pods.items.map((p) => p.metadata.name), [], "the preserved Failed node was drained");

    // Nothing changes before the expiry.
    await h.advance(expiry - 5 * MIN - h.clock.now(), 60_000);
    assert.equal((await h.machine("a"))?.metadata.annotations?.[ANNOTATION_PRESERVE], "when-failed");

    // Expiry: the annotation goes (no re-preservation), taint and autoscaler annotations too, condition False. The
    // machine is still Failed and keeps its past expiry: the MachineSet deletes it (and its device).
    const released = await h.until(async () => {
      const m = await h.machine("a");
      return m?.metadata.annotations?.[ANNOTATION_PRESERVE] === undefined ? m : undefined;
    }, { stepMs: 30_000, what: "released" });
    assert.equal(released.status?.currentStatus?.phase, "Failed");
    assert.ok(expiryOf(released)! <= h.clock.now(), "the expiry stays in the past");
    const after = await h.until(async () => {
      const n = await h.node("a");
      return preservedCondition(n)?.status === "False" ? n : undefined;
    }, { what: "condition False" });
    assert.equal(preservedCondition(after)?.reason, REASON_PRESERVATION_STOPPED);
    assert.equal(hasPreservedTaint(after), false);
    assert.equal(after.metadata.annotations?.[ANNOTATION_CA_SCALE_DOWN_DISABLED], undefined);
    assert.equal(after.metadata.annotations?.[ANNOTATION_CA_SCALE_DOWN_DISABLED_BY_MCM], undefined);
  } finally {
    await h.close();
  }
});

Deno.test("preservation: the annotation value false releases a preserved machine at once", async () => {
  const h = await start();
  try {
    await preservedFailedMachine(h, "b");
    await annotateMachine(h, "b", "false");
    const released = await h.until(async () => {
      const m = await h.machine("b");
      return m && expiryOf(m) === undefined ? m : undefined;
    }, { stepMs: 500, maxMs: 2 * MIN, what: "expiry cleared" });
    assert.equal(released.metadata.annotations?.[ANNOTATION_PRESERVE], "false", "the user's value stays");
    const node = await h.node("b");
    assert.equal(hasPreservedTaint(node), false);
    assert.equal(preservedCondition(node)?.status, "False");
    assert.equal(preservedCondition(node)?.reason, REASON_PRESERVATION_STOPPED);
  } finally {
    await h.close();
  }
});

Deno.test("preservation: the Node's annotation now preserves a Running machine without taint or drain; removing it stops", async () => {
  const h = await start();
  try {
    await h.createMachine("c", { labels: { name: "pool" } });
    await h.until(async () => (await h.phase("c")) === "Running", { what: "Running" });
    await annotateNode(h, "c", "now");
    const preserved = await h.until(async () => {
      const m = await h.machine("c");
      return expiryOf(m) !== undefined ? m : undefined;
    }, { stepMs: 500, maxMs: 2 * MIN, what: "preserved" });
    assert.equal(preserved.status?.currentStatus?.phase, "Running");
    const node = await h.until(async () => {
      const n = await h.node("c");
      return preservedCondition(n)?.status === "True" ? n : undefined;
    }, { stepMs: 500, maxMs: 2 * MIN, what: "condition" });
    assert.equal(
      preservedCondition(node)?.message,
      `Machine preserved until ${preserved.status?.currentStatus?.preserveExpiryTime}.`,
    );
    assert.equal(hasPreservedTaint(node), false, "a Running machine's node keeps taking pods");
    await h.until(
      async () =>
        (await h.machine("c"))?.metadata.annotations?.["node.machine.sapcloud.io/last-applied-node-preserve-value"] ===
          "now",
      { stepMs: 500, maxMs: 2 * MIN, what: "last applied" },
    );

    await annotateNode(h, "c", null);
    await h.until(async () => expiryOf(await h.machine("c")) === undefined, {
      stepMs: 500,
      maxMs: 2 * MIN,
      what: "stopped",
    });
    const after = await h.node("c");
    assert.equal(preservedCondition(after)?.status, "False");
    assert.equal(after?.metadata.annotations?.[ANNOTATION_CA_SCALE_DOWN_DISABLED], undefined);
  } finally {
    await h.close();
  }
});

Deno.test("preservation with the simulated MachineSet: an auto-preserved Failed machine keeps its device until the expiry, then the device is deleted and the machine replaced", async () => {
  const driver = new FakeDriver();
  const h = await start(driver);
  const sim = new MachineDeploymentSimulation({
    client: h.controlClient,
    namespace: NS,
    clock: h.clock,
    concurrency: 2,
    rateLimiter: { baseDelayMs: 5, maxDelayMs: 2_000 },
  });
  const stopSim = new AbortController();
  let simDone = false;
  const running = sim.start(stopSim.signal).finally(() => (simDone = true));
  try {
    await h.controlClient.create(MachineV1alpha1.machineDeployments, {
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "MachineDeployment",
      metadata: { name: "pool", namespace: NS },
      spec: {
        replicas: 1,
        autoPreserveFailedMachineMax: 1,
        selector: { matchLabels: { name: "pool" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: { metadata: { labels: { name: "pool" } }, spec: { class: { kind: "MachineClass", name: CLASS } } },
      },
    }, { namespace: NS });
    const running1 = async () => {
      const list = await h.controlClient.list<Machine>(MachineV1alpha1.machines, { namespace: NS });
      return list.items.find((m) => m.status?.currentStatus?.phase === "Running" && !m.metadata.deletionTimestamp);
    };
    const first = await h.until(running1, { what: "first machine Running" });
    const name = first.metadata.name!;
    const deviceOf = (n: string) => [...driver.vms.values()].find((v) => v.name === n);
    assert.ok(deviceOf(name));

    await h.setNodeConditions(name, { Ready: "False" });
    const preserved = await h.until(async () => {
      const m = await h.machine(name);
      return m?.metadata.annotations?.[ANNOTATION_PRESERVE] === "auto-preserved" && expiryOf(m) ? m : undefined;
    }, { stepMs: 1000, what: "auto-preserved by the set, expiry set by the controller" });
    assert.equal(preserved.status?.currentStatus?.phase, "Failed");
    // The Node's condition is written after the Machine's expiry (preservation_apply's order).
    await h.until(async () => preservedCondition(await h.node(name))?.reason === "Preserved by MCM.", {
      what: "Preserved condition on the node",
    });

    // Kept, with its device, until the expiry (counted from the expiry: the waits above let fake time pass too).
    await h.advance(expiryOf(preserved)! - 5 * MIN - h.clock.now(), 60_000);
    assert.ok((await h.machine(name)) && !(await h.machine(name))?.metadata.deletionTimestamp, "kept");
    assert.ok(deviceOf(name), "device kept for diagnosis");

    // After it: released, deleted by the set, its device deleted; a replacement runs.
    await h.until(async () => !(await h.machine(name)) && !deviceOf(name), { stepMs: 10_000, what: "released" });
    const replacement = await h.until(running1, { stepMs: 1000, what: "replacement Running" });
    assert.notEqual(replacement.metadata.name, name);
    assert.equal(driver.vms.size, 1, "no device left behind");
  } finally {
    stopSim.abort();
    await h.until(() => simDone, { what: "simulation stopped" });
    await running;
    await h.close();
  }
});
