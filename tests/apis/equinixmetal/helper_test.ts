import assert from "node:assert/strict";
import { FieldValidationError } from "../../../src/apis/decode.ts";
import type { Cluster } from "../../../src/apis/extensions/v1alpha1.ts";
import {
  appendMachineImage,
  cloudProfileConfigFromCluster,
  encodeCloudProfileConfig,
  encodeControlPlaneConfig,
  encodeInfrastructureConfig,
  encodeInfrastructureStatus,
  encodeWorkerConfig,
  encodeWorkerStatus,
  findImageInCloudProfile,
  findImageInWorkerStatus,
  findMachineImage,
  infrastructureStatusOfWorker,
  MachineImageNotFoundError,
  workerConfigOfPool,
  workerStatusOfWorker,
} from "../../../src/apis/equinixmetal/helper.ts";
import { exampleWorker, RESERVATION, SSH_KEY_ID } from "../extensions/examples.ts";
import {
  API_VERSION,
  decodeCloudProfileConfig,
  decodeInfrastructureStatus,
  decodeWorkerConfig,
  decodeWorkerStatus,
  type WorkerStatus,
} from "../../../src/apis/equinixmetal/v1alpha1.ts";

const profile = encodeCloudProfileConfig({
  machineImages: [
    { name: "flatcar", versions: [{ version: "1.0", id: "flatcar_stable" }, { version: "2.0", id: "flatcar_beta" }] },
    { name: "custom", versions: [{ version: "1.0", ipxeScriptUrl: "https://boot.example.com/c.ipxe" }] },
  ],
});

const status: WorkerStatus = encodeWorkerStatus({
  machineImages: [
    { name: "flatcar", version: "0.9", id: "flatcar_old" },
    { name: "custom", version: "0.5", ipxeScriptUrl: "https://boot.example.com/old.ipxe" },
  ],
});

Deno.test("findMachineImage prefers the CloudProfileConfig", () => {
  assert.deepEqual(findMachineImage(profile, "flatcar", "2.0", status), {
    name: "flatcar",
    version: "2.0",
    id: "flatcar_beta",
  });
  assert.deepEqual(findMachineImage(profile, "custom", "1.0"), {
    name: "custom",
    version: "1.0",
    ipxeScriptUrl: "https://boot.example.com/c.ipxe",
  });
});

Deno.test("findMachineImage falls back to the WorkerStatus and keeps ipxeScriptUrl (upstream dropped it)", () => {
  assert.deepEqual(findMachineImage(profile, "flatcar", "0.9", status), {
    name: "flatcar",
    version: "0.9",
    id: "flatcar_old",
  });
  const ipxe = findMachineImage(profile, "custom", "0.5", status);
  assert.deepEqual(ipxe, { name: "custom", version: "0.5", ipxeScriptUrl: "https://boot.example.com/old.ipxe" });
  assert.ok(!("id" in ipxe), "no empty id is invented");
  assert.equal(findImageInWorkerStatus(undefined, "custom", "0.5"), undefined);
  assert.equal(findImageInCloudProfile(undefined, "flatcar", "1.0"), undefined);
});

Deno.test("findMachineImage throws Gardener's not-found message", () => {
  assert.throws(() => findMachineImage(profile, "flatcar", "3.0", status), MachineImageNotFoundError);
  assert.throws(() => findMachineImage(undefined, "coreos", "1"), {
    message: "could not find machine image for coreos/1 neither in cloud profile nor in worker status",
  });
});

Deno.test("appendMachineImage de-duplicates by name and version without mutating", () => {
  const first = [{ name: "flatcar", version: "1.0", id: "a" }];
  const same = appendMachineImage(first, { name: "flatcar", version: "1.0", id: "other" });
  assert.deepEqual(same, first);
  assert.notEqual(same, first);
  const more = appendMachineImage(first, { name: "flatcar", version: "2.0", id: "b" });
  assert.equal(more.length, 2);
  assert.equal(first.length, 1);
});

Deno.test("encoders set apiVersion and kind, drop undefined fields, and round-trip through strict decoding", () => {
  const infra = encodeInfrastructureStatus({ sshKeyID: "key-1" });
  assert.deepEqual(infra, { apiVersion: API_VERSION, kind: "InfrastructureStatus", sshKeyID: "key-1" });
  assert.deepEqual(decodeInfrastructureStatus(JSON.parse(JSON.stringify(infra))), infra);

  const ws = encodeWorkerStatus({
    machineImages: [{ name: "a", version: "1", id: undefined, ipxeScriptUrl: "https://x" }],
  });
  assert.deepEqual(Object.keys(ws.machineImages![0]), ["name", "version", "ipxeScriptUrl"]);
  assert.deepEqual(decodeWorkerStatus(ws), ws);

  const wc = encodeWorkerConfig({ reservationIDs: ["next-available"], reservedDevicesOnly: undefined });
  assert.deepEqual(wc, { apiVersion: API_VERSION, kind: "WorkerConfig", reservationIDs: ["next-available"] });
  assert.deepEqual(decodeWorkerConfig(wc), wc);
  assert.deepEqual(decodeCloudProfileConfig(profile), profile);
  assert.deepEqual(encodeInfrastructureConfig(), { apiVersion: API_VERSION, kind: "InfrastructureConfig" });
  assert.deepEqual(encodeControlPlaneConfig(), { apiVersion: API_VERSION, kind: "ControlPlaneConfig" });
});

function cluster(providerConfig?: Record<string, unknown>): Cluster {
  return {
    metadata: { name: "shoot--p--s" },
    spec: {
      shoot: { spec: { region: "da", kubernetes: { version: "1.33.1" }, provider: { type: "equinixmetal" } } },
      cloudProfile: {
        spec: { type: "equinixmetal", regions: [], machineTypes: [], machineImages: [], providerConfig },
      },
    },
  };
}

Deno.test("cloudProfileConfigFromCluster decodes strictly and tolerates an absent config", () => {
  assert.equal(cloudProfileConfigFromCluster(cluster()), undefined);
  assert.deepEqual(cloudProfileConfigFromCluster(cluster(profile)), profile);
  try {
    cloudProfileConfigFromCluster(cluster({ ...profile, extra: true }));
    assert.fail("expected an error");
  } catch (e) {
    assert.ok(e instanceof FieldValidationError);
    assert.equal(
      e.message,
      "Cluster shoot--p--s: spec.cloudProfile.spec.providerConfig.extra: Forbidden: unknown field",
    );
  }
});

Deno.test("workerConfigOfPool decodes and validates a pool's config, naming the pool path and the Worker", () => {
  const worker = exampleWorker();
  assert.deepEqual(workerConfigOfPool(worker, 0)?.reservationIDs, [RESERVATION]);
  worker.spec.pools[0].providerConfig = undefined;
  assert.equal(workerConfigOfPool(worker, 0), undefined);
  worker.spec.pools[0].providerConfig = { apiVersion: API_VERSION, kind: "WorkerConfig", reservedDevicesOnly: true };
  assert.throws(() => workerConfigOfPool(worker, 0), (e: unknown) => {
    assert.ok(e instanceof FieldValidationError);
    assert.equal(e.object, "Worker shoot--dev--metal/metal");
    assert.deepEqual(e.errors.map((x) => [x.type, x.field]), [[
      "Required",
      "spec.pools[0].providerConfig.reservationIDs",
    ]]);
    return true;
  });
  worker.spec.pools[0].providerConfig = { apiVersion: API_VERSION, kind: "WorkerConfig", reservationIds: [] };
  assert.throws(() => workerConfigOfPool(worker, 0), /spec\.pools\[0\]\.providerConfig\.reservationIds: Forbidden/);
});

Deno.test("infrastructureStatusOfWorker: a missing status is an error, not a crash; an empty sshKeyID is SSH access off", () => {
  const worker = exampleWorker();
  assert.equal(infrastructureStatusOfWorker(worker).sshKeyID, SSH_KEY_ID);
  worker.spec.infrastructureProviderStatus = undefined;
  assert.throws(
    () => infrastructureStatusOfWorker(worker),
    /^FieldValidationError: Worker shoot--dev--metal\/metal: spec\.infrastructureProviderStatus: Required value/,
  );
  worker.spec.infrastructureProviderStatus = { apiVersion: API_VERSION, kind: "InfrastructureStatus", sshKeyID: "" };
  assert.equal(infrastructureStatusOfWorker(worker).sshKeyID, "");
});

Deno.test("workerStatusOfWorker decodes the current provider status", () => {
  const worker = exampleWorker();
  assert.equal(workerStatusOfWorker(worker)?.machineImages?.[0].ipxeScriptUrl, "https://boot.example.com/f.ipxe");
  worker.status = undefined;
  assert.equal(workerStatusOfWorker(worker), undefined);
});
