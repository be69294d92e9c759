/** The fake API server's write semantics over HTTPS: conflicts, generation, status, finalizers, names, dry-run. */
import assert from "node:assert/strict";
import { configMap, withApi } from "./api_test_client.ts";

type Obj = {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
    finalizers?: string[];
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
};

const CM = "/api/v1/namespaces/default/configmaps";
const DEPLOY = "/apis/apps/v1/namespaces/default/deployments";

function deployment(name: string, replicas = 1) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
    },
  };
}

Deno.test("create sets uid, creationTimestamp, generation and one global increasing resourceVersion", async () => {
  await withApi(async (api) => {
    const a = await api.post<Obj>(CM, configMap("a"));
    const b = await api.post<Obj>("/api/v1/namespaces/kube-system/configmaps", configMap("b"));
    assert.deepEqual(a.status, 201);
    assert.deepEqual(b.status, 201);
    assert.match(a.body.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.notEqual(a.body.metadata.uid, b.body.metadata.uid);
    assert.match(a.body.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(a.body.metadata.generation, 1);
    assert.deepEqual(Number(b.body.metadata.resourceVersion), Number(a.body.metadata.resourceVersion) + 1);
    const list = await api.get<{ metadata: { resourceVersion: string } }>(CM);
    assert.deepEqual(list.body.metadata.resourceVersion, b.body.metadata.resourceVersion, "a list is at the latest RV");
  });
});

Deno.test("a stale update is a 409 Conflict worded like kube-apiserver", async () => {
  await withApi(async (api) => {
    const created = await api.post<Obj>(DEPLOY, deployment("web"));
    const first = await api.put<Obj>(`${DEPLOY}/web`, { ...created.body, spec: { ...created.body.spec, replicas: 2 } });
    assert.deepEqual(first.status, 200);
    const stale = await api.put<{ message: string; reason: string; code: number; details: unknown }>(
      `${DEPLOY}/web`,
      { ...created.body, spec: { ...created.body.spec, replicas: 3 } },
    );
    assert.deepEqual(stale.status, 409);
    assert.deepEqual(stale.body.reason, "Conflict");
    assert.deepEqual(
      stale.body.message,
      'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your ' +
        "changes to the latest version and try again",
    );
    assert.deepEqual(stale.body.details, { name: "web", group: "apps", kind: "deployments" });
    const current = await api.get<Obj>(`${DEPLOY}/web`);
    assert.deepEqual(current.body.spec!.replicas, 2);
  });
});

Deno.test("generation is bumped by spec changes only; the main resource ignores status, /status ignores the rest", async () => {
  await withApi(async (api) => {
    const created = (await api.post<Obj>(DEPLOY, deployment("web"))).body;
    // A label change is metadata: no new generation.
    const labelled = (await api.put<Obj>(`${DEPLOY}/web`, {
      ...created,
      metadata: { ...created.metadata, labels: { a: "b" } },
    })).body;
    assert.deepEqual(labelled.metadata.generation, 1);
    assert.deepEqual(labelled.metadata.labels, { a: "b" });
    // Status sent to the main resource is ignored.
    const withStatus = (await api.put<Obj>(`${DEPLOY}/web`, { ...labelled, status: { replicas: 5 } })).body;
    assert.deepEqual(withStatus.status, undefined);
    assert.deepEqual(withStatus.metadata.resourceVersion, labelled.metadata.resourceVersion, "a no-op is not stored");
    // A spec change bumps generation.
    const scaled = (await api.put<Obj>(`${DEPLOY}/web`, { ...labelled, spec: { ...labelled.spec, replicas: 4 } })).body;
    assert.deepEqual(scaled.metadata.generation, 2);
    // /status takes only status: the spec change in the same body is ignored, generation stays.
    const statusWrite = await api.put<Obj>(`${DEPLOY}/web/status`, {
      ...scaled,
      spec: { ...scaled.spec, replicas: 9 },
      metadata: { ...scaled.metadata, labels: { changed: "yes" } },
      status: { replicas: 4, observedGeneration: 2 },
    });
    assert.deepEqual(statusWrite.status, 200);
    assert.deepEqual(statusWrite.body.status, { replicas: 4, observedGeneration: 2 });
    assert.deepEqual(statusWrite.body.spec!.replicas, 4);
    assert.deepEqual(statusWrite.body.metadata.labels, { a: "b" });
    assert.deepEqual(statusWrite.body.metadata.generation, 2);
  });
});

Deno.test("without a status subresource every non-metadata change bumps generation", async () => {
  await withApi(async (api) => {
    const created = (await api.post<Obj>(CM, configMap("c", { a: "1" }))).body;
    const updated = (await api.put<Obj>(`${CM}/c`, { ...created, data: { a: "2" } })).body;
    assert.deepEqual(updated.metadata.generation, 2);
    const relabelled = (await api.put<Obj>(`${CM}/c`, {
      ...updated,
      metadata: { ...updated.metadata, labels: { x: "y" } },
    })).body;
    assert.deepEqual(relabelled.metadata.generation, 2);
  });
});

Deno.test("status on create is dropped for resources with a status subresource (nodes keep theirs)", async () => {
  await withApi(async (api) => {
    const d = await api.post<Obj>(DEPLOY, { ...deployment("d"), status: { replicas: 3 } });
    assert.deepEqual(d.body.status, undefined);
    const node = await api.post<Obj>("/api/v1/nodes", {
      metadata: { name: "n1" },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    });
    assert.deepEqual(node.status, 201);
    assert.deepEqual(node.body.status, { conditions: [{ type: "Ready", status: "True" }] });
  });
});

Deno.test("finalizers hold a deleted object until they are removed; new finalizers are refused", async () => {
  await withApi(async (api) => {
    await api.post<Obj>(CM, { ...configMap("f"), metadata: { name: "f", finalizers: ["example.com/hold"] } });
    const del = await api.delete<Obj>(`${CM}/f`);
    assert.deepEqual(del.status, 200);
    assert.ok(del.body.metadata.deletionTimestamp, "deletionTimestamp set");
    assert.deepEqual(del.body.metadata.deletionGracePeriodSeconds, 0);
    const still = await api.get<Obj>(`${CM}/f`);
    assert.deepEqual(still.status, 200);

    const added = await api.put<{ code: number; reason: string; message: string; details: { causes: unknown[] } }>(
      `${CM}/f`,
      { ...still.body, metadata: { ...still.body.metadata, finalizers: ["example.com/hold", "example.com/more"] } },
    );
    assert.deepEqual(added.status, 422);
    assert.deepEqual(added.body.reason, "Invalid");
    assert.match(added.body.message, /no new finalizers can be added if the object is being deleted/);
    assert.deepEqual((added.body.details.causes[0] as { field: string }).field, "metadata.finalizers");

    // Other changes are still allowed while deleting (controllers report status on the way out).
    const edited = await api.put<Obj>(`${CM}/f`, { ...still.body, data: { phase: "cleaning" } });
    assert.deepEqual(edited.status, 200);
    assert.deepEqual(edited.body.metadata.deletionTimestamp, still.body.metadata.deletionTimestamp);

    const released = await api.put<Obj>(`${CM}/f`, {
      ...edited.body,
      metadata: { ...edited.body.metadata, finalizers: [] },
    });
    assert.deepEqual(released.status, 200);
    assert.deepEqual((await api.get(`${CM}/f`)).status, 404);
  });
});

Deno.test("errors are kube Status bodies: NotFound, AlreadyExists, Invalid with field causes, BadRequest", async () => {
  await withApi(async (api) => {
    const missing = await api.get<{ message: string; reason: string; details: unknown }>(`${DEPLOY}/nope`);
    assert.deepEqual(missing.status, 404);
    assert.deepEqual(missing.body.reason, "NotFound");
    assert.deepEqual(missing.body.message, 'deployments.apps "nope" not found');
    assert.deepEqual((await api.get<{ message: string }>(`${CM}/nope`)).body.message, 'configmaps "nope" not found');

    await api.post(CM, configMap("dup"));
    const dup = await api.post<{ reason: string; message: string }>(CM, configMap("dup"));
    assert.deepEqual(dup.status, 409);
    assert.deepEqual(dup.body.reason, "AlreadyExists");
    assert.deepEqual(dup.body.message, 'configmaps "dup" already exists');

    const bad = await api.post<
      { reason: string; message: string; details: { kind: string; causes: Array<{ field: string; reason: string }> } }
    >(
      CM,
      configMap("Bad_Name"),
    );
    assert.deepEqual(bad.status, 422);
    assert.deepEqual(bad.body.reason, "Invalid");
    assert.match(
      bad.body.message,
      /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    assert.deepEqual(bad.body.details.kind, "ConfigMap");
    assert.deepEqual(bad.body.details.causes[0].field, "metadata.name");
    assert.deepEqual(bad.body.details.causes[0].reason, "FieldValueInvalid");

    const noName = await api.post<{ details: { causes: Array<{ field: string; reason: string }> } }>(CM, { data: {} });
    assert.deepEqual(noName.status, 422);
    assert.deepEqual(noName.body.details.causes[0], {
      reason: "FieldValueRequired",
      message: "Required value: name or generateName is required",
      field: "metadata.name",
    });

    const badLabel = await api.post<{ details: { causes: Array<{ field: string }> } }>(
      CM,
      configMap("l", {}, { "a b": "c" }),
    );
    assert.deepEqual(badLabel.status, 422);
    assert.deepEqual(badLabel.body.details.causes[0].field, "metadata.labels");

    const wrongNs = await api.post<{ reason: string }>(CM, {
      ...configMap("x"),
      metadata: { name: "x", namespace: "other" },
    });
    assert.deepEqual(wrongNs.status, 400);
    assert.deepEqual(wrongNs.body.reason, "BadRequest");

    const wrongVersion = await api.post<{ message: string }>(CM, { ...configMap("v"), apiVersion: "v2" });
    assert.deepEqual(wrongVersion.status, 400);
    assert.match(wrongVersion.body.message, /does not match the expected API version \(v1\)/);

    const notJson = await api.request<{ reason: string }>("POST", CM, "{not json", { contentType: "application/json" });
    assert.deepEqual(notJson.status, 400);

    const noNs = await api.post<{ message: string }>("/api/v1/namespaces/ghost/configmaps", configMap("g"));
    assert.deepEqual(noNs.status, 404);
    assert.deepEqual(noNs.body.message, 'namespaces "ghost" not found');

    const method = await api.request<{ reason: string }>("POST", `${CM}/dup`, configMap("dup"));
    assert.deepEqual(method.status, 405);
    assert.deepEqual(method.body.reason, "MethodNotAllowed");

    const withRv = await api.post<{ message: string }>(CM, {
      ...configMap("rv"),
      metadata: { name: "rv", resourceVersion: "3" },
    });
    assert.deepEqual(withRv.status, 500);
    assert.deepEqual(withRv.body.message, "resourceVersion should not be set on objects to be created");
  });
});

Deno.test("generateName appends a random 5-character suffix and retries on collision", async () => {
  await withApi(async (api) => {
    const names = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await api.post<Obj>(CM, { metadata: { generateName: "job-" }, data: {} });
      assert.deepEqual(res.status, 201);
      assert.match(res.body.metadata.name, /^job-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      names.add(res.body.metadata.name);
    }
    assert.deepEqual(names.size, 20);
  });
  // Same seed → same sequence of names: the second server's first name collides with an object we create up front.
  let firstName = "";
  await withApi(async (api) => {
    firstName = (await api.post<Obj>(CM, { metadata: { generateName: "x-" } })).body.metadata.name;
  }, { seed: 42 });
  await withApi(async (api) => {
    await api.post(CM, configMap(firstName));
    const res = await api.post<Obj>(CM, { metadata: { generateName: "x-" } });
    assert.deepEqual(res.status, 201);
    assert.notEqual(res.body.metadata.name, firstName);
  }, { seed: 42 });
});

Deno.test("dryRun=All validates and answers but stores nothing and does not move the resourceVersion", async () => {
  await withApi(async (api) => {
    const before = (await api.get<{ metadata: { resourceVersion: string } }>(CM)).body.metadata.resourceVersion;
    const dry = await api.post<Obj>(`${CM}?dryRun=All`, configMap("dry"));
    assert.deepEqual(dry.status, 201);
    assert.deepEqual(dry.body.metadata.name, "dry");
    assert.deepEqual((await api.get(`${CM}/dry`)).status, 404);
    const invalidDry = await api.post(`${CM}?dryRun=All`, configMap("Not Valid"));
    assert.deepEqual(invalidDry.status, 422);

    const real = (await api.post<Obj>(CM, configMap("real", { a: "1" }))).body;
    const dryUpdate = await api.put<Obj>(`${CM}/real?dryRun=All`, { ...real, data: { a: "2" } });
    assert.deepEqual(dryUpdate.status, 200);
    assert.deepEqual(dryUpdate.body.data, { a: "2" });
    assert.deepEqual((await api.get<Obj>(`${CM}/real`)).body.data, { a: "1" });
    const dryDelete = await api.delete(`${CM}/real?dryRun=All`);
    assert.deepEqual(dryDelete.status, 200);
    assert.deepEqual((await api.get(`${CM}/real`)).status, 200);
    const after = (await api.get<{ metadata: { resourceVersion: string } }>(CM)).body.metadata.resourceVersion;
    assert.deepEqual(Number(after), Number(before) + 1, "only the real create moved the resourceVersion");
  });
});

Deno.test("secrets: stringData is merged into base64 data on write and never stored", async () => {
  await withApi(async (api) => {
    const path = "/api/v1/namespaces/default/secrets";
    const created = await api.post<Obj & { stringData?: unknown; type?: string }>(path, {
      metadata: { name: "s" },
      data: { a: btoa("keep") },
      stringData: { token: "hunter2-top-secret", a: "override" },
    });
    assert.deepEqual(created.status, 201);
    assert.deepEqual(created.body.stringData, undefined);
    assert.deepEqual(created.body.type, "Opaque");
    assert.deepEqual(created.body.data, { a: btoa("override"), token: btoa("hunter2-top-secret") });
    const got = await api.get<Obj & { stringData?: unknown }>(`${path}/s`);
    assert.deepEqual(got.body.stringData, undefined);
    const updated = await api.put<Obj>(`${path}/s`, { ...got.body, stringData: { more: "x" } });
    assert.deepEqual(updated.body.data!.more, btoa("x"));
    const bad = await api.post<{ details: { causes: Array<{ field: string }> } }>(path, {
      metadata: { name: "b" },
      data: { a: "%%%" },
    });
    assert.deepEqual(bad.status, 422);
    assert.deepEqual(bad.body.details.causes[0].field, "data[a]");
  });
});

Deno.test("delete preconditions (uid, resourceVersion) give 409 when they do not match", async () => {
  await withApi(async (api) => {
    const obj = (await api.post<Obj>(CM, configMap("p"))).body;
    const wrongUid = await api.delete<{ message: string }>(`${CM}/p`, { preconditions: { uid: "other" } });
    assert.deepEqual(wrongUid.status, 409);
    assert.match(wrongUid.body.message, /Precondition failed: UID in precondition: other, UID in object meta: /);
    const wrongRv = await api.delete(`${CM}/p`, { preconditions: { resourceVersion: "1" } });
    assert.deepEqual(wrongRv.status, 409);
    const ok = await api.delete(`${CM}/p`, { preconditions: { uid: obj.metadata.uid } });
    assert.deepEqual(ok.status, 200);
    assert.deepEqual((await api.get(`${CM}/p`)).status, 404);
  });
});

Deno.test("unconditional update (no resourceVersion) is accepted; name mismatch is a 400", async () => {
  await withApi(async (api) => {
    await api.post(CM, configMap("u", { a: "1" }));
    const res = await api.put<Obj>(`${CM}/u`, configMap("u", { a: "2" }));
    assert.deepEqual(res.status, 200);
    assert.deepEqual(res.body.data, { a: "2" });
    const mismatch = await api.put<{ message: string }>(`${CM}/u`, configMap("other"));
    assert.deepEqual(mismatch.status, 400);
    assert.deepEqual(mismatch.body.message, "the name of the object (other) does not match the name on the URL (u)");
    assert.deepEqual((await api.put(`${CM}/absent`, configMap("absent"))).status, 404);
  });
});

Deno.test("writes to a Terminating namespace are refused with 403 Forbidden", async () => {
  await withApi(async (api) => {
    await api.post("/api/v1/namespaces", { metadata: { name: "doomed", finalizers: ["example.com/keep"] } });
    await api.delete("/api/v1/namespaces/doomed");
    const res = await api.post<{ reason: string; message: string }>(
      "/api/v1/namespaces/doomed/configmaps",
      configMap("x"),
    );
    assert.deepEqual(res.status, 403);
    assert.deepEqual(res.body.reason, "Forbidden");
    assert.deepEqual(
      res.body.message,
      "unable to create new content in namespace doomed because it is being terminated",
    );
  });
});

Deno.test("default, kube-system and kube-public may not be deleted", async () => {
  await withApi(async (api) => {
    for (const ns of ["default", "kube-system", "kube-public"]) {
      const res = await api.delete<{ reason: string; message: string }>(`/api/v1/namespaces/${ns}`);
      assert.equal(res.status, 403);
      assert.equal(res.body.message, `namespaces "${ns}" is forbidden: this namespace may not be deleted`);
    }
    assert.equal((await api.delete("/api/v1/namespaces/kube-node-lease")).status, 200);
  });
});

Deno.test("immutable fields: a Deployment's selector and a binding's roleRef cannot change (422 naming the field); other fields stay mutable", async () => {
  await withApi(async (api) => {
    const created = await api.post<Obj>(DEPLOY, deployment("web"));
    const moved = {
      ...created.body,
      spec: { ...created.body.spec, selector: { matchLabels: { app: "other" } } },
    };
    const refused = await api.put<{ reason: string; details: { causes: Array<{ field: string; message: string }> } }>(
      `${DEPLOY}/web`,
      moved,
    );
    assert.equal(refused.status, 422);
    assert.equal(refused.body.reason, "Invalid");
    assert.deepEqual(refused.body.details.causes.map((c) => c.field), ["spec.selector"]);
    assert.match(refused.body.details.causes[0].message, /field is immutable/);
    const scaled = await api.put<Obj>(`${DEPLOY}/web`, {
      ...created.body,
      spec: { ...created.body.spec, replicas: 3 },
    });
    assert.equal(scaled.status, 200, "other spec fields stay mutable");

    const CRB = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings";
    const binding = (role: string) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "b" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
      subjects: [{ kind: "ServiceAccount", name: "sa", namespace: "default" }],
    });
    const b = await api.post<Obj>(CRB, binding("cluster-admin"));
    const rebound = await api.put<{ details: { causes: Array<{ field: string; message: string }> } }>(`${CRB}/b`, {
      ...binding("view"),
      metadata: b.body.metadata,
    });
    assert.equal(rebound.status, 422);
    assert.deepEqual(rebound.body.details.causes.map((c) => [c.field, /cannot change roleRef/.test(c.message)]), [
      ["roleRef", true],
    ]);
  });
});
