import assert from "node:assert/strict";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { CoreV1, RbacV1 } from "../../../src/k8s/api/resources.ts";
import { isNotFound, undefinedIfNotFound } from "../../../src/k8s/api/errors.ts";
import { FakeClock, yieldToEventLoop } from "../../../src/runtime/clock.ts";
import { IN_PROCESS_BASE_URL, MetalSimulator } from "../../../src/sim/metal/mod.ts";
import { MetalClient } from "../../../src/metal/client.ts";
import { metalDevices, NodeSimulator, readyStatus, type SimNode } from "../../../src/sim/nodes/mod.ts";
import { configureLogging } from "../../../src/observability/log.ts";

// The CCM test is denied on purpose until its RBAC exists: its informer's warnings are expected.
configureLogging({ level: "error" });

async function until<T>(clock: FakeClock, probe: () => Promise<T> | T, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    for (let i = 0; i < 3; i++) await yieldToEventLoop();
    await new Promise((r) => setTimeout(r, 3));
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await clock.advance(500);
  }
}

Deno.test("node simulator: registers, untaints and removes Nodes for the Metal simulator's devices; its reads are no API calls", async () => {
  const clock = new FakeClock();
  const api = await startApiServer({ clock, bookmarkIntervalMs: 3_600_000 });
  const client = new KubeClient(api.connection());
  const simClient = new KubeClient(api.connection());
  const sim = new MetalSimulator({ clock, randomSeed: 5, timings: { queuedMs: 1000, provisioningMs: 4000 } });
  const metal = new MetalClient({ token: sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: sim.fetch });
  const nodes = new NodeSimulator({
    client: simClient,
    devices: metalDevices(sim, sim.defaultProjectId),
    clock,
    pollMs: 1000,
    criticalComponentsTaintMs: 3000,
  });
  const stop = new AbortController();
  const running = nodes.start(stop.signal);
  const getNode = async (name: string) => {
    return await undefinedIfNotFound(client.get<SimNode>(CoreV1.nodes, name));
  };
  try {
    await client.create(CoreV1.nodes, { apiVersion: "v1", kind: "Node", metadata: { name: "foreign" } });
    const device = await metal.devices.create(sim.defaultProjectId, {
      hostname: "pool-a-1",
      plan: "c3.small.x86",
      metro: "ny",
      operating_system: "flatcar_stable",
      billing_cycle: "hourly",
    } as never);
    const requestsAfterCreate = sim.counters.total();
    await clock.advance(2000);
    assert.equal(await getNode("pool-a-1"), undefined, "no node while provisioning");
    const node = await until(clock, () => getNode("pool-a-1"), "node registered");
    assert.equal(node.spec?.providerID, `equinixmetal://${device.id}`);
    assert.ok(node.status?.addresses?.some((a) => a.type === "InternalIP"));
    assert.equal(node.spec?.taints?.[0]?.key, "node.gardener.cloud/critical-components-not-ready");
    await until(clock, async () => (await getNode("pool-a-1"))?.spec?.taints?.length === 0, "taint removed");
    // A pod bound to the node; deleting the device deletes the node and the pod.
    await client.create(CoreV1.pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default" },
      spec: { nodeName: "pool-a-1", containers: [{ name: "c", image: "x" }] },
    } as never, { namespace: "default" });
    await metal.devices.delete(device.id);
    // The kubelet fell silent: the Node stays Ready for the grace period, then goes Unknown, then the CCM deletes it.
    await clock.advance(30_000);
    assert.equal(readyStatus((await getNode("pool-a-1"))!), "True", "Ready within the grace period");
    await until(clock, async () => (await getNode("pool-a-1")) === undefined, "node deleted");
    await until(clock, async () => {
      try {
        await client.get(CoreV1.pods, "p", { namespace: "default" });
        return false;
      } catch (e) {
        return isNotFound(e);
      }
    }, "pod removed");
    assert.ok(await getNode("foreign"), "nodes it did not create are left alone");
    assert.equal(sim.counters.total() - requestsAfterCreate, 1, "only the test's DELETE reached the Metal API");
    assert.deepEqual(
      [
        nodes.stats.nodesCreated,
        nodes.stats.nodesUntainted,
        nodes.stats.nodesNotReady,
        nodes.stats.nodesDeleted,
        nodes.stats.podsDeleted,
      ],
      [1, 1, 1, 1, 1],
    );
  } finally {
    stop.abort();
    for (let i = 0; i < 50; i++) {
      await clock.advance(100);
      await new Promise((r) => setTimeout(r, 1));
    }
    await running;
    client.close();
    simClient.close();
    sim.close();
    await api.stop();
  }
});

Deno.test("node simulator: the CCM's deletion runs on its own client, and only once that client may list, watch and delete Nodes; the kubelet's registration does not wait for it", async () => {
  const clock = new FakeClock();
  const api = await startApiServer({ clock, bookmarkIntervalMs: 3_600_000 });
  const admin = new KubeClient(api.connection());
  await admin.create(CoreV1.serviceAccounts, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "cloud-controller-manager", namespace: "kube-system" },
  }, { namespace: "kube-system" });
  const ccm = new KubeClient(api.connection(api.serviceAccountToken("kube-system", "cloud-controller-manager")));
  const simClient = new KubeClient(api.connection());
  const sim = new MetalSimulator({ clock, randomSeed: 6, timings: { queuedMs: 1000, provisioningMs: 2000 } });
  const metal = new MetalClient({ token: sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: sim.fetch });
  const nodes = new NodeSimulator({
    client: simClient,
    cloudControllerManager: ccm,
    devices: metalDevices(sim, sim.defaultProjectId),
    clock,
    pollMs: 1000,
    criticalComponentsTaintMs: 0,
    nodeMonitorGraceMs: 0, // not Ready at once: what keeps the Node below is the CCM's RBAC
  });
  const stop = new AbortController();
  const running = nodes.start(stop.signal);
  const exists = async (name: string) => (await undefinedIfNotFound(admin.get(CoreV1.nodes, name))) !== undefined;
  const ccmUser = "system:serviceaccount:kube-system:cloud-controller-manager";
  try {
    const device = await metal.devices.create(sim.defaultProjectId, {
      hostname: "pool-a-1",
      plan: "c3.small.x86",
      metro: "ny",
      operating_system: "flatcar_stable",
      billing_cycle: "hourly",
    } as never);
    await until(clock, () => exists("pool-a-1"), "node registered without the CCM's permissions");
    await metal.devices.delete(device.id);
    for (let i = 0; i < 10; i++) await clock.advance(1000);
    assert.ok(await exists("pool-a-1"), "the CCM may not list Nodes yet: the Node stays");
    assert.ok(api.rbac.audit.denied().some((e) => e.user === ccmUser && e.verb === "list" && e.resource === "nodes"));
    await admin.create(RbacV1.clusterRoles, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "ccm" },
      rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["list", "watch", "delete"] }],
    } as never);
    await admin.create(RbacV1.clusterRoleBindings, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "ccm" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "ccm" },
      subjects: [{ kind: "ServiceAccount", name: "cloud-controller-manager", namespace: "kube-system" }],
    } as never);
    await until(clock, async () => !(await exists("pool-a-1")), "node deleted once the CCM's RBAC exists");
    const allowed = api.rbac.audit.all().filter((e) => e.user === ccmUser && e.allowed);
    assert.ok(allowed.some((e) => e.verb === "delete" && e.resource === "nodes" && e.name === "pool-a-1"));
    assert.ok(!allowed.some((e) => e.verb === "create"), "the kubelet's registration is not the CCM's");
    assert.equal(nodes.stats.nodesDeleted, 1);
  } finally {
    stop.abort();
    for (let i = 0; i < 50; i++) {
      await clock.advance(100);
      await new Promise((r) => setTimeout(r, 1));
    }
    await running;
    for (const c of [admin, ccm, simClient]) c.close();
    sim.close();
    await api.stop();
  }
});
