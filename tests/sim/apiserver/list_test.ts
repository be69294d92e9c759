/** LIST over HTTP: selectors, pagination with continue tokens, scope. */
import assert from "node:assert/strict";
import { configMap, withApi } from "./api_test_client.ts";

type List = {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Array<{ metadata: { name: string; namespace?: string } }>;
};

Deno.test("list pages with limit/continue return every object exactly once, in key order", async () => {
  await withApi(async (api) => {
    const names: string[] = [];
    for (let i = 0; i < 25; i++) {
      const name = `cm-${String(i).padStart(2, "0")}`;
      names.push(name);
      await api.post("/api/v1/namespaces/default/configmaps", configMap(name));
    }
    const seen: string[] = [];
    let cont = "";
    let pages = 0;
    do {
      const res = await api.get<List>(
        `/api/v1/namespaces/default/configmaps?limit=10${cont ? `&continue=${cont}` : ""}`,
      );
      assert.equal(res.status, 200);
      assert.equal(res.body.kind, "ConfigMapList");
      seen.push(...res.body.items.map((i) => i.metadata.name));
      if (res.body.metadata.continue) assert.equal(res.body.metadata.remainingItemCount, 25 - seen.length);
      cont = res.body.metadata.continue ? encodeURIComponent(res.body.metadata.continue) : "";
      pages++;
    } while (cont);
    assert.equal(pages, 3);
    assert.deepEqual(seen, names);
    const bad = await api.get<{ reason: string }>("/api/v1/namespaces/default/configmaps?limit=5&continue=garbage");
    assert.equal(bad.status, 400);
  });
});

Deno.test("list across namespaces and with label/field selectors", async () => {
  await withApi(async (api) => {
    await api.post("/api/v1/namespaces/default/configmaps", configMap("a", {}, { app: "x" }));
    await api.post("/api/v1/namespaces/kube-system/configmaps", configMap("b", {}, { app: "y" }));
    const all = await api.get<List>("/api/v1/configmaps");
    assert.deepEqual(all.body.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`), [
      "default/a",
      "kube-system/b",
    ]);
    const sel = await api.get<List>("/api/v1/configmaps?labelSelector=app%3Dy");
    assert.deepEqual(sel.body.items.map((i) => i.metadata.name), ["b"]);
    const byNs = await api.get<List>("/api/v1/configmaps?fieldSelector=metadata.namespace%3Ddefault");
    assert.deepEqual(byNs.body.items.map((i) => i.metadata.name), ["a"]);
    const notName = await api.get<List>("/api/v1/configmaps?fieldSelector=metadata.name!%3Da");
    assert.deepEqual(notName.body.items.map((i) => i.metadata.name), ["b"]);
    const badField = await api.get<{ message: string; reason: string }>("/api/v1/configmaps?fieldSelector=data.x%3D1");
    assert.equal(badField.status, 400);
    assert.equal(badField.body.reason, "BadRequest");
    assert.equal(badField.body.message, "field label not supported: data.x");
    const badLabel = await api.get("/api/v1/configmaps?labelSelector=a%20notin");
    assert.equal(badLabel.status, 400);
  });
});

Deno.test("pods can be selected and deleted as a collection by spec.nodeName", async () => {
  await withApi(async (api) => {
    for (const [name, node] of [["p1", "n1"], ["p2", "n2"], ["p3", "n1"]]) {
      await api.post("/api/v1/namespaces/default/pods", {
        metadata: { name },
        spec: { nodeName: node, containers: [{ name: "c", image: "i" }] },
      });
    }
    const onN1 = await api.get<List>("/api/v1/pods?fieldSelector=spec.nodeName%3Dn1");
    assert.deepEqual(onN1.body.items.map((i) => i.metadata.name), ["p1", "p3"]);
    const deleteCollection = await api.delete("/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3Dn1");
    assert.equal(deleteCollection.status, 200);
    const left = await api.get<List>("/api/v1/namespaces/default/pods");
    assert.deepEqual(left.body.items.map((i) => i.metadata.name), ["p2"]);
  });
});
