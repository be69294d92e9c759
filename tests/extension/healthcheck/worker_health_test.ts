/**
 * The Worker's `EveryNodeReady` as the health-check controller keeps it over real I/O (fake seed and shoot API
 * servers, reads from caches): True when every desired node is ready, then 0 writes per pass while nothing changes;
 * Progressing while nodes join, False after the threshold; False on a failed machine; True "Shoot is hibernated";
 * nothing written while the Worker is being deleted or migrated; a stale `ControlPlaneHealthy` removed.
 */
import assert from "node:assert/strict";
import { CoreV1, ExtensionsV1alpha1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { eventually } from "../../support/eventually.ts";
import { availableStatus, HealthHarness, NAME, node, NS } from "./harness.ts";

type Cond = Record<string, string>;
const everyNodeReady = (w: { status?: { conditions?: Cond[] } }) =>
  w.status?.conditions?.find((c) => c.type === "EveryNodeReady");

async function waitFor(h: HealthHarness, want: (c: Cond | undefined) => boolean, what: string): Promise<Cond> {
  return await eventually(async () => {
    const c = everyNodeReady(await h.worker());
    if (want(c)) return c;
    await h.nextPass();
    return undefined;
  }, { description: what, timeoutMs: 20_000 });
}

Deno.test("healthcheck Worker: True when all nodes are ready, then 0 writes per pass in steady state", async () => {
  const h = await HealthHarness.start(2);
  try {
    h.startChecks();
    const c = await waitFor(h, (c) => c?.status === "True", "EveryNodeReady True");
    assert.equal(c.reason, "HealthCheckSuccessful");
    assert.equal(c.message, "All health checks successful");
    const writes = h.workerStatusWrites();
    assert.equal(writes, 1);
    for (let i = 0; i < 5; i++) await h.nextPass();
    assert.equal(h.workerStatusWrites(), writes, "no status write while nothing changed");
    assert.deepEqual(everyNodeReady(await h.worker()), c, "timestamps unchanged");
    const lists = h.shoot.counters.snapshot().byVerb["list"] ?? 0;
    assert.ok(lists <= 1, `shoot nodes come from a cache (${lists} lists)`);
  } finally {
    await h.close();
  }
});

Deno.test("healthcheck Worker: a joining node is Progressing, False after the threshold; a failed machine is False", async () => {
  const h = await HealthHarness.start(2);
  try {
    h.startChecks({ nodeThresholds: { scaleUpMs: 60_000, scaleDownMs: 60_000 } });
    await waitFor(h, (c) => c?.status === "True", "EveryNodeReady True");
    // Scale up to 3: a third machine is pending, its node not there yet.
    await h.setDeployment("pool-a", 3, { ...availableStatus(3), availableReplicas: 2 });
    for (const [name, phase] of [["m-0", "Running"], ["m-1", "Running"], ["m-2", "Pending"]]) {
      const created = await h.seedClient.create(MachineV1alpha1.machines, machine(name, phase), { namespace: NS });
      await h.seedClient.updateStatus(
        MachineV1alpha1.machines,
        { ...created, status: machine(name, phase).status } as KubeObject,
        {
          namespace: NS,
        },
      );
    }
    const p = await waitFor(h, (c) => c?.status === "Progressing", "Progressing");
    assert.equal(p.reason, "HealthCheckProgressing");
    assert.equal(p.message, "1 machine is provisioning and should join the cluster soon.");
    // Past the scale-up threshold: False, same message.
    const f = await waitFor(h, (c) => c?.status === "False", "False after the threshold");
    assert.equal(f.reason, "HealthCheckUnsuccessful");
    assert.equal(f.message, p.message);
    assert.equal(f.lastUpdateTime, f.lastTransitionTime);
    // The node joins: True again.
    await h.shootClient.create(CoreV1.nodes, node("node-2"));
    await h.setDeployment("pool-a", 3, availableStatus(3));
    await waitFor(h, (c) => c?.status === "True", "True once the node joined");
    // A failed machine.
    await h.setDeployment("pool-a", 3, {
      ...availableStatus(3),
      failedMachines: [{ name: "m-2", lastOperation: { description: "device failed to provision" } }],
    });
    const failed = await waitFor(h, (c) => c?.status === "False", "False on a failed machine");
    assert.equal(failed.message, 'machine "m-2" failed: device failed to provision.');
  } finally {
    await h.close();
  }
});

Deno.test("healthcheck Worker: hibernated → True 'Shoot is hibernated'; stale ControlPlaneHealthy removed", async () => {
  const h = await HealthHarness.start(1);
  try {
    const w = await h.worker();
    const t = new Date(h.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const stale = {
      type: "ControlPlaneHealthy",
      status: "True",
      lastTransitionTime: t,
      lastUpdateTime: t,
      reason: "r",
      message: "m",
    };
    await h.seedClient.updateStatus(
      ExtensionsV1alpha1.workers,
      { ...w, status: { conditions: [stale] } } as KubeObject,
      {
        namespace: NS,
      },
    );
    const cluster = await h.seedClient.get(ExtensionsV1alpha1.clusters, NS);
    const spec = structuredClone((cluster as unknown as { spec: { shoot: { spec: Record<string, unknown> } } }).spec);
    spec.shoot.spec.hibernation = { enabled: true };
    await h.seedClient.update(ExtensionsV1alpha1.clusters, { ...cluster, spec } as KubeObject);
    h.startChecks();
    const c = await waitFor(h, (c) => c?.message === "Shoot is hibernated", "hibernated");
    assert.equal(c.status, "True");
    const types = (await h.worker()).status?.conditions?.map((c) => c.type);
    assert.deepEqual(types, ["EveryNodeReady"]);
  } finally {
    await h.close();
  }
});

Deno.test("healthcheck Worker: nothing is written while the Worker is being deleted or migrated", async () => {
  for (const how of ["delete", "migrate"] as const) {
    const h = await HealthHarness.start(1);
    try {
      const w = await h.worker();
      if (how === "migrate") {
        await h.seedClient.update(ExtensionsV1alpha1.workers, {
          ...w,
          metadata: { ...w.metadata, annotations: { "gardener.cloud/operation": "migrate" } },
        });
      } else {
        await h.seedClient.update(ExtensionsV1alpha1.workers, {
          ...w,
          metadata: { ...w.metadata, finalizers: ["extensions.gardener.cloud/worker"] },
        });
        await h.seedClient.delete(ExtensionsV1alpha1.workers, NAME, { namespace: NS });
      }
      h.startChecks();
      for (let i = 0; i < 3; i++) await h.nextPass();
      assert.equal(h.workerStatusWrites(), 0, how);
      assert.equal((await h.worker()).status?.conditions, undefined, how);
      assert.equal(h.checks.shoots.size(), 0, `${how}: no shoot cache kept`);
    } finally {
      await h.close();
    }
  }
});

function machine(name: string, phase: string): KubeObject & { status: unknown } {
  return {
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "Machine",
    metadata: { name, namespace: NS, labels: { name: "pool-a" } },
    spec: { class: { kind: "MachineClass", name: "pool-a" } },
    status: { currentStatus: { phase } },
  } as KubeObject & { status: unknown };
}
