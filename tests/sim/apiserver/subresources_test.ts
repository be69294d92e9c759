/** Subresources over HTTP: pods/eviction with PodDisruptionBudgets, deployments/scale, namespaces/finalize. */
import assert from "node:assert/strict";
import { eventually } from "../../support/eventually.ts";
import { type TestApi, withApi } from "./api_test_client.ts";

const PODS = "/api/v1/namespaces/default/pods";

async function readyPod(api: TestApi, name: string, labels: Record<string, string>) {
  const created = await api.post<{ metadata: { name: string } }>(PODS, {
    metadata: { name, labels },
    spec: { containers: [{ name: "c", image: "i" }] },
  });
  assert.equal(created.status, 201);
  const st = await api.put(`${PODS}/${name}/status`, {
    ...created.body,
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  });
  assert.equal(st.status, 200);
}

function eviction(name: string) {
  return { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: "default" } };
}

Deno.test("eviction is refused with 429 when a PodDisruptionBudget forbids it, and deletes the pod when allowed", async () => {
  await withApi(async (api) => {
    await api.post("/apis/policy/v1/namespaces/default/poddisruptionbudgets", {
      metadata: { name: "web" },
      spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } },
    });
    await readyPod(api, "web-1", { app: "web" });
    const refused = await api.post<{ reason: string; message: string; details: { causes: Array<{ reason: string }> } }>(
      `${PODS}/web-1/eviction`,
      eviction("web-1"),
    );
    assert.equal(refused.status, 429);
    assert.equal(refused.body.reason, "TooManyRequests");
    assert.equal(refused.body.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.ok(refused.body.details.causes.some((c) => c.reason === "DisruptionBudget"));
    assert.equal((await api.get(`${PODS}/web-1`)).status, 200);

    await readyPod(api, "web-2", { app: "web" });
    const allowed = await api.post<{ kind: string; status: string }>(`${PODS}/web-1/eviction`, eviction("web-1"));
    assert.equal(allowed.status, 201);
    assert.deepEqual([allowed.body.kind, allowed.body.status], ["Status", "Success"]);
    assert.equal((await api.get(`${PODS}/web-1`)).status, 404);

    // Pods no budget selects are evicted freely; unknown pods are 404; evictions are counted as a subresource.
    await readyPod(api, "other", { app: "other" });
    assert.equal((await api.post(`${PODS}/other/eviction`, eviction("other"))).status, 201);
    assert.equal((await api.post(`${PODS}/ghost/eviction`, eviction("ghost"))).status, 404);
    assert.equal(api.server.counters.snapshot().byVerbResource["create pods/eviction"], 4);
    assert.equal((await api.get(`${PODS}/web-2/eviction`)).status, 405);
  });
});

Deno.test("deployments/scale reads and writes spec.replicas as an autoscaling/v1 Scale", async () => {
  await withApi(async (api) => {
    const path = "/apis/apps/v1/namespaces/default/deployments";
    await api.post(path, {
      metadata: { name: "web" },
      spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: {} } },
    });
    const scale = await api.get<{ apiVersion: string; spec: { replicas: number }; status: { selector: string } }>(
      `${path}/web/scale`,
    );
    assert.equal(scale.body.apiVersion, "autoscaling/v1");
    assert.equal(scale.body.spec.replicas, 1, "replicas default to 1");
    assert.equal(scale.body.status.selector, "app=web");
    const updated = await api.put<{ spec: { replicas: number } }>(`${path}/web/scale`, {
      ...scale.body,
      spec: { replicas: 3 },
    });
    assert.equal(updated.body.spec.replicas, 3);
    assert.equal((await api.get<{ spec: { replicas: number } }>(`${path}/web`)).body.spec.replicas, 3);
    assert.equal(
      (await api.get("/api/v1/namespaces/default/configmaps/x/scale")).status,
      404,
      "no scale on configmaps",
    );
  });
});

Deno.test("namespaces/finalize removes spec finalizers; a Terminating namespace then disappears", async () => {
  await withApi(async (api) => {
    await api.post("/api/v1/namespaces", {
      metadata: { name: "fin" },
      spec: { finalizers: ["kubernetes", "example.com/x"] },
    });
    await api.delete("/api/v1/namespaces/fin");
    const ns = await eventually(async () => {
      const got = await api.get<{ spec: { finalizers: string[] } }>("/api/v1/namespaces/fin");
      return got.body.spec.finalizers.length === 1 ? got.body : undefined;
    }, { description: "the namespace controller removed the kubernetes finalizer" });
    assert.deepEqual(ns.spec.finalizers, ["example.com/x"]);
    const res = await api.put("/api/v1/namespaces/fin/finalize", { ...ns, spec: { finalizers: [] } });
    assert.equal(res.status, 200);
    await eventually(async () => (await api.get("/api/v1/namespaces/fin")).status === 404, { description: "gone" });
  });
});
