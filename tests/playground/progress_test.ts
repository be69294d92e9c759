/** The live progress model and its two renderings (pure). */
import assert from "node:assert/strict";
import type { MachineDeployment } from "../../src/apis/machine/v1alpha1.ts";
import {
  computeProgress,
  type MachineView,
  renderProgressBlock,
  renderProgressLine,
  type WorkerView,
} from "../../src/playground/progress.ts";

function worker(
  ns: string,
  state: string,
  pools: Array<[string, string, number, number]>,
  deleting = false,
): WorkerView {
  return {
    metadata: { name: "w", namespace: ns, ...(deleting ? { deletionTimestamp: "2026-11-21T00:00:00Z" } : {}) },
    spec: { pools: pools.map(([name, machineType, minimum, maximum]) => ({ name, machineType, minimum, maximum })) },
    status: { lastOperation: { state, description: `${state} in ${ns}` } },
  };
}

function md(ns: string, pool: string, replicas: number, ready: number, updated = ready): MachineDeployment {
  return {
    metadata: { name: `${ns}-${pool}`, namespace: ns, labels: { "worker.gardener.cloud/pool": pool } },
    spec: { replicas, template: {} },
    status: { readyReplicas: ready, updatedReplicas: updated, availableReplicas: ready },
  } as unknown as MachineDeployment;
}

function machine(phase?: string, deleting = false): MachineView {
  return {
    metadata: { name: "m", ...(deleting ? { deletionTimestamp: "2026-11-21T00:00:00Z" } : {}) },
    status: phase ? { currentStatus: { phase } } : undefined,
  };
}

const input = {
  elapsedMs: 12_345,
  phase: "creating",
  shoots: 2,
  workers: [
    worker("s1", "Processing", [["pool-a", "c3.small.x86", 1, 2]]),
    worker("s2", "Succeeded", [["pool-a", "m3.small.x86", 2, 3]]),
  ],
  deployments: [md("s1", "pool-a", 1, 0, 1), md("s2", "pool-a", 2, 2)],
  machines: [machine(), machine("Pending"), machine("Running"), machine("Running"), machine(undefined, true)],
  deviceStates: ["queued", "active", "active", "deprovisioning"],
  metalCalls: 9,
  apiWrites: 120,
};

Deno.test("pools are summed over shoots; machines by phase ((new), Terminating); devices by state", () => {
  const s = computeProgress(input);
  assert.deepEqual(s.pools, [{
    name: "pool-a",
    machineTypes: ["c3.small.x86", "m3.small.x86"],
    desired: 3,
    ready: 2,
    updated: 3,
    available: 2,
    minimum: 3,
    maximum: 5,
  }]);
  assert.deepEqual(s.machines, { "(new)": 1, Pending: 1, Running: 2, Terminating: 1 });
  assert.deepEqual(s.devices, { queued: 1, active: 2, deprovisioning: 1 });
  assert.deepEqual(s.workers.map((w) => `${w.key} ${w.state}`), ["s1/w Processing", "s2/w Succeeded"]);
  const deleting = computeProgress({ ...input, workers: [worker("s1", "Processing", [["pool-a", "c", 1, 1]], true)] });
  assert.equal(deleting.workers[0].state, "Deleting (Processing)");
  assert.deepEqual(
    deleting.pools.map((p) => [p.minimum, p.maximum]),
    [[0, 0]],
    "a deleting Worker's pools are not wanted",
  );
});

Deno.test("the terminal block: phase and time, Workers (at most three, then a summary), pools, machines, devices, counters", () => {
  const lines = renderProgressBlock(computeProgress(input), 200);
  assert.deepEqual(lines, [
    "── creating ── 12.3 s ── 2 shoots ──",
    "Worker s1/w: Processing — Processing in s1",
    "Worker s2/w: Succeeded — Succeeded in s2",
    "Pool pool-a (c3.small.x86, m3.small.x86, min 3 max 5): 2/3 ready, 3 up to date, 2 available",
    "Machines (5): (new) 1, Pending 1, Running 2, Terminating 1",
    "Devices (4): queued 1, active 2, deprovisioning 1",
    "Metal API calls 9 · API-server writes 120",
  ]);
  const many = Array.from(
    { length: 50 },
    (_, i) => worker(`s${String(i).padStart(2, "0")}`, i % 2 ? "Succeeded" : "Error", []),
  );
  const block = renderProgressBlock(computeProgress({ ...input, shoots: 50, workers: many }), 200);
  assert.equal(block.filter((l) => l.startsWith("Worker ")).length, 3);
  assert.ok(block.includes("… 47 more Workers (all: Succeeded 25, Error 25)"), block.join("\n"));
  assert.ok(renderProgressBlock(computeProgress(input), 40).every((l) => l.length <= 40), "cut to the terminal width");
});

Deno.test("the plain line has no clock in it, so it changes only when something changed", () => {
  const a = renderProgressLine(computeProgress(input));
  assert.equal(
    a,
    "[creating] workers: Succeeded 1, Processing 1 | pools ready: pool-a 2/3 | machines: (new) 1, Pending 1, Running 2, " +
      "Terminating 1 | devices: queued 1, active 2, deprovisioning 1",
  );
  assert.equal(renderProgressLine(computeProgress({ ...input, elapsedMs: 99_999 })), a);
  assert.notEqual(renderProgressLine(computeProgress({ ...input, deviceStates: ["active"] })), a);
});

Deno.test("the webhook server is a component of the view: registered or disabled, and the sidecars it injected", () => {
  const mcm = (ns: string, containers: string[]) => ({
    metadata: { name: "machine-controller-manager", namespace: ns },
    spec: { template: { spec: { containers: containers.map((name) => ({ name })) } } },
  });
  const sidecar = "machine-controller-manager-provider-equinix-metal";
  const registration = {
    metadata: { name: "gardener-extension-provider-equinix-metal" },
    webhooks: [{ name: "controlplane.equinix-metal.extensions.gardener.cloud" }],
  };
  const deployments = [
    mcm("s1", ["machine-controller-manager", sidecar]),
    mcm("s2", ["machine-controller-manager"]),
    { metadata: { name: "kube-apiserver", namespace: "s1" } },
  ];
  const serving = computeProgress({
    ...input,
    webhooks: { disabled: [], configurations: [registration], deployments },
  });
  assert.deepEqual(serving.webhook, {
    state: "registered (gardener-extension-provider-equinix-metal)",
    sidecars: 1,
    managers: 2,
  });
  assert.ok(
    renderProgressBlock(serving, 200).includes(
      "Webhook server: registered (gardener-extension-provider-equinix-metal) · sidecar in 1/2 " +
        "machine-controller-manager",
    ),
  );
  assert.match(renderProgressLine(serving), / \| sidecars: 1\/2$/);
  const off = computeProgress({ ...input, webhooks: { disabled: ["*"], configurations: [], deployments } });
  assert.equal(off.webhook?.state, "disabled (--disable-webhooks *)");
  const early = computeProgress({ ...input, webhooks: { disabled: ["shoot"], configurations: [], deployments: [] } });
  assert.deepEqual(early.webhook, { state: "not registered yet", sidecars: 0, managers: 0 });
});

Deno.test("the Shoots' conditions: per type how many Shoots report it True, in the block and the compact line", () => {
  const s = computeProgress({
    ...input,
    shootConditions: [
      ["APIServerAvailable=True", "EveryNodeReady=False"],
      ["APIServerAvailable=True", "EveryNodeReady=True"],
    ],
  });
  assert.deepEqual(s.shootConditions, [
    { type: "APIServerAvailable", true: 2, of: 2 },
    { type: "EveryNodeReady", true: 1, of: 2 },
  ]);
  assert.ok(renderProgressBlock(s, 200).includes("Shoot conditions True: APIServerAvailable 2/2, EveryNodeReady 1/2"));
  assert.match(renderProgressLine(s), / \| shoot conditions True: APIServerAvailable 2\/2, EveryNodeReady 1\/2$/);
  assert.equal(computeProgress(input).shootConditions, undefined, "no line without Shoots in a garden");
});
