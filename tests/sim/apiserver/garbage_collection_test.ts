/** Namespace deletion cascade and ownerReference garbage collection (background, foreground, orphan). */
import assert from "node:assert/strict";
import { eventually } from "../../support/eventually.ts";
import { configMap, type TestApi, withApi } from "./api_test_client.ts";

type Obj = {
  metadata: {
    name: string;
    uid: string;
    finalizers?: string[];
    deletionTimestamp?: string;
    ownerReferences?: unknown[];
  };
};
const CM = "/api/v1/namespaces/default/configmaps";

async function owned(api: TestApi, name: string, owner: Obj, block = false): Promise<Obj> {
  const res = await api.post<Obj>(CM, {
    ...configMap(name),
    metadata: {
      name,
      ownerReferences: [{
        apiVersion: "v1",
        kind: "ConfigMap",
        name: owner.metadata.name,
        uid: owner.metadata.uid,
        ...(block ? { blockOwnerDeletion: true } : {}),
      }],
    },
  });
  assert.equal(res.status, 201);
  return res.body;
}

const gone = (api: TestApi, path: string) => async () => (await api.get(path)).status === 404;

Deno.test("deleting a namespace makes it Terminating, deletes its objects (waiting for finalizers), then removes it", async () => {
  await withApi(async (api) => {
    await api.post("/api/v1/namespaces", { metadata: { name: "team" } });
    await api.post("/api/v1/namespaces/team/configmaps", configMap("plain"));
    await api.post("/api/v1/namespaces/team/secrets", { metadata: { name: "held", finalizers: ["example.com/hold"] } });
    const del = await api.delete<{ metadata: { deletionTimestamp?: string }; status: { phase: string } }>(
      "/api/v1/namespaces/team",
    );
    assert.equal(del.status, 200);
    assert.ok(del.body.metadata.deletionTimestamp);
    assert.equal(del.body.status.phase, "Terminating");
    await eventually(gone(api, "/api/v1/namespaces/team/configmaps/plain"), { description: "configmap deleted" });
    // The secret's finalizer holds it, and it holds the namespace.
    const held = await api.get<Obj>("/api/v1/namespaces/team/secrets/held");
    assert.ok(held.body.metadata.deletionTimestamp);
    const ns = await api.get<{ status: { phase: string }; spec: { finalizers: string[] } }>("/api/v1/namespaces/team");
    assert.equal(ns.body.status.phase, "Terminating");
    assert.deepEqual(ns.body.spec.finalizers, ["kubernetes"]);
    await api.put("/api/v1/namespaces/team/secrets/held", {
      ...held.body,
      metadata: { ...held.body.metadata, finalizers: [] },
    });
    await eventually(gone(api, "/api/v1/namespaces/team"), { description: "namespace removed" });
  });
});

Deno.test("background propagation: dependents are deleted after their owner is gone", async () => {
  await withApi(async (api) => {
    const owner = (await api.post<Obj>(CM, configMap("owner"))).body;
    await owned(api, "child-1", owner);
    const second = (await api.post<Obj>(CM, configMap("second-owner"))).body;
    // A dependent with another live owner survives; only the dangling reference goes away.
    const shared = await api.post<Obj>(CM, {
      ...configMap("shared"),
      metadata: {
        name: "shared",
        ownerReferences: [
          { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid },
          { apiVersion: "v1", kind: "ConfigMap", name: "second-owner", uid: second.metadata.uid },
        ],
      },
    });
    assert.equal(shared.status, 201);
    const res = await api.delete(`${CM}/owner`, { propagationPolicy: "Background" });
    assert.equal(res.status, 200);
    assert.equal((await api.get(`${CM}/owner`)).status, 404, "the owner goes at once");
    await eventually(gone(api, `${CM}/child-1`), { description: "dependent collected" });
    await eventually(async () => {
      const s = await api.get<Obj>(`${CM}/shared`);
      return s.status === 200 && s.body.metadata.ownerReferences?.length === 1;
    }, { description: "dangling owner reference removed" });
  });
});

Deno.test("an object created with an owner that does not exist is collected", async () => {
  await withApi(async (api) => {
    await owned(api, "orphaned-at-birth", { metadata: { name: "ghost", uid: "00000000-0000-0000-0000-000000000000" } });
    await eventually(gone(api, `${CM}/orphaned-at-birth`), { description: "dependent of a missing owner collected" });
  });
});

Deno.test("foreground propagation: the owner waits with foregroundDeletion until blocking dependents are gone", async () => {
  await withApi(async (api) => {
    const owner = (await api.post<Obj>(CM, configMap("owner"))).body;
    const blocker = await owned(api, "blocker", owner, true);
    // The blocker has its own finalizer, so it stays (deleting) until we release it.
    await api.put(`${CM}/blocker`, { ...blocker, metadata: { ...blocker.metadata, finalizers: ["example.com/slow"] } });
    await owned(api, "free", owner);
    const res = await api.delete<Obj>(`${CM}/owner?propagationPolicy=Foreground`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.metadata.finalizers, ["foregroundDeletion"]);
    assert.ok(res.body.metadata.deletionTimestamp);
    await eventually(gone(api, `${CM}/free`), { description: "non-blocking dependent deleted" });
    const b = await eventually(async () => {
      const got = await api.get<Obj>(`${CM}/blocker`);
      return got.body.metadata.deletionTimestamp ? got.body : undefined;
    }, { description: "blocking dependent marked for deletion" });
    assert.equal((await api.get(`${CM}/owner`)).status, 200, "owner still waits for the blocking dependent");
    await api.put(`${CM}/blocker`, { ...b, metadata: { ...b.metadata, finalizers: [] } });
    await eventually(gone(api, `${CM}/owner`), { description: "owner removed after its blocking dependent" });
  });
});

Deno.test("orphan propagation: dependents lose the owner reference and stay", async () => {
  await withApi(async (api) => {
    const owner = (await api.post<Obj>(CM, configMap("owner"))).body;
    await owned(api, "kept", owner);
    await api.delete(`${CM}/owner`, { propagationPolicy: "Orphan" });
    await eventually(gone(api, `${CM}/owner`), { description: "owner removed" });
    const kept = await api.get<Obj>(`${CM}/kept`);
    assert.equal(kept.status, 200);
    assert.equal(kept.body.metadata.ownerReferences, undefined);
  });
});
