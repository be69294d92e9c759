import assert from "node:assert/strict";
import { AppsV1, CoreV1, MachineV1alpha1, PolicyV1, StorageV1 } from "../../../../src/k8s/api/resources.ts";
import { isNotFound } from "../../../../src/k8s/api/errors.ts";
import type { KubeObject } from "../../../../src/k8s/api/objects.ts";
import type { Machine } from "../../../../src/apis/machine/v1alpha1.ts";
import { MachineError } from "../../../../src/mcm/driver/driver.ts";
import { bootstrapTokenSecretName } from "../../../../src/mcm/controller/creation/bootstrap_token.ts";
import { FakeDriver } from "../fake_driver.ts";
import { fakeDevices, Harness, NS } from "../harness.ts";

/** Creates a Ready pod bound to a node (status set through the status subresource, as the kubelet would). */
async function createPod(
  h: Harness,
  name: string,
  node: string,
  opts: { labels?: Record<string, string>; daemonSet?: boolean; grace?: number; finalizers?: string[] } = {},
): Promise<void> {
  let owner: KubeObject | undefined;
  if (opts.daemonSet) {
    owner = await h.targetClient.create<KubeObject>(AppsV1.daemonSets, {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: `ds-${name}`, namespace: "default" },
      spec: {
        selector: { matchLabels: { ds: name } },
        template: { metadata: { labels: { ds: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } },
      },
    } as KubeObject, { namespace: "default" });
  }
  await h.targetClient.create(CoreV1.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      labels: opts.labels ?? {},
      finalizers: opts.finalizers,
      ownerReferences: owner
        ? [{
          apiVersion: "apps/v1",
          kind: "DaemonSet",
          name: owner.metadata.name!,
          uid: owner.metadata.uid!,
          controller: true,
        }]
        : undefined,
    },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: opts.grace ?? 30,
      containers: [{ name: "c", image: "busybox" }],
    },
  }, { namespace: "default" });
  await h.targetClient.patch(
    CoreV1.pods,
    name,
    {
      status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
    },
    "merge",
    { namespace: "default", subresource: "status" },
  );
}

async function podExists(h: Harness, name: string): Promise<boolean> {
  try {
    await h.targetClient.get(CoreV1.pods, name, { namespace: "default" });
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Starts a harness with one Running machine `m1` (fake driver, simulated node). */
async function runningMachine(spec: Partial<Machine["spec"]> = {}, labels: Record<string, string> = {}) {
  const driver = new FakeDriver();
  const h = await Harness.start({ driver, devices: fakeDevices(() => driver.vms.values()) });
  await h.createDefaultClass();
  await h.createMachine("m1", { spec, labels });
  await h.until(async () => (await h.phase("m1")) === "Running", { what: "Running" });
  await h.until(async () => (await h.node("m1"))?.metadata.finalizers?.length, { what: "node finalizer" });
  return { driver, h };
}

/** Records every lastOperation description the machine goes through (from watch events: every write is seen). */
async function descriptionsOf(
  h: Harness,
  name: string,
): Promise<{ seen: string[]; poll: () => Promise<boolean> }> {
  const seen: string[] = [];
  await h.watchMachines((m) => {
    if (m.metadata.name !== name) return;
    const d = m.status?.lastOperation?.description;
    if (d && seen[seen.length - 1] !== d) seen.push(d);
  });
  return { seen, poll: async () => (await h.machine(name)) === undefined };
}

Deno.test("deletion: drain evicts pods, retries a PDB refusal every 20 s, deletes the pod after maxEvictRetries, then VM, node and finalizer", async () => {
  const { driver, h } = await runningMachine({ maxEvictRetries: 3 });
  try {
    await createPod(h, "web", "m1");
    await createPod(h, "db", "m1", { labels: { app: "db" } });
    await createPod(h, "agent", "m1", { daemonSet: true });
    await h.targetClient.create(PolicyV1.podDisruptionBudgets, {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "db", namespace: "default" },
      spec: { minAvailable: 1, selector: { matchLabels: { app: "db" } } },
    }, { namespace: "default" });
    await h.advance(2000);
    h.target.counters.reset();
    h.control.counters.reset();
    const vm = [...driver.vms.values()][0];
    await h.deleteMachine("m1");

    // The node is cordoned and marked Terminating (scale-down) while the drain runs.
    const node = await h.until(async () => {
      const n = await h.node("m1");
      return n?.spec?.unschedulable ? n : undefined;
    }, { stepMs: 500, what: "cordon" });
    const term = node.status?.conditions?.find((c) => c.type === "Terminating");
    assert.equal(term?.status, "True");
    assert.equal(term?.reason, "ScaleDown");
    assert.equal(term?.message, "Machine Controller is scaling down machine");
    const m = await h.machine("m1");
    assert.equal(m?.status?.currentStatus?.phase, "Terminating");
    assert.match(m!.status!.lastOperation!.description!, /Initiate node drain$/);
    await h.until(async () => !(await podExists(h, "web")), { stepMs: 500, what: "web evicted" });
    assert.equal(await podExists(h, "db"), true, "the PDB keeps db");

    const track = await descriptionsOf(h, "m1");
    await h.until(track.poll, { stepMs: 5000, what: "machine gone" });
    assert.equal(driver.vms.has(vm.id), false, "VM deleted");
    assert.equal(driver.count("delete"), 1);
    assert.equal(driver.count("status"), 0, "no GetMachineStatus: the node label named the node");
    assert.equal(await h.node("m1"), undefined, "node deleted");
    assert.equal(await podExists(h, "db"), false);
    const evictions = h.target.counters.snapshot().byVerbResource["create pods/eviction"] ?? 0;
    assert.ok(evictions >= 4, `web once, db three times refused (got ${evictions})`);
    // Persisted: the switch to Terminating, the drain (it had pods to evict); the quick steps after it ran in
    // the same round without intermediate writes.
    assert.equal(track.seen.at(-1), "Initiate node drain");
    const statusWrites = h.control.counters.snapshot().byVerbResource["update machines/status"] ?? 0;
    assert.ok(statusWrites <= 3, `status writes during deletion: ${statusWrites}`);
  } finally {
    await h.close();
  }
});

Deno.test("deletion: force-deletion label deletes pods without eviction and removes volume attachments", async () => {
  const { driver, h } = await runningMachine();
  try {
    await createPod(h, "db", "m1", { labels: { app: "db" } });
    await h.targetClient.create(PolicyV1.podDisruptionBudgets, {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "db", namespace: "default" },
      spec: { minAvailable: 1, selector: { matchLabels: { app: "db" } } },
    }, { namespace: "default" });
    await h.targetClient.create<KubeObject>(StorageV1.volumeAttachments, {
      apiVersion: "storage.k8s.io/v1",
      kind: "VolumeAttachment",
      metadata: { name: "va-1" },
      spec: { attacher: "csi.example", nodeName: "m1", source: { persistentVolumeName: "pv-1" } },
    } as KubeObject);
    await h.targetClient.patch(
      CoreV1.nodes,
      "m1",
      {
        status: { volumesAttached: [{ name: "kubernetes.io/csi/csi.example^vol-1", devicePath: "" }] },
      },
      "merge",
      { subresource: "status" },
    );
    await h.controlClient.patch(
      { group: "machine.sapcloud.io", version: "v1alpha1", resource: "machines", kind: "Machine", namespaced: true },
      "m1",
      { metadata: { labels: { "force-deletion": "True" } } },
      "merge",
      { namespace: NS },
    );
    await h.advance(1000);
    h.target.counters.reset();
    const track = await descriptionsOf(h, "m1");
    await h.deleteMachine("m1");
    await h.until(track.poll, { stepMs: 1000, what: "machine gone" });
    assert.ok(track.seen.includes("Force Drain successful. Delete Volume Attachments"), track.seen.join(" | "));
    assert.equal(h.target.counters.snapshot().byVerbResource["create pods/eviction"] ?? 0, 0, "no eviction");
    await assert.rejects(h.targetClient.get(StorageV1.volumeAttachments, "va-1"), isNotFound);
    assert.equal(driver.vms.size, 0);
  } finally {
    await h.close();
  }
});

Deno.test("deletion: a node NotReady for more than 5 minutes is force-drained", async () => {
  const { h } = await runningMachine();
  try {
    await createPod(h, "db", "m1", { labels: { app: "db" } });
    await h.targetClient.create(PolicyV1.podDisruptionBudgets, {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "db", namespace: "default" },
      spec: { minAvailable: 1, selector: { matchLabels: { app: "db" } } },
    }, { namespace: "default" });
    await h.setNodeConditions("m1", { Ready: "False" }, 6 * 60_000);
    await h.until(async () => (await h.phase("m1")) === "Unknown", { what: "Unknown" });
    h.target.counters.reset();
    const track = await descriptionsOf(h, "m1");
    await h.deleteMachine("m1");
    await h.until(track.poll, { stepMs: 1000, maxMs: 5 * 60_000, what: "machine gone" });
    assert.equal(h.target.counters.snapshot().byVerbResource["create pods/eviction"] ?? 0, 0, "forced: no eviction");
    assert.ok(track.seen.includes("Initiate node drain"), track.seen.join(" | "));
  } finally {
    await h.close();
  }
});

Deno.test("deletion: a drain that fails before the drain timeout is retried, and forced after it", async () => {
  const { h } = await runningMachine({ drainTimeout: "2m" });
  try {
    // A pod that never finishes terminating (a finalizer nobody removes): every normal drain attempt fails.
    await createPod(h, "stuck", "m1", { finalizers: ["example.com/never"] });
    const track = await descriptionsOf(h, "m1");
    await h.deleteMachine("m1");
    await h.until(track.poll, { stepMs: 5000, maxMs: 15 * 60_000, what: "machine gone" });
    const failed = track.seen.find((d) => d.startsWith("Drain failed due to - "));
    assert.ok(failed, track.seen.join(" | "));
    assert.match(failed, /Will retry in next sync\. Initiate node drain$/);
    // Retried normally while within the drain timeout (2 min since the deletion), then forced: the machine went.
    assert.ok(track.seen.filter((d) => d.startsWith("Drain failed due to - ")).length >= 1);
  } finally {
    await h.close();
  }
});

Deno.test("deletion: a Node deleted by someone deletes its Machine; the finalizer guards the Node until then", async () => {
  const { driver, h } = await runningMachine();
  try {
    // Watched, not polled: under load the whole deletion flow can finish between two polls.
    let deletingSeen = false;
    await h.watchMachines((m) => {
      if (m.metadata.name === "m1" && m.metadata.deletionTimestamp) deletingSeen = true;
    });
    const deleted = await h.targetClient.delete(CoreV1.nodes, "m1");
    // The finalizer keeps the Node: the API server answers with the object, marked for deletion.
    assert.equal(deleted.kind, "Node");
    assert.ok((deleted as KubeObject).metadata.deletionTimestamp);
    await h.until(async () => (await h.machine("m1")) === undefined, { stepMs: 200, what: "machine gone" });
    assert.ok(deletingSeen, "the machine was deleted (a version with a deletionTimestamp was announced)");
    assert.equal(await h.node("m1"), undefined, "the Node went with its Machine");
    assert.equal(driver.vms.size, 0);
  } finally {
    await h.close();
  }
});

Deno.test("deletion: a machine still crash-looping (no node) skips the drain and deletes its VM", async () => {
  const driver = new FakeDriver();
  const h = await Harness.start({ driver });
  try {
    await h.createDefaultClass();
    await h.createMachine("m2");
    await h.until(async () => (await h.phase("m2")) === "Pending");
    const track = await descriptionsOf(h, "m2");
    await h.deleteMachine("m2");
    await h.until(track.poll, { what: "machine gone" });
    assert.equal(driver.vms.size, 0);
    assert.equal(driver.count("delete"), 1);
    assert.ok(!track.seen.some((d) => /failed/i.test(d)), track.seen.join(" | "));
  } finally {
    await h.close();
  }
});

Deno.test("deletion: the machine finalizer is only removed at the end (a deleted machine without it is left alone)", async () => {
  const driver = new FakeDriver();
  const h = await Harness.start({ driver });
  try {
    await h.createDefaultClass();
    await h.createMachine("m3");
    await h.until(async () => (await h.phase("m3")) === "Pending");
    await h.controlClient.patch(
      { group: "machine.sapcloud.io", version: "v1alpha1", resource: "machines", kind: "Machine", namespaced: true },
      "m3",
      { metadata: { finalizers: ["example.com/keep"] } },
      "merge",
      { namespace: NS },
    );
    await h.deleteMachine("m3");
    await h.advance(60_000, 5_000);
    const m = await h.machine("m3");
    assert.equal(m?.status?.currentStatus?.phase, "Pending", "no MCM finalizer: nothing done (MCM LongRetry)");
    assert.equal(driver.vms.size, 1);
  } finally {
    await h.close();
  }
});

Deno.test("deletion: without a node label the node is found by its machine-name label, else asked from the driver", async () => {
  const { driver, h } = await runningMachine();
  try {
    // m1's Node carries the machine-name label: the controller restores the `node` label from it.
    await h.controlClient.patch(MachineV1alpha1.machines, "m1", { metadata: { labels: { node: null } } }, "merge", {
      namespace: NS,
    });
    await h.advance(1000);
    await h.deleteMachine("m1");
    await h.until(async () => (await h.machine("m1")) === undefined, { what: "m1 gone" });
    assert.equal(driver.count("status", "m1"), 0, "found through the Node label, no driver call");
    assert.equal(await h.node("m1"), undefined, "its node was drained and deleted");
    // m2 has no node at all: the driver's GetMachineStatus names it.
    await h.createMachine("m2");
    await h.until(async () => (await h.phase("m2")) === "Running");
    await h.controlClient.patch(MachineV1alpha1.machines, "m2", { metadata: { labels: { node: null } } }, "merge", {
      namespace: NS,
    });
    await h.targetClient.patch(
      CoreV1.nodes,
      "m2",
      { metadata: { labels: { "node.gardener.cloud/machine-name": null } } },
      "merge",
    );
    await h.advance(1000);
    await h.deleteMachine("m2");
    await h.until(async () => (await h.machine("m2")) === undefined, { what: "m2 gone" });
    assert.equal(driver.count("status", "m2"), 1);
    assert.equal(await h.node("m2"), undefined);
  } finally {
    await h.close();
  }
});

async function tokenExists(h: Harness, machine: string): Promise<boolean> {
  try {
    await h.targetClient.get(CoreV1.secrets, bootstrapTokenSecretName(machine), { namespace: "kube-system" });
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** What MCM's MachineSet writes when it deletes a machine: phase Terminating at once (the phase before is gone). */
async function markTerminatingAsMachineSet(h: Harness, name: string): Promise<void> {
  await h.controlClient.patch(
    MachineV1alpha1.machines,
    name,
    {
      status: {
        lastOperation: { description: "Deleting machine from cloud provider", state: "Processing", type: "Delete" },
        currentStatus: { phase: "Terminating", timeoutActive: false },
      },
    },
    "merge",
    { namespace: NS, subresource: "status" },
  );
}

Deno.test("deletion: a machine that never joined loses its bootstrap token on going Terminating, before its VM is gone", async () => {
  const driver = new FakeDriver();
  const h = await Harness.start({ driver });
  try {
    await h.createDefaultClass();
    await h.createMachine("m5");
    await h.createMachine("m6");
    await h.until(async () => (await h.phase("m5")) === "Pending" && (await h.phase("m6")) === "Pending");
    assert.equal(await tokenExists(h, "m5"), true);
    assert.equal(await tokenExists(h, "m6"), true);
    // The VMs cannot be deleted for now: the machines stay in their deletion flow.
    driver.errors.delete = () => new MachineError("Unavailable", "metal is down");
    await h.deleteMachine("m5");
    await h.until(async () => (await h.phase("m5")) === "Terminating", { what: "Terminating" });
    await h.advance(30_000, 5_000);
    assert.ok(driver.count("delete") >= 1);
    assert.ok(await h.machine("m5"), "still deleting");
    assert.equal(await tokenExists(h, "m5"), false, "a token left valid could still let the VM join");

    // Deleted by its MachineSet while no controller ran (a restart forgets which tokens it made): the node never
    // reported Ready, so the token goes too.
    await h.stopController();
    await markTerminatingAsMachineSet(h, "m6");
    await h.deleteMachine("m6");
    h.startController();
    await h.advance(30_000, 5_000);
    assert.ok(await h.machine("m6"), "still deleting");
    assert.equal(await tokenExists(h, "m6"), false);
  } finally {
    await h.close();
  }
});

Deno.test("deletion: a joined machine's deletion asks nothing about its bootstrap token (the join deleted it)", async () => {
  const { h } = await runningMachine();
  try {
    await h.until(async () => !(await tokenExists(h, "m1")), { what: "token deleted on join" });
    // As MCM leaves its machines: no join-duration annotation (its status update drops it); and deleted the way its
    // MachineSet deletes one, which writes phase Terminating first.
    await h.controlClient.patch(
      MachineV1alpha1.machines,
      "m1",
      {
        metadata: { annotations: { "node.machine.sapcloud.io/machine-join-duration": null } },
      },
      "merge",
      { namespace: NS },
    );
    h.target.counters.reset();
    await markTerminatingAsMachineSet(h, "m1");
    await h.deleteMachine("m1");
    await h.until(async () => (await h.machine("m1")) === undefined, { what: "machine gone" });
    const secretRequests = Object.entries(h.target.counters.snapshot().byVerbResource)
      .filter(([k]) => k.endsWith(" secrets"));
    assert.deepEqual(secretRequests, []);
  } finally {
    await h.close();
  }
});
