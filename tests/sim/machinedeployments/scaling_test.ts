/** Creating and scaling a MachineDeployment: the MachineSet and Machines MCM would create, and their status. */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import {
  ANNOTATION_EFFECTIVE_CREATION_TIMEOUT,
  ANNOTATION_MACHINE_PRIORITY,
  MCM_FINALIZER,
} from "../../../src/apis/machine/v1alpha1.ts";
import { MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { LABEL_TEMPLATE_HASH } from "../../../src/sim/machinedeployments/mod.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { deployment, Harness, NS } from "./harness.ts";

Deno.test("a new deployment gets one MachineSet per template hash and Machines built from its template", async () => {
  const h = await Harness.start();
  try {
    const md = deployment("pool-a");
    md.metadata.annotations = { [ANNOTATION_EFFECTIVE_CREATION_TIMEOUT]: "30m0s", "custom": "copied" };
    md.spec.template.metadata!.annotations = { "template-annotation": "yes" };
    await h.createDeployment(md);
    await h.until(() => h.converged("pool-a", 3), "3 running machines");

    const [set] = h.setsOf("pool-a");
    ok(set, "a machine set exists");
    assertEquals(h.setsOf("pool-a").length, 1);
    const hash = set.metadata.labels?.[LABEL_TEMPLATE_HASH];
    ok(hash && /^\d+$/.test(hash), `hash label is a decimal number: ${hash}`);
    assertEquals(set.spec?.selector?.matchLabels, { name: "pool-a", [LABEL_TEMPLATE_HASH]: hash });
    assertEquals(set.spec?.template?.metadata?.labels, { name: "pool-a", [LABEL_TEMPLATE_HASH]: hash });
    assertEquals(set.spec?.minReadySeconds, 500);
    ok(set.metadata.name!.startsWith("pool-a-"));
    const owner = set.metadata.ownerReferences?.[0];
    assertEquals([owner?.kind, owner?.name, owner?.controller, owner?.blockOwnerDeletion], [
      "MachineDeployment",
      "pool-a",
      true,
      true,
    ]);
    assertEquals(set.metadata.finalizers, [MCM_FINALIZER]);
    assertEquals(h.deploymentOf("pool-a")?.metadata.finalizers, [MCM_FINALIZER]);
    assertEquals(set.metadata.annotations?.["custom"], "copied");
    assertEquals(set.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
    assertEquals(set.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"], "3");
    assertEquals(set.metadata.annotations?.["deployment.kubernetes.io/max-replicas"], "4");
    assertEquals(h.deploymentOf("pool-a")?.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
    assertValidAgainstCrd(set);

    const machines = h.machinesOfSet(set.metadata.name!);
    assertEquals(machines.length, 3);
    for (const m of machines) {
      ok(m.metadata.name!.startsWith(`${set.metadata.name}-`), `generateName: ${m.metadata.name}`);
      assertEquals(m.metadata.labels, { name: "pool-a", [LABEL_TEMPLATE_HASH]: hash });
      assertEquals(m.metadata.annotations?.[ANNOTATION_EFFECTIVE_CREATION_TIMEOUT], "30m0s");
      assertEquals(m.metadata.annotations?.["template-annotation"], "yes");
      const ref = m.metadata.ownerReferences?.[0];
      assertEquals([ref?.kind, ref?.name, ref?.uid, ref?.controller, ref?.blockOwnerDeletion], [
        "MachineSet",
        set.metadata.name,
        set.metadata.uid,
        true,
        true,
      ]);
      assertEquals(m.spec.class, { kind: "MachineClass", name: "pool-a-class-a" });
      assertEquals(m.spec.nodeTemplate, { metadata: { labels: { "worker.gardener.cloud/pool": "pool-a" } } });
      assertEquals([m.spec.drainTimeout, m.spec.healthTimeout, m.spec.creationTimeout], ["2h0m0s", "10m0s", "20m0s"]);
      assertValidAgainstCrd(m);
    }

    const s = h.sets.get(`${NS}/${set.metadata.name}`)!.status!;
    assertEquals(
      [s.replicas, s.fullyLabeledReplicas, s.readyReplicas, s.availableReplicas, s.observedGeneration],
      [3, 3, 3, 3, set.metadata.generation],
    );
    const mdStatus = h.deploymentOf("pool-a")!.status!;
    assertEquals(mdStatus.conditions?.map((c) => [c.type, c.status, c.reason, c.message]), [
      ["Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."],
    ]);
    assertValidAgainstCrd(h.deploymentOf("pool-a"));
    assertEquals(h.setterErrors, []);
  } finally {
    await h.close();
  }
});

Deno.test("Running counts as available at once although minReadySeconds is 500 (MCM does not wait for it)", async () => {
  const h = await Harness.start({ phasePolicy: () => "Pending" });
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 2 }));
    await h.until(
      () => h.machines.list(NS).filter((m) => m.status?.currentStatus?.phase === "Pending").length === 2,
      "pending",
    );
    await h.until(() => h.deploymentOf("pool-a")?.status?.replicas === 2, "status counts 2 machines");
    const pending = h.deploymentOf("pool-a")!.status!;
    assertEquals([pending.readyReplicas, pending.availableReplicas, pending.unavailableReplicas], [0, 0, 2]);
    assertEquals(pending.conditions?.find((c) => c.type === "Available")?.status, "False");
    assertEquals(pending.conditions?.find((c) => c.type === "Available")?.reason, "MinimumReplicasUnavailable");

    const [first, second] = h.machines.list(NS);
    await h.setPhase(first.metadata.name!, "Running");
    // Phase "Available" (a machine without node) is available but not ready.
    await h.setPhase(second.metadata.name!, "Available");
    await h.until(() => h.deploymentOf("pool-a")?.status?.availableReplicas === 2, "both available");
    const s = h.deploymentOf("pool-a")!.status!;
    assertEquals([s.readyReplicas, s.availableReplicas, s.unavailableReplicas], [1, 2, 0]);
    assertEquals(s.conditions?.find((c) => c.type === "Available")?.status, "True");
  } finally {
    await h.close();
  }
});

Deno.test("scaling through the scale subresource; scale-down deletes priority-1 and non-running machines first", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 3 }));
    await h.until(() => h.converged("pool-a", 3), "3 machines");
    await h.test.updateScale(MachineV1alpha1.machineDeployments, "pool-a", 5, { namespace: NS });
    await h.until(() => h.converged("pool-a", 5), "5 machines");
    assertEquals(h.setsOf("pool-a").length, 1, "scaling never creates a new machine set");
    const set = h.setsOf("pool-a")[0];
    assertEquals(set.spec?.replicas, 5);
    assertEquals(set.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"], "5");

    // Mark one machine for deletion (as the cluster-autoscaler does) and make another one Unknown.
    const [a, b] = h.machines.list(NS).sort((x, y) => x.metadata.name!.localeCompare(y.metadata.name!));
    await h.test.patch(
      MachineV1alpha1.machines,
      a.metadata.name!,
      {
        metadata: { annotations: { [ANNOTATION_MACHINE_PRIORITY]: "1" } },
      },
      "merge",
      { namespace: NS },
    );
    await h.setPhase(b.metadata.name!, "Unknown");
    await h.until(
      () => h.machines.get(`${NS}/${b.metadata.name}`)?.status?.currentStatus?.phase === "Unknown",
      "unknown phase seen",
    );
    await h.test.updateScale(MachineV1alpha1.machineDeployments, "pool-a", 3, { namespace: NS });
    await h.until(() => h.machines.list(NS).length === 3, "3 machines left");
    const left = new Set(h.machines.list(NS).map((m) => m.metadata.name));
    ok(!left.has(a.metadata.name), "the priority-1 machine was deleted");
    ok(!left.has(b.metadata.name), "the Unknown machine was deleted before Running ones");
    await h.until(() => h.deploymentOf("pool-a")?.status?.replicas === 3, "status 3");
    assertEquals(h.deploymentOf("pool-a")?.status?.availableReplicas, 3);
  } finally {
    await h.close();
  }
});

Deno.test("scale to zero and back", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 2 }));
    await h.until(() => h.converged("pool-a", 2), "2 machines");
    await h.updateDeployment("pool-a", (md) => (md.spec.replicas = 0));
    await h.until(() => h.machines.list(NS).length === 0 && h.deploymentOf("pool-a")?.status?.replicas === 0, "none");
    const s = h.deploymentOf("pool-a")!.status!;
    assertEquals([s.replicas, s.availableReplicas, s.unavailableReplicas], [0, 0, 0]);
    assertEquals(h.setsOf("pool-a").length, 1, "the set stays, scaled to 0");
    await h.updateDeployment("pool-a", (md) => (md.spec.replicas = 2));
    await h.until(() => h.converged("pool-a", 2), "2 machines again");
    assertEquals(h.setsOf("pool-a").length, 1);
  } finally {
    await h.close();
  }
});
