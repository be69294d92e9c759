/**
 * Bad provider configurations through the generic reconciler: each ends in lastError with ERR_CONFIGURATION_PROBLEM
 * naming the field, and no MachineDeployment, MachineClass or class Secret is created. Logs and status never carry the
 * user data or the API token.
 */
import assert from "node:assert/strict";
import { CoreV1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { captureLogs, configureLogging } from "../../../src/observability/log.ts";
import type { Worker } from "../../../src/apis/extensions/v1alpha1.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { WorkerHarness } from "./harness.ts";
import { API_TOKEN, NS, RESERVATION, workerConfig, workerObject } from "./fixtures.ts";

const CASES: Array<[string, (w: Worker) => void, RegExp, (h: WorkerHarness) => Promise<void>]> = [
  [
    "unknown field",
    (w) => w.spec.pools[0].providerConfig = { ...workerConfig(), reservations: [RESERVATION] },
    /spec\.pools\[0\]\.providerConfig\.reservations: Forbidden: unknown field/,
    async () => {},
  ],
  [
    "reservedDevicesOnly of the wrong type",
    (w) => w.spec.pools[0].providerConfig = { ...workerConfig([RESERVATION]), reservedDevicesOnly: "true" },
    /spec\.pools\[0\]\.providerConfig\.reservedDevicesOnly: Invalid value: "true": expected a boolean, got string/,
    async () => {},
  ],
  [
    "reservationIDs of the wrong type",
    (w) => w.spec.pools[1].providerConfig = { ...workerConfig(), reservationIDs: RESERVATION },
    /spec\.pools\[1\]\.providerConfig\.reservationIDs: Invalid value: .*expected a list/,
    async () => {},
  ],
  [
    "unknown image",
    (w) => w.spec.pools[1].machineImage = { name: "flatcar", version: "1.0.0" },
    /spec\.pools\[1\]\.machineImage: Invalid value: "flatcar\/1\.0\.0": could not find machine image for flatcar\/1\.0\.0/,
    async () => {},
  ],
  [
    "zone outside the region",
    (w) => w.spec.pools[1].zones = ["ny5", "da11"],
    /spec\.pools\[1\]\.zones\[1\]: Unsupported value: "da11": not a zone \(Equinix facility\) of region ny/,
    async () => {},
  ],
  [
    "missing infrastructure status",
    (w) => delete w.spec.infrastructureProviderStatus,
    /spec\.infrastructureProviderStatus: Required value/,
    async () => {},
  ],
];

for (const [what, change, message, prepare] of CASES) {
  Deno.test(`bad configuration (${what}): ERR_CONFIGURATION_PROBLEM naming the field, nothing created`, async () => {
    const h = await WorkerHarness.start();
    configureLogging({ level: "debug" });
    const logs = captureLogs();
    try {
      await prepare(h);
      const w = workerObject();
      change(w);
      await h.createWorker(w);
      await h.annotate();
      assert.ok(await h.reconcileCatching() instanceof Error);
      const got = await h.getWorker();
      assertValidAgainstCrd(got);
      assert.equal(got.status?.lastOperation?.state, "Error");
      assert.deepEqual(got.status?.lastError?.codes, ["ERR_CONFIGURATION_PROBLEM"]);
      assert.match(got.status?.lastError?.description ?? "", message);
      assert.match(got.status?.lastError?.description ?? "", new RegExp(`Worker ${NS}/eqx`));
      assert.deepEqual(await h.names(MachineV1alpha1.machineDeployments), []);
      assert.deepEqual(await h.names(MachineV1alpha1.machineClasses), []);
      assert.deepEqual(await h.classSecretNames(), []);
      assert.ok(logs.lines.some((l) => l.includes("Reconciling the worker")), "logs were captured");
      const status = JSON.stringify(got.status);
      for (const text of [...logs.lines, status]) {
        assert.ok(!text.includes(API_TOKEN) && !text.includes("s3cr3t-bootstrap-token-value"), text);
      }
    } finally {
      logs.restore();
      configureLogging({ level: "error" });
      await h.close();
    }
  });
}

Deno.test("a missing user data secret is retryable (gardenlet may not have written it yet): nothing created until it exists", async () => {
  const h = await WorkerHarness.start();
  try {
    const secret = await h.client.get<KubeObject>(CoreV1.secrets, "user-data-pool-b", { namespace: NS });
    await h.client.delete(CoreV1.secrets, "user-data-pool-b", { namespace: NS });
    await h.createWorker(workerObject());
    await h.annotate();
    assert.ok(await h.reconcileCatching() instanceof Error);
    const got = await h.getWorker();
    assert.equal(got.status?.lastOperation?.state, "Error");
    assert.deepEqual(got.status?.lastError?.codes, ["ERR_RETRYABLE_CONFIGURATION_PROBLEM"]);
    assert.match(
      got.status?.lastError?.description ?? "",
      /spec\.pools\[1\]\.userDataSecretRef\.name: secret .*user-data-pool-b does not exist/,
    );
    assert.deepEqual(await h.names(MachineV1alpha1.machineDeployments), []);

    const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, managedFields: _mf, ...metadata } =
      secret.metadata;
    await h.client.create(CoreV1.secrets, { ...secret, metadata });
    await h.annotate();
    await h.reconcileCatching();
    assert.notDeepEqual(await h.names(MachineV1alpha1.machineDeployments), []);
  } finally {
    await h.close();
  }
});
