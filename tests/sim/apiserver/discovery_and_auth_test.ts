/** Discovery documents, health endpoints, authentication over HTTPS and anonymous plain HTTP. */
import assert from "node:assert/strict";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { parse } from "yaml";
import { TestApi, withApi } from "./api_test_client.ts";

Deno.test("discovery: /api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>", async () => {
  await withApi(async (api) => {
    const versions = await api.get<{ kind: string; versions: string[] }>("/api");
    assert.equal(versions.body.kind, "APIVersions");
    assert.deepEqual(versions.body.versions, ["v1"]);
    const core = await api.get<{ groupVersion: string; resources: Array<Record<string, unknown>> }>("/api/v1");
    assert.equal(core.body.groupVersion, "v1");
    const pods = core.body.resources.find((r) => r.name === "pods")!;
    assert.deepEqual(pods.shortNames, ["po"]);
    assert.deepEqual(pods.verbs, ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]);
    assert.equal(pods.singularName, "pod");
    const eviction = core.body.resources.find((r) => r.name === "pods/eviction")!;
    assert.deepEqual([eviction.group, eviction.version, eviction.kind, eviction.verbs], ["policy", "v1", "Eviction", [
      "create",
    ]]);
    assert.deepEqual(core.body.resources.find((r) => r.name === "pods/status")!.verbs, ["get", "patch", "update"]);
    assert.equal(core.body.resources.find((r) => r.name === "nodes")!.namespaced, false);

    const groups = await api.get<{ kind: string; groups: Array<{ name: string }> }>("/apis");
    assert.equal(groups.body.kind, "APIGroupList");
    const names = groups.body.groups.map((g) => g.name);
    for (
      const g of [
        "apps",
        "coordination.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
      ]
    ) {
      assert.ok(names.includes(g), g);
    }
    const apps = await api.get<{ kind: string; preferredVersion: { groupVersion: string } }>("/apis/apps");
    assert.equal(apps.body.kind, "APIGroup");
    assert.equal(apps.body.preferredVersion.groupVersion, "apps/v1");
    const appsV1 = await api.get<{ resources: Array<{ name: string; group?: string; kind: string }> }>("/apis/apps/v1");
    const scale = appsV1.body.resources.find((r) => r.name === "deployments/scale")!;
    assert.deepEqual([scale.group, scale.kind], ["autoscaling", "Scale"]);
    assert.equal((await api.get("/apis/nope.example.com")).status, 404);
    assert.equal((await api.get("/apis/apps/v2")).status, 404);
    assert.equal((await api.get("/api/v1/namespaces/default/widgets")).status, 404);
  });
});

Deno.test("health and version answer; /openapi/v2 and /openapi/v3 are 404 (kubectl runs with --validate=false)", async () => {
  await withApi(async (api) => {
    for (const p of ["/healthz", "/livez", "/readyz", "/readyz/ping"]) {
      const res = await api.get(p);
      assert.equal(res.status, 200, p);
      assert.equal(res.body, "ok");
    }
    const version = await api.get<{ major: string; minor: string; gitVersion: string }>("/version");
    assert.equal(version.body.major, "1");
    assert.equal(version.body.minor, "30");
    assert.equal((await api.get("/openapi/v2")).status, 404);
    assert.equal((await api.get("/openapi/v3")).status, 404);
  });
});

Deno.test("over HTTPS a bearer token is required (401 Status otherwise)", async () => {
  const server = await startApiServer({ token: "a-test-token-0123456789" });
  const anonymous = new TestApi(server, false);
  const client = Deno.createHttpClient({ caCerts: [server.caPem!] });
  try {
    assert.ok(server.url.startsWith("https://127.0.0.1:"));
    const res = await anonymous.get<{ kind: string; code: number; reason: string }>("/api/v1/namespaces");
    assert.equal(res.status, 401);
    assert.deepEqual([res.body.kind, res.body.code, res.body.reason], ["Status", 401, "Unauthorized"]);
    const wrong = await fetch(`${server.url}/api/v1/namespaces`, { headers: { authorization: "Bearer nope" }, client });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const ok = await fetch(`${server.url}/api/v1/namespaces`, {
      headers: { authorization: "Bearer a-test-token-0123456789" },
      client,
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    assert.equal((await anonymous.get("/healthz")).status, 200, "probes are anonymous");
    // The kubeconfig names the server, embeds the CA and carries the token.
    const kc = parse(server.kubeconfigYaml()) as {
      clusters: Array<{ cluster: { server: string; "certificate-authority-data": string } }>;
      users: Array<{ user: { token: string } }>;
      "current-context": string;
    };
    assert.equal(kc.clusters[0].cluster.server, server.url);
    assert.equal(atob(kc.clusters[0].cluster["certificate-authority-data"]), server.caPem);
    assert.equal(kc.users[0].user.token, "a-test-token-0123456789");
    const conn = server.connection();
    assert.equal(conn.server, server.url);
    assert.equal(await conn.token!(), "a-test-token-0123456789");
  } finally {
    await anonymous.close();
    client.close();
  }
});

Deno.test("plain HTTP accepts anonymous requests", async () => {
  await withApi(async (api) => {
    assert.ok(api.server.url.startsWith("http://"));
    assert.equal(api.server.caPem, undefined);
    const res = await fetch(`${api.server.url}/api/v1/namespaces/default`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { metadata: { name: string } }).metadata.name, "default");
  }, { tls: false });
});

Deno.test("the default namespaces exist; a custom set can be asked for", async () => {
  await withApi(async (api) => {
    const list = await api.get<{ items: Array<{ metadata: { name: string }; status: { phase: string } }> }>(
      "/api/v1/namespaces",
    );
    assert.deepEqual(list.body.items.map((n) => n.metadata.name), [
      "default",
      "kube-node-lease",
      "kube-public",
      "kube-system",
    ]);
    assert.ok(list.body.items.every((n) => n.status.phase === "Active"));
  });
  await withApi(async (api) => {
    const list = await api.get<{ items: Array<{ metadata: { name: string } }> }>("/api/v1/namespaces");
    assert.deepEqual(list.body.items.map((n) => n.metadata.name), ["garden"]);
  }, { namespaces: ["garden"] });
});
