/**
 * example/40-worker.yaml: valid against the real Worker CRD, consistent with the Shoot, secrets and Infrastructure of
 * the other examples, and reconciled by the Worker controller from exactly those objects (placeholders substituted as
 * the README describes) into valid MachineDeployments and MachineClasses per pool and zone.
 */
import assert from "node:assert/strict";
import { decodeCluster, decodeWorker, type Worker } from "../../../src/apis/extensions/v1alpha1.ts";
import { workerConfigOfPool } from "../../../src/apis/equinixmetal/helper.ts";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { CoreV1, ExtensionsV1alpha1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { ExtensionReconciler } from "../../../src/extension/reconciler/extension_reconcile.ts";
import { newWorkerController } from "../../../src/extension/worker/controller.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { configureLogging, getLogger, type LogLevel } from "../../../src/observability/log.ts";
import type { MachineClass, MachineDeployment } from "../../../src/apis/machine/v1alpha1.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import { parseManifests } from "../../../src/playground/manifests.ts";

configureLogging({ level: (Deno.env.get("TEST_LOG_LEVEL") ?? "error") as LogLevel });

const EXAMPLE = new URL("../../../example/", import.meta.url).pathname;
const NS = "shoot--garden--playground";
const SSH_KEY_ID = "c0ffee00-1234-4abc-8def-0123456789ab";
const PROJECT_ID = "2f0b8a7c-5d4e-4c3b-9a1f-6e7d8c9b0a12";

/** The YAML documents of an example file after envsubst of the given variables (as the README says). */
function docs(file: string, vars: Record<string, string> = {}): KubeObject[] {
  let text = Deno.readTextFileSync(EXAMPLE + file);
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll("${" + k + "}", v);
  return parseManifests(text, file).map((m) => m.object);
}

Deno.test("example Worker: valid against the real CRD, strictly decodable provider configs, consistent with the Shoot", () => {
  const [raw] = docs("40-worker.yaml");
  assertValidAgainstCrd(raw);
  const worker = decodeWorker(raw);
  assert.equal(worker.metadata.name, "playground");
  assert.equal(worker.metadata.namespace, NS);
  assert.equal(worker.metadata.annotations?.["gardener.cloud/operation"], "reconcile");
  worker.spec.pools.forEach((_, i) => workerConfigOfPool(worker, i));

  const cluster = decodeCluster(docs("10-cluster.yaml").find((d) => d.kind === "Cluster"));
  const shoot = cluster.spec.shoot;
  assert.equal(worker.spec.region, shoot.spec.region);
  assert.deepEqual(
    worker.spec.pools.map((p) => [p.name, p.machineType, p.minimum, p.maximum, p.zones, p.machineImage]),
    (shoot.spec.provider.workers ?? []).map((
      w,
    ) => [w.name, w.machine.type, w.minimum, w.maximum, w.zones, w.machine.image]),
  );
  const secrets = docs("20-secret.yaml").map((s) => s.metadata.name);
  assert.ok(secrets.includes(worker.spec.secretRef.name!));
  for (const p of worker.spec.pools) assert.ok(secrets.includes(p.userDataSecretRef.name!), p.name);
  const [infra] = docs("30-infrastructure.yaml") as Array<KubeObject & { spec: { sshPublicKey: string } }>;
  assert.equal(worker.spec.sshPublicKey, infra.spec.sshPublicKey);
  assert.equal((worker.spec.infrastructureProviderStatus as { sshKeyID: string }).sshKeyID, "${METAL_SSH_KEY_ID}");
});

Deno.test("example objects reconcile into a MachineDeployment, MachineClass and Secret per pool and zone", async () => {
  const clock = new FakeClock();
  const api = await startApiServer({ clock, namespaces: ["default"] });
  const client = new KubeClient(api.connection());
  try {
    await api.installCrds([
      ...loadCrds({
        groups: ["gardener"],
        names: ["clusters.extensions.gardener.cloud", "workers.extensions.gardener.cloud"],
      }),
      ...loadCrds({ groups: ["machine"] }),
    ]);
    const seedObjects = docs("10-cluster.yaml");
    await client.create(CoreV1.namespaces, seedObjects.find((d) => d.kind === "Namespace" && d.metadata.name === NS)!);
    await client.create(ExtensionsV1alpha1.clusters, seedObjects.find((d) => d.kind === "Cluster")!);
    for (
      const s of docs("20-secret.yaml", { METAL_API_TOKEN: "token-for-the-example", METAL_PROJECT_ID: PROJECT_ID })
    ) {
      await client.create(CoreV1.secrets, s);
    }
    await client.create(ExtensionsV1alpha1.workers, docs("40-worker.yaml", { METAL_SSH_KEY_ID: SSH_KEY_ID })[0]);

    const { kind, actuator, decode } = newWorkerController();
    const reconciler = new ExtensionReconciler<Worker>({ kind, actuator, client, decode, clock });
    const result = await reconciler.reconcile({ namespace: NS, name: "playground" }, {
      signal: new AbortController().signal,
      log: getLogger("test.worker.example"),
    });
    assert.deepEqual(result, { requeueAfterMs: 5000 }, "waits for machine-controller-manager");

    const mds = (await client.list<MachineDeployment>(MachineV1alpha1.machineDeployments, { namespace: NS })).items;
    assert.deepEqual(mds.map((d) => [d.metadata.name, d.spec.replicas]).sort(), [
      [`${NS}-pool-a-z1`, 1],
      [`${NS}-pool-b-z1`, 1],
      [`${NS}-pool-b-z2`, 1],
    ]);
    const classes = (await client.list<MachineClass>(MachineV1alpha1.machineClasses, { namespace: NS })).items;
    for (const o of [...mds, ...classes]) assertValidAgainstCrd(o);
    for (const c of classes) {
      const spec = c.providerSpec as Record<string, unknown>;
      assert.equal(spec.projectID, PROJECT_ID);
      assert.deepEqual(spec.sshKeys, [SSH_KEY_ID]);
      assert.equal(spec.OS, "flatcar_stable");
    }
    const worker = await client.get<Worker>(ExtensionsV1alpha1.workers, "playground", { namespace: NS });
    assertValidAgainstCrd(worker);
    assert.equal(worker.status?.lastError, undefined);
    assert.deepEqual(worker.status?.machineDeployments?.map((d) => [d.name, d.minimum, d.maximum]), [
      [`${NS}-pool-a-z1`, 1, 2],
      [`${NS}-pool-b-z1`, 1, 2],
      [`${NS}-pool-b-z2`, 1, 2],
    ]);
  } finally {
    client.close();
    await api.stop();
  }
});
