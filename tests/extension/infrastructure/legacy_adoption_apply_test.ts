/**
 * Taking over an Infrastructure the Go provider reconciled with Terraform: its key is adopted from the raw Terraform
 * state (never a second key), the Terraformer objects and their finalizers are removed, and a crash in between loses
 * nothing.
 */
import assert from "node:assert/strict";
import { CoreV1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { isNotFound } from "../../../src/k8s/api/errors.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { infrastructureObject, KEY_1, NAME, NS, readinessProblems } from "../reconciler/harness.ts";
import { InfraWorld, LABEL } from "./infra_harness.ts";

/** A tfstate v4 as Terraform wrote it for the Go provider's template (one metal_project_ssh_key). */
function tfstate(keyId: string, projectId: string): string {
  return JSON.stringify({
    version: 4,
    terraform_version: "1.5.7",
    serial: 3,
    lineage: "0c6b3c3e-3f5e-2a44-8a9b-7d1e5f0a9c11",
    outputs: { key_pair_id: { value: keyId, type: "string" } },
    resources: [{
      mode: "managed",
      type: "metal_project_ssh_key",
      name: "publickey",
      provider: 'provider["registry.terraform.io/equinix/metal"]',
      instances: [{
        schema_version: 0,
        attributes: { id: keyId, name: LABEL, project_id: projectId, public_key: KEY_1.key },
      }],
    }],
  });
}

async function terraformerObjects(w: InfraWorld, state: string): Promise<void> {
  const meta = (name: string) => ({ name, namespace: NS, finalizers: ["gardener.cloud/terraformer"] });
  await w.h.client.create(CoreV1.configMaps, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(`${NAME}.infra.tf-config`),
    data: { "main.tf": 'resource "metal_project_ssh_key" "publickey" {}', "variables.tf": "" },
  } as KubeObject);
  await w.h.client.create(CoreV1.secrets, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(`${NAME}.infra.tf-vars`),
    data: { "terraform.tfvars": btoa("# no values") },
  } as KubeObject);
  await w.h.client.create(CoreV1.configMaps, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(`${NAME}.infra.tf-state`),
    data: { "terraform.tfstate": state },
  } as KubeObject);
}

async function gone(w: InfraWorld, res: typeof CoreV1.configMaps, name: string): Promise<boolean> {
  try {
    await w.h.client.get(res, name, { namespace: NS });
    return false;
  } catch (e) {
    return isNotFound(e);
  }
}

/** An Infrastructure as the Go provider left it: Succeeded, providerStatus, raw Terraform state in status.state. */
async function goProviderInfrastructure(w: InfraWorld, keyId: string, withStatusState = true): Promise<void> {
  const obj = infrastructureObject();
  obj.metadata.finalizers = ["extensions.gardener.cloud/infrastructure"];
  await w.h.createInfrastructure(obj);
  await w.h.patchStatus({
    observedGeneration: 1,
    lastOperation: {
      type: "Reconcile",
      state: "Succeeded",
      progress: 100,
      description: "Successfully reconciled infrastructure",
      lastUpdateTime: "2025-12-01T10:00:00Z",
    },
    providerStatus: {
      apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
      kind: "InfrastructureStatus",
      sshKeyID: keyId,
    },
    ...(withStatusState ? { state: { data: btoa(tfstate(keyId, w.sim.defaultProjectId)), encoding: "base64" } } : {}),
  });
}

Deno.test("legacy: the key from the Terraform state is adopted, no key is created, Terraformer objects are removed", async () => {
  const w = await InfraWorld.start();
  try {
    const existing = await w.metal.sshKeys.createForProject(w.sim.defaultProjectId, { label: LABEL, key: KEY_1.key });
    await goProviderInfrastructure(w, existing.id);
    await terraformerObjects(w, tfstate(existing.id, w.sim.defaultProjectId));
    const posts = w.sim.counters.total("POST ");

    await w.h.annotate("reconcile");
    await w.reconcile();
    const infra = await w.h.getInfrastructure();
    assert.deepEqual(readinessProblems(infra), []);
    assert.equal(w.sim.counters.total("POST "), posts, "no key created");
    assert.deepEqual((await w.ourKeys()).map((k) => k.id), [existing.id]);
    assert.deepEqual(infra.status?.state, {
      apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
      kind: "InfrastructureState",
      data: { sshKeyID: existing.id, migratedFromTerraform: true, terraformCleanedUp: true },
    });
    assert.equal((infra.status?.providerStatus as { sshKeyID: string }).sshKeyID, existing.id);
    for (
      const [res, name] of [
        [CoreV1.configMaps, `${NAME}.infra.tf-config`],
        [CoreV1.secrets, `${NAME}.infra.tf-vars`],
        [CoreV1.configMaps, `${NAME}.infra.tf-state`],
      ] as const
    ) assert.ok(await gone(w, res, name), `${name} removed with its finalizer`);
    assertValidAgainstCrd(infra);

    // Once adopted, reconciles are zero-write again.
    w.h.api.counters.reset();
    await w.reconcile();
    assert.equal(w.h.api.counters.writes(), 0);
  } finally {
    await w.close();
  }
});

Deno.test("legacy: without status.state the Terraformer's state ConfigMap still yields the key", async () => {
  const w = await InfraWorld.start();
  try {
    const existing = await w.metal.sshKeys.createForProject(w.sim.defaultProjectId, { label: LABEL, key: KEY_1.key });
    await goProviderInfrastructure(w, existing.id, false);
    await terraformerObjects(w, tfstate(existing.id, w.sim.defaultProjectId));
    await w.h.annotate("reconcile");
    await w.reconcile();
    assert.deepEqual((await w.ourKeys()).map((k) => k.id), [existing.id]);
    const data = (await w.h.getInfrastructure()).status?.state as { data: { sshKeyID: string } };
    assert.equal(data.data.sshKeyID, existing.id);
  } finally {
    await w.close();
  }
});

Deno.test("legacy: migrate adopts the id and cleans up the seed without calling the Metal API", async () => {
  const w = await InfraWorld.start();
  try {
    const existing = await w.metal.sshKeys.createForProject(w.sim.defaultProjectId, { label: LABEL, key: KEY_1.key });
    await goProviderInfrastructure(w, existing.id);
    await terraformerObjects(w, tfstate(existing.id, w.sim.defaultProjectId));
    const requests = w.metalRequests();
    await w.h.annotate("migrate");
    await w.reconcile();
    const infra = await w.h.getInfrastructure();
    assert.equal(infra.status?.lastOperation?.type, "Migrate");
    assert.equal((infra.status?.state as { data: { sshKeyID: string } }).data.sshKeyID, existing.id);
    assert.ok(await gone(w, CoreV1.configMaps, `${NAME}.infra.tf-state`));
    assert.equal(w.metalRequests(), requests);
  } finally {
    await w.close();
  }
});

Deno.test("legacy: deleting a Terraform-era Infrastructure deletes the adopted key", async () => {
  const w = await InfraWorld.start();
  try {
    const existing = await w.metal.sshKeys.createForProject(w.sim.defaultProjectId, { label: LABEL, key: KEY_1.key });
    await goProviderInfrastructure(w, existing.id);
    await terraformerObjects(w, tfstate(existing.id, w.sim.defaultProjectId));
    await w.h.deleteInfrastructure();
    await w.reconcile();
    assert.deepEqual(await w.ourKeys(), []);
    await assert.rejects(w.h.getInfrastructure(), /not found/);
    assert.ok(await gone(w, CoreV1.secrets, `${NAME}.infra.tf-vars`));
  } finally {
    await w.close();
  }
});
