/**
 * Objects built from our types, with our encoded provider statuses embedded, validate against the real Gardener
 * CRDs (vendored in crds/), and nothing we write would be pruned by the API server.
 */
import assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import { assertValidAgainstCrd, PRUNED_FIELD, validateAgainstCrd } from "../../support/crd_validation.ts";
import { exampleCluster, exampleControlPlane, exampleInfrastructure, exampleWorker } from "./examples.ts";

Deno.test("Infrastructure with an encoded InfrastructureStatus validates against the real CRD", () => {
  assertValidAgainstCrd(exampleInfrastructure());
});

Deno.test("Worker with pools, encoded WorkerConfig/InfrastructureStatus/WorkerStatus validates against the real CRD", () => {
  assertValidAgainstCrd(exampleWorker());
});

Deno.test("ControlPlane with an encoded ControlPlaneConfig validates against the real CRD", () => {
  assertValidAgainstCrd(exampleControlPlane());
});

Deno.test("Cluster with and without a seed validates against the real CRD", () => {
  assertValidAgainstCrd(exampleCluster(true));
  assertValidAgainstCrd(exampleCluster(false));
});

Deno.test("the helper reports schema errors with their paths", () => {
  const worker = exampleWorker() as unknown as {
    spec: { pools: Record<string, unknown>[]; region?: string };
  };
  worker.spec.pools[0].minimum = "1";
  delete worker.spec.pools[0].userDataSecretRef;
  delete worker.spec.region;
  const fields = validateAgainstCrd(worker).map((e) => e.field).sort();
  assert.deepEqual(fields, ["spec.pools[0].minimum", "spec.pools[0].userDataSecretRef", "spec.region"]);
});

Deno.test("the helper reports fields the API server would prune, unless allowed", () => {
  const worker = exampleWorker() as unknown as { status: { machineDeployments: Record<string, unknown>[] } };
  worker.status.machineDeployments[0].replicas = 2;
  const errors = validateAgainstCrd(worker);
  assert.deepEqual(errors.map((e) => [e.type, e.field]), [[PRUNED_FIELD, "status.machineDeployments[0].replicas"]]);
  assert.deepEqual(validateAgainstCrd(worker, { allowPruning: true }), []);
  // providerStatus preserves unknown fields: anything inside it survives.
  const ok = exampleWorker() as unknown as { status: { providerStatus: Record<string, unknown> } };
  ok.status.providerStatus.anything = { nested: true };
  assert.deepEqual(validateAgainstCrd(ok), []);
});

Deno.test("the assertion lists every error with its path", () => {
  const infra = exampleInfrastructure() as unknown as { spec: Record<string, unknown> };
  infra.spec.sshPublicKey = "not base64!";
  infra.spec.surprise = 1;
  assert.throws(() => assertValidAgainstCrd(infra), (e: unknown) => {
    assert.ok(e instanceof AssertionError);
    assert.match(e.message, /Infrastructure shoot--dev--metal\/metal is not valid against its CRD/);
    assert.match(e.message, /\n {2}- spec\.sshPublicKey: /);
    assert.match(e.message, /\n {2}- spec\.surprise: not declared in the CRD schema/);
    return true;
  });
  assert.throws(() => validateAgainstCrd({ kind: "Worker" }), /needs an object with apiVersion and kind/);
  assert.throws(
    () => validateAgainstCrd({ apiVersion: "extensions.gardener.cloud/v9", kind: "Worker" }),
    /does not serve extensions\.gardener\.cloud\/v9/,
  );
});
