/**
 * RBAC proven minimal: the full scenario (create, rolling update, the loss of a device, hibernation and wake-up,
 * control-plane migration, delete) with every component on its ServiceAccount's token. Every request denied and every rule (or part of one) of
 * the RBAC we apply that no request used is printed; each must carry a reason from the table below, or the test fails.
 */
import assert from "node:assert/strict";
import { configureLogging } from "../../src/observability/log.ts";
import { type ClusterAuthorization, withLandscape } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { CoreV1 } from "../../src/k8s/api/resources.ts";
import { MetalClient } from "../../src/metal/client.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

configureLogging({ level: "error" });

const EXT = "seed ClusterRole/gardener-extension-provider-equinix-metal";
const MCM_SEED = "seed Role/shoot--garden--playground/machine-controller-manager";
const MCM_SHOOT = "shoot shoot--garden--playground ClusterRole/system:machine-controller-manager-shoot";
const CCM_ROLE = "extensions.gardener.cloud:provider-equinix-metal:cloud-controller-manager";
const CCM = `shoot shoot--garden--playground ClusterRole/${CCM_ROLE}`;
const CCM_NS = `shoot shoot--garden--playground Role/kube-system/${CCM_ROLE}`;
const NO_LOAD_BALANCER = "the CCM's service controller (LoadBalancer Services, their status, MetalLB's ConfigMap): " +
  "the playground's shoots have no LoadBalancer Service";

const WEBHOOK = "webhook certificate rotation (the CA and serving certificate Secrets updated, the configuration " +
  "re-registered with the new bundle): no rotation within the scenario";
const TERRAFORMER = "leftovers of the Go provider's Terraformer (finalizers removed, then deleted): a fresh " +
  "playground has none";
const GARDENLET = "gardenlet's role of machine-controller-manager, shared with MCM's own controllers (the " +
  "playground's MachineDeployment simulation stands in for them): not ours to trim";

/**
 * Why a grant went unused: the first pattern matching `<cluster> <role>#<rule index> <verb> <resource>` gives the
 * reason (the same table is in docs/decisions.md, "RBAC proven minimal").
 */
const UNUSED_REASONS: Array<[RegExp, string]> = [
  [new RegExp(`^${EXT}#\\d+ update (secrets|mutatingwebhookconfigurations)`), WEBHOOK],
  [new RegExp(`^${EXT}#\\d+ (patch|delete) configmaps`), TERRAFORMER],
  [
    new RegExp(`^${EXT}#\\d+ (list|delete) pods`),
    "restart of a stuck machine-controller-manager (a MachineDeployment older than " +
    "2 min without a MachineSet): not stuck in the playground",
  ],
  [
    new RegExp(`^${EXT}#\\d+ get machine(classes|deployments)`),
    "re-read after a create that lost a race (AlreadyExists): no race here",
  ],
  [
    new RegExp(`^${EXT}#\\d+ patch machineclasses`),
    "a MachineClass that exists with other content is patched in " +
    "place: class names carry a hash of their content, so only after a lost race",
  ],
  [new RegExp(`^${MCM_SEED}#`), GARDENLET],
  [new RegExp(`^${MCM_SHOOT}#[24567] `), "drain of a node with pods: the playground's shoots run no pods"],
  [new RegExp(`^${MCM_SHOOT}#`), GARDENLET],
  [
    new RegExp(`^${CCM}#(0 (get|update|patch) nodes|1 )`),
    "the CCM's cloud-node initialization (providerID, addresses, zone labels, the uninitialized taint): the " +
    "simulated kubelet registers Nodes complete, so nothing is left to initialize; cloud-node-lifecycle reads Nodes " +
    "from its informer (list, watch)",
  ],
  [new RegExp(`^${CCM}#[23] `), NO_LOAD_BALANCER],
  [new RegExp(`^${CCM_NS}#2 \\w+ configmaps`), NO_LOAD_BALANCER],
  [new RegExp(`^${CCM}#4 `), "the simulated CCM records no events (a real one reports the Node it deletes)"],
  [new RegExp(`^${CCM_NS}#[01] \\w+ leases`), "leader election: the simulated CCM runs one replica without it"],
];

function unusedReason(grant: string): string | undefined {
  return UNUSED_REASONS.find(([re]) => re.test(grant))?.[1];
}

/** Why a request is denied on purpose: `<cluster> <user> <verb> <resource> <namespace>/<name>` → reason. */
const DENIED_REASONS: Record<string, string> = {};

function lists(report: ClusterAuthorization[]): { unused: string[]; denied: string[] } {
  const unused: string[] = [];
  const denied: string[] = [];
  for (const c of report) {
    for (const u of c.unused) for (const g of u.grants) unused.push(`${c.cluster} ${u.role}#${u.index} ${g}`);
    for (const d of c.denied) {
      const res = d.path || (d.subresource ? `${d.resource}/${d.subresource}` : d.resource) +
          (d.group ? `.${d.group}` : "");
      denied.push(`${c.cluster} ${d.user} ${d.verb} ${res} ${d.namespace}/${d.name} (x${d.count})`);
    }
  }
  return { unused, denied };
}

Deno.test("the full scenario under RBAC: no request denied, every unused grant has a reason", async () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 14, 0, 0));
  const { value: report } = await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape({ clock, randomSeed: 15 }, async (landscape) => {
      try {
        await landscape.create();
        await landscape.rollingUpdate();
        const loss = await landscape.loseDevices();
        assert.equal(loss.devicesCreated, loss.lost.length, "one device per lost one");
        await landscape.hibernate();
        await landscape.migrate();
        await landscape.delete();
      } catch (e) {
        // What was denied explains most failures here.
        console.log(lists(landscape.authorization()).denied.join("\n"));
        throw e;
      }
      return landscape.authorization();
    })
  );
  const { unused, denied } = lists(report);
  console.log(`denied requests (${denied.length}):\n  ${denied.join("\n  ")}`);
  console.log(
    `unused grants (${unused.length}):\n  ${unused.map((u) => `${u}: ${unusedReason(u) ?? "NO REASON"}`).join("\n  ")}`,
  );
  assert.deepEqual(report.map((c) => c.cluster), ["seed", "shoot shoot--garden--playground"]);
  assert.deepEqual(denied.filter((d) => !DENIED_REASONS[d.replace(/ \(x\d+\)$/, "")]), []);
  assert.deepEqual(unused.filter((u) => !unusedReason(u)), [], "unused grants without a reason");
  // The table holds no reason for a grant that is used now (it would excuse a grant that became unused later).
  const stale = UNUSED_REASONS.filter(([re]) => !unused.some((u) => re.test(u))).map(([re]) => re.source);
  assert.deepEqual(stale, [], "reasons that excuse no unused grant");
});

Deno.test("a permission taken away breaks the scenario, and the denial is listed", async () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 15, 0, 0));
  const { extensionSeedRbac } = await import("../../src/playground/rbac.ts");
  // The extension without `patch workers/status`: it cannot report the Worker's state.
  const withoutStatus = (ns: string) =>
    extensionSeedRbac(ns).map((o) => {
      if (o.kind !== "ClusterRole") return o;
      const rules = (o as unknown as { rules: Array<{ resources: string[] }> }).rules.map((r) => ({
        ...r,
        resources: r.resources.filter((x) => x !== "workers/status"),
      }));
      return { ...o, rules } as typeof o;
    });
  let denied: string[] = [];
  await assert.rejects(
    new FakeTimeDriver(clock, 1000).during(() =>
      withLandscape(
        { clock, randomSeed: 16, phaseTimeoutMs: 120_000, extensionRbac: withoutStatus },
        async (landscape) => {
          try {
            await landscape.create();
          } finally {
            denied = lists(landscape.authorization()).denied;
          }
        },
      )
    ),
    /timed out waiting for Worker/,
  );
  assert.ok(
    denied.some((d) =>
      d.startsWith(
        "seed system:serviceaccount:extension-provider-equinix-metal:gardener-extension-provider-equinix-metal " +
          "patch workers/status.extensions.gardener.cloud shoot--garden--playground/playground",
      )
    ),
    denied.join("\n"),
  );
});

Deno.test("the CCM runs under the RBAC our ControlPlane's ManagedResource applies: without delete nodes, the Node of a device deleted out of band stays and the denial is listed", async () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 16, 0, 0));
  // What the MR carries into the shoot, with `delete` taken from the CCM's ClusterRole.
  const withoutDelete = (o: KubeObject) => {
    if (o.kind !== "ClusterRole" || o.metadata.name !== CCM_ROLE) return o;
    const rules = (o as unknown as { rules: Array<{ verbs: string[] }> }).rules.map((r) => ({
      ...r,
      verbs: r.verbs.filter((v) => v !== "delete"),
    }));
    return { ...o, rules } as typeof o;
  };
  const { value } = await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape(
      { clock, randomSeed: 17, phaseTimeoutMs: 120_000, shootObjectEdit: withoutDelete },
      async (landscape) => {
        await landscape.create();
        const sims = landscape.simulators;
        // An operator deletes a machine's device in Metal: only the CCM's cloud-node-lifecycle removes its Node.
        const device = sims.metal.devices()[0];
        const metal = new MetalClient({ token: sims.metal.defaultToken, baseUrl: sims.metalUrl });
        await metal.devices.delete(device.id);
        // Past the node-monitor grace period (40 s): the Node is not Ready, and the CCM's delete is denied.
        await clock.sleep(60_000);
        const shoot = new KubeClient([...sims.shoots.values()][0].api.connection());
        try {
          const nodes = await shoot.list(CoreV1.nodes);
          return {
            node: device.hostname,
            nodes: nodes.items.map((n) => n.metadata.name),
            ...lists(landscape.authorization()),
          };
        } finally {
          shoot.close();
        }
      },
    )
  );
  assert.ok(
    value.nodes.includes(value.node),
    `the Node ${value.node} of the deleted device stays (the CCM may not delete it)`,
  );
  assert.ok(
    value.denied.some((d) =>
      d.startsWith(
        "shoot shoot--garden--playground system:serviceaccount:kube-system:cloud-controller-manager delete nodes " +
          `/${value.node} `,
      )
    ),
    value.denied.join("\n"),
  );
});
