/** Bad MachineDeployments and MachineSets are left alone with an error naming the object and the field. */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { API_VERSION, type MachineSet } from "../../../src/apis/machine/v1alpha1.ts";
import { MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { captureLogs } from "../../../src/observability/log.ts";
import { deployment, Harness, NS } from "./harness.ts";

Deno.test("invalid deployments and sets are reported once, with object and field, and nothing is written", async () => {
  const h = await Harness.start();
  const logs = captureLogs();
  try {
    const mismatch = deployment("mismatch");
    mismatch.spec.selector = { matchLabels: { name: "other" } };
    const noRolling = deployment("no-rolling", { strategy: { type: "RollingUpdate" } });
    const badSurge = deployment("bad-surge", {
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "lots", maxUnavailable: 0 } },
    });
    const noClass = deployment("no-class");
    delete noClass.spec.template.spec!.class;
    const inPlace = deployment("in-place", {
      strategy: { type: "InPlaceUpdate", inPlaceUpdate: { maxSurge: 1, maxUnavailable: 0, orchestrationType: "Auto" } },
    });
    for (const md of [mismatch, noRolling, badSurge, noClass, inPlace]) await h.createDeployment(md);
    const set: MachineSet = {
      apiVersion: API_VERSION,
      kind: "MachineSet",
      metadata: { name: "lonely", namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: {} },
        template: { spec: { class: { kind: "MachineClass", name: "c" } } },
      },
    };
    await h.test.create(MachineV1alpha1.machineSets, set);
    h.api.counters.reset();
    await h.idle(3_000, 100);
    await h.updateDeployment("mismatch", (md) => (md.metadata.labels = { touched: "yes" })); // same generation
    await h.idle(3_000, 100);

    const errors = logs.lines.filter((l) => l.includes('"level":"error"'));
    const expect = [
      ["shoot--sim/mismatch", "spec.selector.matchLabels: is not matching with spec.template.metadata.labels"],
      ["shoot--sim/no-rolling", "spec.strategy.rollingUpdate: RollingUpdate parameter cannot be nil"],
      ["shoot--sim/bad-surge", 'spec.strategy.rollingUpdate.maxSurge: invalid value \\"lots\\"'],
      ["shoot--sim/no-class", "spec.template.spec.class.kind: Kind is required"],
      ["shoot--sim/no-class", "spec.template.spec.class.name: Name is required"],
      ["shoot--sim/in-place", "the InPlaceUpdate strategy is not simulated"],
      ["shoot--sim/lonely", "spec.selector: must not be empty"],
    ];
    for (const [object, text] of expect) {
      ok(errors.some((l) => l.includes(object) && l.includes(text)), `error for ${object} mentions ${text}`);
    }
    assertEquals(errors.filter((l) => l.includes("shoot--sim/mismatch")).length, 1, "reported once per generation");
    // The label change above was the only write.
    assertEquals(h.api.counters.writes(), 1);
    assertEquals(h.sets.list(NS).map((s) => s.metadata.name), ["lonely"]);
    assertEquals(h.machines.list(NS), []);
    ok(!h.deploymentOf("mismatch")?.metadata.finalizers, "no finalizer on an invalid deployment");
  } finally {
    logs.restore();
    await h.close();
  }
});

Deno.test("a frozen machine set creates no machines until it is unfrozen", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 2 }));
    await h.until(() => h.converged("pool-a", 2), "2 machines");
    const set = h.setsOf("pool-a")[0].metadata.name!;
    await h.test.patch(MachineV1alpha1.machineSets, set, { metadata: { labels: { freeze: "True" } } }, "merge", {
      namespace: NS,
    });
    await h.until(() => h.sets.get(`${NS}/${set}`)?.metadata.labels?.freeze === "True", "frozen");
    await h.updateDeployment("pool-a", (md) => (md.spec.replicas = 4));
    await h.until(() => h.sets.get(`${NS}/${set}`)?.spec?.replicas === 4, "set scaled");
    await h.idle(5_000, 500);
    assertEquals(h.machines.list(NS).length, 2, "no machine while frozen");
    await h.test.patch(MachineV1alpha1.machineSets, set, { metadata: { labels: { freeze: null } } }, "merge", {
      namespace: NS,
    });
    await h.until(() => h.converged("pool-a", 4), "4 machines after unfreezing");
  } finally {
    await h.close();
  }
});

Deno.test("orphaned machine sets and machines whose labels match are adopted, not duplicated", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 2 }));
    await h.until(() => h.converged("pool-a", 2), "2 machines");
    const set = h.setsOf("pool-a")[0];
    const machines = h.machinesOfSet(set.metadata.name!);
    // Restore from a shoot state: the same objects, without owner references.
    await h.test.patch(
      MachineV1alpha1.machines,
      machines[0].metadata.name!,
      {
        metadata: { ownerReferences: null },
      },
      "merge",
      { namespace: NS },
    );
    await h.test.patch(
      MachineV1alpha1.machineSets,
      set.metadata.name!,
      { metadata: { ownerReferences: null } },
      "merge",
      {
        namespace: NS,
      },
    );
    await h.until(
      () =>
        h.setsOf("pool-a").length === 1 && h.machinesOfSet(set.metadata.name!).length === 2 &&
        h.converged("pool-a", 2),
      "re-adopted",
    );
    await h.idle(3_000, 500);
    assertEquals(h.machines.list(NS).length, 2, "no machine was created for the orphan");
    assertEquals(h.sets.list(NS).length, 1, "no machine set was created for the orphan");
    ok(h.sim.stats.adoptions >= 2);
  } finally {
    await h.close();
  }
});
