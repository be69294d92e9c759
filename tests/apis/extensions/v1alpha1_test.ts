import assert from "node:assert/strict";
import { FieldValidationError } from "../../../src/apis/decode.ts";
import { Finalizer, Operation } from "../../../src/apis/extensions/constants.ts";
import {
  decodeCluster,
  decodeControlPlane,
  decodeInfrastructure,
  decodeSshPublicKey,
  decodeWorker,
  encodeSshPublicKey,
} from "../../../src/apis/extensions/v1alpha1.ts";
import { decodeInfrastructureStatus, decodeWorkerConfig } from "../../../src/apis/equinixmetal/v1alpha1.ts";
import { exampleCluster, exampleControlPlane, exampleInfrastructure, exampleWorker, SSH_KEY_ID } from "./examples.ts";

/** What an object looks like after a trip through the API server (JSON), which is what controllers decode. */
function viaJSON<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}

function fails(fn: () => unknown): FieldValidationError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FieldValidationError, String(e));
    return e;
  }
  assert.fail("expected a FieldValidationError");
}

Deno.test("Infrastructure, ControlPlane and Worker decode unchanged from their JSON form", () => {
  assert.deepEqual(decodeInfrastructure(viaJSON(exampleInfrastructure())), exampleInfrastructure());
  assert.deepEqual(decodeControlPlane(viaJSON(exampleControlPlane())), exampleControlPlane());
  assert.deepEqual(decodeWorker(viaJSON(exampleWorker())), exampleWorker());
});

Deno.test("embedded provider objects decode strictly at their paths inside the Worker", () => {
  const worker = decodeWorker(viaJSON(exampleWorker()));
  const infra = decodeInfrastructureStatus(worker.spec.infrastructureProviderStatus, {
    path: "spec.infrastructureProviderStatus",
  });
  assert.equal(infra.sshKeyID, SSH_KEY_ID);
  const pool = worker.spec.pools[0];
  assert.deepEqual(decodeWorkerConfig(pool.providerConfig, { path: "spec.pools[0].providerConfig" }).reservationIDs, [
    "932eecda-1f7b-4d5e-9a3e-2f1f0b9d4c11",
  ]);
});

Deno.test("unknown fields from newer Gardener versions are kept, not rejected", () => {
  const raw = viaJSON(exampleWorker()) as {
    spec: { pools: Record<string, unknown>[]; futureField?: unknown };
    status: Record<string, unknown>;
  };
  raw.spec.futureField = { a: 1 };
  raw.spec.pools[0].machineControllerManager = { machineDrainTimeout: "1h", newKnob: true };
  raw.status.somethingNew = ["x"];
  const worker = decodeWorker(raw) as unknown as typeof raw;
  assert.deepEqual(worker.spec.futureField, { a: 1 });
  assert.deepEqual(worker.spec.pools[0].machineControllerManager, { machineDrainTimeout: "1h", newKnob: true });
  assert.deepEqual(worker.status.somethingNew, ["x"]);
});

Deno.test("known fields are still validated, and errors name the object and the field", () => {
  const raw = viaJSON(exampleWorker()) as { spec: { pools: Record<string, unknown>[] } };
  raw.spec.pools[0].minimum = "one";
  delete raw.spec.pools[0].machineImage;
  const err = fails(() => decodeWorker(raw));
  assert.equal(err.object, "Worker shoot--dev--metal/metal");
  assert.deepEqual(err.errors.map((e) => [e.type, e.field]), [
    ["Invalid", "spec.pools[0].minimum"],
    ["Required", "spec.pools[0].machineImage"],
  ]);
  const bad = viaJSON(exampleInfrastructure()) as { spec: Record<string, unknown> };
  bad.spec.sshPublicKey = "%%%";
  assert.equal(fails(() => decodeInfrastructure(bad)).errors[0].field, "spec.sshPublicKey");
});

Deno.test("Cluster decodes with the typed shoot, cloud profile and seed, and tolerates a missing seed", () => {
  const cluster = decodeCluster(viaJSON(exampleCluster(true)));
  assert.equal(cluster.spec.shoot.spec.kubernetes.version, "1.33.1");
  assert.equal(cluster.spec.shoot.status?.technicalID, "shoot--dev--metal");
  assert.equal(cluster.spec.cloudProfile.spec.regions[0].zones?.[0].name, "da11");
  assert.equal(cluster.spec.seed?.spec.provider.region, "da");
  const selfHosted = decodeCluster(viaJSON(exampleCluster(false)));
  assert.equal(selfHosted.spec.seed, undefined);
});

Deno.test("Cluster: fields we rely on are required, with paths into the embedded shoot", () => {
  const raw = viaJSON(exampleCluster()) as { spec: { shoot: { spec: Record<string, unknown> } } };
  delete raw.spec.shoot.spec.kubernetes;
  const err = fails(() => decodeCluster(raw));
  assert.deepEqual(err.errors.map((e) => [e.type, e.field]), [["Required", "spec.shoot.spec.kubernetes"]]);
  assert.equal(err.object, "Cluster shoot--dev--metal");
});

Deno.test("SSH public keys round-trip through base64", () => {
  const key = "ssh-ed25519 AAAAC3Nz gardener@example — ü";
  assert.equal(decodeSshPublicKey({ sshPublicKey: encodeSshPublicKey(key) }), key);
  assert.equal(decodeSshPublicKey({}), undefined);
});

Deno.test("contract strings match Gardener's", () => {
  assert.equal(Finalizer.Worker, "extensions.gardener.cloud/worker");
  assert.equal(Finalizer.OperatingSystemConfig, "extensions.gardener.cloud/operatingsystemconfigs");
  assert.equal(Operation.WaitForState, "wait-for-state");
});
