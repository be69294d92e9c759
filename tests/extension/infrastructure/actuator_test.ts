/**
 * The Infrastructure controller against the Metal simulator and the fake seed: one SSH key per shoot (also under
 * concurrency, lost responses and crashes), rotation, deletion, force delete, Terraform adoption, credential
 * problems, zero-write reconciles, and statuses that validate against the real CRD.
 */
import assert from "node:assert/strict";
import type { ActuatorContext } from "../../../src/extension/reconciler/actuator.ts";
import { clusterContextOf } from "../../../src/extension/reconciler/cluster.ts";
import {
  decodeInfrastructure,
  encodeSshPublicKey,
  type Infrastructure,
} from "../../../src/apis/extensions/v1alpha1.ts";
import { CoreV1, ExtensionsV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { getLogger } from "../../../src/observability/log.ts";
import { realClock } from "../../../src/runtime/clock.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { infrastructureObject, KEY_1, KEY_2, NAME, NS, readinessProblems } from "../reconciler/harness.ts";
import { InfraWorld } from "./infra_harness.ts";

const API_VERSION = "equinixmetal.provider.extensions.gardener.cloud/v1alpha1";
/** A third real ed25519 key (ssh-keygen) and its MD5 fingerprint. */
const KEY_3 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGW+SuMkOPWFeM8oIEt7UwT+GF5NjvHVNUwBAPcfVj3/ gardener@third";
const KEY_3_FINGERPRINT = "a7:a9:7c:6f:7e:20:33:f8:bd:35:82:3e:a3:b1:9d:f9";

async function withWorld(fn: (w: InfraWorld) => Promise<void>): Promise<void> {
  const w = await InfraWorld.start();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** Creates the Infrastructure, annotates it and reconciles it to Succeeded. */
async function createReady(w: InfraWorld, obj = infrastructureObject()): Promise<Infrastructure> {
  await w.h.createInfrastructure(obj);
  await w.h.annotate("reconcile");
  await w.reconcile();
  const infra = await w.h.getInfrastructure();
  assert.deepEqual(readinessProblems(infra), []);
  return infra;
}

/** An actuator context that writes status like the reconciler, and can crash on a chosen write. */
function directContext(w: InfraWorld, crashOn?: (patch: Record<string, unknown>) => boolean): ActuatorContext {
  let crashed = false;
  return {
    signal: new AbortController().signal,
    log: getLogger("test"),
    clock: realClock,
    client: w.h.client,
    requested: true,
    patchStatus: async (patch) => {
      if (!crashed && crashOn?.(patch)) {
        crashed = true;
        throw new Error("process killed");
      }
      await w.h.client.patch(ExtensionsV1alpha1.infrastructures, NAME, { status: patch }, "merge", {
        namespace: NS,
        subresource: "status",
      });
    },
  };
}

async function cluster(w: InfraWorld) {
  return clusterContextOf(await w.h.client.get(ExtensionsV1alpha1.clusters, NS));
}

const stateOf = (i: Infrastructure) =>
  i.status?.state as { apiVersion: string; kind: string; data: Record<string, unknown> };

Deno.test("infrastructure: creates one project key, reports it in providerStatus and state; the status fits the CRD", async () => {
  await withWorld(async (w) => {
    const infra = await createReady(w);
    const keys = await w.ourKeys();
    assert.equal(keys.length, 1);
    assert.equal(keys[0].key, KEY_1.key);
    assert.equal(keys[0].fingerprint, KEY_1.fingerprint);
    assert.deepEqual(infra.status?.providerStatus, {
      apiVersion: API_VERSION,
      kind: "InfrastructureStatus",
      sshKeyID: keys[0].id,
    });
    assert.deepEqual(infra.status?.state, {
      apiVersion: API_VERSION,
      kind: "InfrastructureState",
      data: { sshKeyID: keys[0].id },
    });
    assert.equal(infra.status?.networking, undefined, "node CIDRs are not known at infrastructure time");
    assert.equal(infra.status?.nodesCIDR, undefined);
    assertValidAgainstCrd(infra);
    await w.recorder.flush();
    const events = (await w.h.client.list<KubeObject & { reason: string }>(CoreV1.events, { namespace: NS })).items;
    assert.ok(events.some((e) => e.reason === "SSHKeyCreated"));
  });
});

Deno.test("infrastructure: reconciling an up-to-date Infrastructure makes zero API-server and zero Metal writes", async () => {
  await withWorld(async (w) => {
    const before = await createReady(w);
    await w.recorder.flush();
    w.h.api.counters.reset();
    const metalWrites = w.metalWrites();
    await w.h.clock.advance(120_000);
    await w.reconcile();
    await w.reconcile();
    await w.recorder.flush();
    assert.equal(w.h.api.counters.writes(), 0, JSON.stringify(w.h.api.counters.snapshot().byVerbResource));
    assert.equal(w.metalWrites(), metalWrites, JSON.stringify(w.sim.counters.snapshot()));
    assert.equal((await w.h.getInfrastructure()).metadata.resourceVersion, before.metadata.resourceVersion);
  });
});

Deno.test("infrastructure: two reconciles racing on a new shoot still make exactly one key", async () => {
  await withWorld(async (w) => {
    await w.h.createInfrastructure();
    await w.h.annotate("reconcile");
    // Two replicas during a leader hand-over: separate reconcilers and actuators, same object.
    const other = w.newReconciler(w.newActuator(1));
    await Promise.all([w.reconcile(), w.reconcile(other)].map((p) => p.catch(() => {})));
    await w.reconcile(); // whichever lost a race converges on the next try
    const keys = await w.ourKeys();
    assert.equal(keys.length, 1);
    const infra = await w.h.getInfrastructure();
    assert.equal(stateOf(infra).data.sshKeyID, keys[0].id);
    assert.deepEqual(readinessProblems(infra), []);
  });
});

Deno.test("infrastructure: a crash after the create, before the state write, adopts the key instead of making a second", async () => {
  await withWorld(async (w) => {
    await w.h.createInfrastructure();
    const infra = await w.h.getInfrastructure();
    const crash = directContext(w, (p) => JSON.stringify(p).includes("sshKeyID"));
    await assert.rejects(w.actuator.reconcile(infra, await cluster(w), crash), /process killed/);
    assert.equal((await w.ourKeys()).length, 1, "the key exists");
    assert.equal((await w.h.getInfrastructure()).status?.state, undefined, "but was never recorded");

    await w.reconcile();
    const keys = await w.ourKeys();
    assert.equal(keys.length, 1, "adopted, not created again");
    assert.equal(stateOf(await w.h.getInfrastructure()).data.sshKeyID, keys[0].id);
  });
});

Deno.test("infrastructure: a lost create response is found by the client's lookup before it retries", async () => {
  await withWorld(async (w) => {
    w.sim.faults.add({ method: "POST", endpoint: "/projects/{id}/ssh-keys", loseResponse: true, times: 1 });
    const retrying = w.newReconciler(w.newActuator(3));
    await w.h.createInfrastructure();
    await w.reconcile(retrying);
    assert.equal((await w.ourKeys()).length, 1);
    assert.equal(w.sim.counters.total("POST /projects/{id}/ssh-keys"), 1, "the POST was not sent again");
  });
});

Deno.test("infrastructure: key rotation creates the new key, records it, then deletes the old one", async () => {
  await withWorld(async (w) => {
    await createReady(w);
    const [old] = await w.ourKeys();
    await w.h.client.patch(
      ExtensionsV1alpha1.infrastructures,
      NAME,
      { spec: { sshPublicKey: encodeSshPublicKey(KEY_2.key) } },
      "merge",
      {
        namespace: NS,
      },
    );
    await w.h.annotate("reconcile");
    await w.reconcile();
    const keys = await w.ourKeys();
    assert.equal(keys.length, 1);
    assert.equal(keys[0].fingerprint, KEY_2.fingerprint);
    assert.notEqual(keys[0].id, old.id);
    const infra = await w.h.getInfrastructure();
    assert.deepEqual(stateOf(infra).data, { sshKeyID: keys[0].id });
    assert.equal((infra.status?.providerStatus as { sshKeyID: string }).sshKeyID, keys[0].id);
    assert.deepEqual(readinessProblems(infra), []);
  });
});

Deno.test("infrastructure: a crash between recording the new key and deleting the old one deletes it on the next run", async () => {
  await withWorld(async (w) => {
    await createReady(w);
    const [old] = await w.ourKeys();
    await w.h.client.patch(
      ExtensionsV1alpha1.infrastructures,
      NAME,
      { spec: { sshPublicKey: encodeSshPublicKey(KEY_2.key) } },
      "merge",
      {
        namespace: NS,
      },
    );
    const infra = decodeInfrastructure(await w.h.getInfrastructure());
    // Dies at the first write after the new key and the obsolete old one were recorded together.
    let recorded = false;
    const crash = directContext(w, (p) => {
      if (recorded) return true;
      recorded = JSON.stringify(p).includes("obsoleteSSHKeyIDs");
      return false;
    });
    await assert.rejects(w.actuator.reconcile(infra, await cluster(w), crash), /process killed/);
    const midway = await w.h.getInfrastructure();
    assert.deepEqual(stateOf(midway).data.obsoleteSSHKeyIDs, [old.id], "the old key is remembered");
    assert.equal((await w.ourKeys()).length, 1, "the old key is already deleted, the state not yet updated");

    await w.h.annotate("reconcile");
    await w.reconcile();
    const keys = await w.ourKeys();
    assert.equal(keys.length, 1);
    assert.equal(keys[0].fingerprint, KEY_2.fingerprint);
    assert.deepEqual(stateOf(await w.h.getInfrastructure()).data, { sshKeyID: keys[0].id });
  });
});

Deno.test("infrastructure: two rotations with a crash between a create and its state write leave no key behind", async () => {
  await withWorld(async (w) => {
    const rotate = async (key: string) =>
      await w.h.client.patch(
        ExtensionsV1alpha1.infrastructures,
        NAME,
        { spec: { sshPublicKey: encodeSshPublicKey(key) } },
        "merge",
        { namespace: NS },
      );
    await createReady(w);
    // Rotation to KEY_2: the POST succeeds, the process dies before the new id is recorded.
    await rotate(KEY_2.key);
    const infra = decodeInfrastructure(await w.h.getInfrastructure());
    const crash = directContext(w, (p) => JSON.stringify(p).includes("sshKeyID"));
    await assert.rejects(w.actuator.reconcile(infra, await cluster(w), crash), /process killed/);
    assert.equal((await w.ourKeys()).length, 2, "KEY_1 recorded, KEY_2 created but never recorded");
    // Before the next run the key changes again: KEY_2 is no longer wanted, and nothing recorded points at it.
    await rotate(KEY_3);
    await w.h.annotate("reconcile");
    await w.reconcile();
    const keys = await w.ourKeys();
    assert.deepEqual(keys.map((k) => k.fingerprint), [KEY_3_FINGERPRINT], "only the wanted key is left");

    await w.h.deleteInfrastructure();
    await w.reconcile();
    assert.deepEqual(await w.ourKeys(), [], "deletion leaves no key with our label");
  });
});

Deno.test("infrastructure: a key deleted behind our back is re-created", async () => {
  await withWorld(async (w) => {
    await createReady(w);
    const [k] = await w.ourKeys();
    await w.metal.sshKeys.delete(k.id);
    await w.reconcile(); // e.g. a resync in ignore-operation-annotation mode
    const keys = await w.ourKeys();
    assert.equal(keys.length, 1);
    assert.notEqual(keys[0].id, k.id);
    assert.equal(stateOf(await w.h.getInfrastructure()).data.sshKeyID, keys[0].id);
  });
});

Deno.test("infrastructure: deletion deletes the key (also when it is already gone) and releases the object", async () => {
  await withWorld(async (w) => {
    await createReady(w);
    await w.h.deleteInfrastructure();
    await w.reconcile();
    assert.deepEqual(await w.ourKeys(), []);
    await assert.rejects(w.h.getInfrastructure(), /not found/);

    // Again, with the key removed out of band first: the DELETE's 404 means done.
    await w.h.client.delete(ExtensionsV1alpha1.infrastructures, NAME, { namespace: NS }).catch(() => {});
    await createReady(w);
    const [k] = await w.ourKeys();
    await w.metal.sshKeys.delete(k.id);
    await w.h.deleteInfrastructure();
    await w.reconcile();
    await assert.rejects(w.h.getInfrastructure(), /not found/);
  });
});

Deno.test("infrastructure: force delete gives up the key without any Metal call and never blocks", async () => {
  await withWorld(async (w) => {
    await createReady(w);
    await w.writeSecret({ apiToken: "revoked-token-000000", projectID: w.sim.defaultProjectId });
    await w.h.updateCluster({ "confirmation.gardener.cloud/force-deletion": "true" });
    const requests = w.metalRequests();
    await w.h.deleteInfrastructure();
    await w.reconcile();
    await assert.rejects(w.h.getInfrastructure(), /not found/);
    assert.equal(w.metalRequests(), requests, "no Metal request at all");
    assert.equal((await w.ourKeys()).length, 1, "the key is left behind, as Gardener expects of force deletion");
  });
});

Deno.test("infrastructure: bad credentials give ERR_CONFIGURATION_PROBLEM naming secret and key, and create nothing", async () => {
  await withWorld(async (w) => {
    await w.writeSecret({ projectID: w.sim.defaultProjectId });
    await w.h.createInfrastructure();
    await w.h.annotate("reconcile");
    await assert.rejects(w.reconcile());
    const s = (await w.h.getInfrastructure()).status!;
    assert.deepEqual(s.lastError?.codes, ["ERR_CONFIGURATION_PROBLEM"]);
    assert.equal(
      s.lastError?.description,
      `Error reconciling infrastructure: secret ${NS}/cloudprovider: missing "apiToken" field in secret`,
    );
    assert.equal(w.metalRequests(), 0);

    await w.writeSecret({ apiToken: w.sim.defaultToken, projectID: "my-project" });
    await assert.rejects(w.reconcile());
    assert.match(
      (await w.h.getInfrastructure()).status!.lastError!.description,
      /field "projectID" must be an Equinix Metal project UUID/,
    );
    assert.equal(w.metalRequests(), 0);
    assertValidAgainstCrd(await w.h.getInfrastructure());
  });
});

Deno.test("infrastructure: a token the Metal API rejects gives ERR_INFRA_UNAUTHENTICATED and no key; the token never shows", async () => {
  await withWorld(async (w) => {
    const token = "wrong-token-5f0c2a9e7b";
    await w.writeSecret({ apiToken: token, projectID: w.sim.defaultProjectId });
    await w.h.createInfrastructure();
    await assert.rejects(w.reconcile());
    const s = (await w.h.getInfrastructure()).status!;
    assert.deepEqual(s.lastError?.codes, ["ERR_INFRA_UNAUTHENTICATED"]);
    assert.match(s.lastError!.description, / 401 /);
    assert.ok(!JSON.stringify(await w.h.getInfrastructure()).includes(token));
    assert.deepEqual(await w.ourKeys(), []);
  });
});

Deno.test("infrastructure: an invalid public key is ERR_CONFIGURATION_PROBLEM naming spec.sshPublicKey", async () => {
  await withWorld(async (w) => {
    await w.h.createInfrastructure(infrastructureObject("ssh-ed25519 bm90IGEga2V5 broken"));
    await assert.rejects(w.reconcile());
    const s = (await w.h.getInfrastructure()).status!;
    assert.deepEqual(s.lastError?.codes, ["ERR_CONFIGURATION_PROBLEM"]);
    assert.match(
      s.lastError!.description,
      /spec\.sshPublicKey: Invalid value: the key data does not hold a ssh-ed25519 key/,
    );
    assert.equal(w.metalRequests(), 0);
  });
});

Deno.test("infrastructure: without a public key (SSH access off) no key is kept and providerStatus has an empty id", async () => {
  await withWorld(async (w) => {
    await createReady(w);
    await w.h.client.patch(ExtensionsV1alpha1.infrastructures, NAME, { spec: { sshPublicKey: null } }, "merge", {
      namespace: NS,
    });
    await w.h.annotate("reconcile");
    await w.reconcile();
    assert.deepEqual(await w.ourKeys(), [], "the old key is deleted");
    const infra = await w.h.getInfrastructure();
    assert.deepEqual(infra.status?.providerStatus, {
      apiVersion: API_VERSION,
      kind: "InfrastructureStatus",
      sshKeyID: "",
    });
    assert.deepEqual(stateOf(infra).data, {});
    assert.deepEqual(readinessProblems(infra), []);
  });
});

Deno.test("infrastructure: migrate keeps key and state and calls no Metal API; restore on the new seed adopts the key", async () => {
  await withWorld(async (w) => {
    const ready = await createReady(w);
    const [k] = await w.ourKeys();
    const requests = w.metalRequests();
    await w.h.annotate("migrate");
    await w.reconcile();
    const migrated = await w.h.getInfrastructure();
    assert.equal(migrated.status?.lastOperation?.type, "Migrate");
    assert.equal(migrated.status?.lastOperation?.state, "Succeeded");
    assert.deepEqual(migrated.status?.state, ready.status?.state);
    assert.equal(w.metalRequests(), requests);
    assert.equal((await w.ourKeys()).length, 1);

    // The destination seed: gardenlet re-creates the object (wait-for-state), copies the state, asks for restore.
    await w.h.client.delete(ExtensionsV1alpha1.infrastructures, NAME, { namespace: NS });
    const obj = infrastructureObject();
    obj.metadata.annotations = { "gardener.cloud/operation": "wait-for-state" };
    await w.h.createInfrastructure(obj);
    await w.h.patchStatus({ state: ready.status?.state });
    await w.h.annotate("restore");
    await w.reconcile();
    const restored = await w.h.getInfrastructure();
    assert.deepEqual(readinessProblems(restored), []);
    assert.equal(restored.status?.lastOperation?.type, "Restore");
    assert.equal((restored.status?.providerStatus as { sshKeyID: string }).sshKeyID, k.id);
    assert.equal(w.sim.counters.total("POST "), 1, "no new key");
    assertValidAgainstCrd(restored);
  });
});
