/** PATCH over HTTP: merge, JSON, strategic merge (built-ins only), server-side apply, status and scale. */
import assert from "node:assert/strict";
import { withApi } from "./api_test_client.ts";

const DEPLOY = "/apis/apps/v1/namespaces/default/deployments";
const MERGE = "application/merge-patch+json";
const JSON_PATCH = "application/json-patch+json";
const SMP = "application/strategic-merge-patch+json";
const APPLY = "application/apply-patch+yaml";

type Deployment = {
  metadata: {
    name: string;
    resourceVersion: string;
    generation: number;
    labels?: Record<string, string>;
    managedFields?: Array<{ manager: string; operation: string; fieldsV1: Record<string, unknown> }>;
  };
  spec: {
    replicas: number;
    template: {
      spec: { containers: Array<{ name: string; image: string; env?: Array<{ name: string; value: string }> }> };
    };
  };
  status?: Record<string, unknown>;
};

function deployment(name: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "main", image: "nginx:1" }, { name: "sidecar", image: "envoy:1" }] },
      },
    },
  };
}

Deno.test("merge patch: null deletes, maps merge, lists replace; generation follows the spec", async () => {
  await withApi(async (api) => {
    await api.post(DEPLOY, deployment("web"));
    const res = await api.patch<Deployment>(`${DEPLOY}/web`, {
      metadata: { labels: { app: null, tier: "x" } },
      spec: { replicas: 3 },
    }, MERGE);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.metadata.labels, { tier: "x" });
    assert.equal(res.body.spec.replicas, 3);
    assert.equal(res.body.metadata.generation, 2);
    const labelsOnly = await api.patch<Deployment>(`${DEPLOY}/web`, { metadata: { labels: { more: "y" } } }, MERGE);
    assert.equal(labelsOnly.body.metadata.generation, 2);
  });
});

Deno.test("JSON patch: operations apply in order; a failed test op is 422 and changes nothing", async () => {
  await withApi(async (api) => {
    await api.post(DEPLOY, deployment("web"));
    const ok = await api.patch<Deployment>(`${DEPLOY}/web`, [
      { op: "test", path: "/spec/replicas", value: 1 },
      { op: "replace", path: "/spec/replicas", value: 2 },
      { op: "add", path: "/metadata/labels/extra", value: "e" },
    ], JSON_PATCH);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.spec.replicas, 2);
    assert.equal(ok.body.metadata.labels!.extra, "e");
    const failed = await api.patch<{ reason: string }>(`${DEPLOY}/web`, [
      { op: "test", path: "/spec/replicas", value: 7 },
      { op: "replace", path: "/spec/replicas", value: 9 },
    ], JSON_PATCH);
    assert.equal(failed.status, 422);
    assert.equal((await api.get<Deployment>(`${DEPLOY}/web`)).body.spec.replicas, 2);
    const notArray = await api.patch(`${DEPLOY}/web`, { op: "add" }, JSON_PATCH);
    assert.equal(notArray.status, 400);
  });
});

Deno.test("strategic merge patch merges containers by name on built-ins; custom resources answer 415", async () => {
  await withApi(async (api) => {
    await api.post(DEPLOY, deployment("web"));
    const res = await api.patch<Deployment>(`${DEPLOY}/web`, {
      spec: { template: { spec: { containers: [{ name: "sidecar", image: "envoy:2" }] } } },
    }, SMP);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`), [
      "main=nginx:1",
      "sidecar=envoy:2",
    ]);
    await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "things.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "things", kind: "Thing" },
        versions: [{
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        }],
      },
    });
    const path = "/apis/example.com/v1/namespaces/default/things";
    await api.post(path, { apiVersion: "example.com/v1", kind: "Thing", metadata: { name: "t" }, spec: { a: 1 } });
    const smp = await api.patch<{ reason: string; message: string }>(`${path}/t`, { spec: { a: 2 } }, SMP);
    assert.equal(smp.status, 415);
    assert.equal(smp.body.reason, "UnsupportedMediaType");
    assert.match(smp.body.message, /application\/merge-patch\+json/);
    assert.equal((await api.patch(`${path}/t`, { spec: { a: 2 } }, MERGE)).status, 200);
    assert.equal((await api.patch(`${DEPLOY}/web`, {}, "text/plain")).status, 415);
  });
});

Deno.test("a patch carrying a stale resourceVersion is a 409 Conflict", async () => {
  await withApi(async (api) => {
    const created = (await api.post<Deployment>(DEPLOY, deployment("web"))).body;
    await api.patch(`${DEPLOY}/web`, { spec: { replicas: 2 } }, MERGE);
    const stale = await api.patch<{ reason: string }>(`${DEPLOY}/web`, {
      metadata: { resourceVersion: created.metadata.resourceVersion },
      spec: { replicas: 5 },
    }, MERGE);
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, "Conflict");
    assert.equal((await api.patch(`${DEPLOY}/missing`, { spec: {} }, MERGE)).status, 404);
  });
});

Deno.test("status patches change only status; scale patches change only replicas", async () => {
  await withApi(async (api) => {
    await api.post(DEPLOY, deployment("web"));
    const st = await api.patch<Deployment>(`${DEPLOY}/web/status`, {
      status: { readyReplicas: 1 },
      spec: { replicas: 8 },
    }, MERGE);
    assert.equal(st.status, 200);
    assert.deepEqual(st.body.status, { readyReplicas: 1 });
    assert.equal(st.body.spec.replicas, 1);
    const scale = await api.patch<{ spec: { replicas: number } }>(
      `${DEPLOY}/web/scale`,
      { spec: { replicas: 4 } },
      MERGE,
    );
    assert.equal(scale.status, 200);
    assert.equal(scale.body.spec.replicas, 4);
    const got = (await api.get<Deployment>(`${DEPLOY}/web`)).body;
    assert.equal(got.spec.replicas, 4);
    assert.deepEqual(got.status, { readyReplicas: 1 });
  });
});

Deno.test("server-side apply creates, then merges, recording the field manager in managedFields", async () => {
  await withApi(async (api) => {
    const yaml = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: main, image: "nginx:1"}
`;
    const created = await api.request<Deployment>("PATCH", `${DEPLOY}/web?fieldManager=tester&force=true`, yaml, {
      contentType: APPLY,
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.spec.replicas, 2);
    const entry = created.body.metadata.managedFields!.find((m) => m.manager === "tester")!;
    assert.equal(entry.operation, "Apply");
    assert.ok((entry.fieldsV1["f:spec"] as Record<string, unknown>)["f:replicas"]);

    const again = await api.request<Deployment>(
      "PATCH",
      `${DEPLOY}/web?fieldManager=tester`,
      JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 3 } }),
      { contentType: APPLY },
    );
    assert.equal(again.status, 200);
    assert.equal(again.body.spec.replicas, 3);
    assert.equal(again.body.spec.template.spec.containers[0].image, "nginx:1", "fields not in the config are kept");
    assert.equal(again.body.metadata.managedFields!.filter((m) => m.manager === "tester").length, 1);

    const noManager = await api.request<{ message: string }>("PATCH", `${DEPLOY}/web`, "{}", { contentType: APPLY });
    assert.equal(noManager.status, 400);
    assert.match(noManager.body.message, /fieldManager/);
  });
});
