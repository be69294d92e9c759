import assert from "node:assert/strict";
import { KubeClient, PATCH_CONTENT_TYPES, type PatchType } from "../../../src/k8s/client/client.ts";
import {
  AlreadyExistsError,
  ConflictError,
  GoneError,
  NotFoundError,
  RequestTimeoutError,
  TooManyRequestsError,
  UnauthorizedError,
} from "../../../src/k8s/api/errors.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { AppsV1, CoordinationV1, CoreV1, type ResourceType } from "../../../src/k8s/api/resources.ts";
import { FakeClock, yieldToEventLoop } from "../../../src/runtime/clock.ts";
import { USER_AGENT } from "../../../src/runtime/version.ts";
import { startRecordedApiServer } from "../support/recorded_apiserver.ts";
import { crdFor } from "../support/test_crds.ts";
import { startTestHttps } from "../support/https_server.ts";
import { makeTestPki } from "../support/pki.ts";

const CM = CoreV1.configMaps;
const cm = (
  name: string,
  namespace = "default",
  data: Record<string, string> = {},
  labels?: Record<string, string>,
) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace, labels },
  data,
});

const widgets: ResourceType = {
  group: "example.com",
  version: "v1",
  resource: "widgets",
  kind: "Widget",
  namespaced: false,
  subresources: ["status"],
};

Deno.test("CRUD: paths, headers, typed errors, apiVersion/kind filled in on list items", async () => {
  const api = await startRecordedApiServer({
    token: "secret-token-abc123",
    crds: [crdFor(widgets)],
    listItemsWithoutTypeMeta: true,
  });
  const client = new KubeClient(api.connection());
  try {
    const created = await client.create(CoreV1.configMaps, cm("a", "ns1", { k: "v" }));
    assert.equal(created.metadata.namespace, "ns1");
    const req = api.requests.at(-1)!;
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/api/v1/namespaces/ns1/configmaps");
    assert.equal(req.headers.get("authorization"), "Bearer secret-token-abc123");
    assert.equal(req.headers.get("user-agent"), USER_AGENT);
    assert.equal(req.headers.get("accept"), "application/json");
    assert.equal(req.headers.get("content-type"), "application/json");

    await assert.rejects(client.create(CoreV1.configMaps, cm("a", "ns1")), AlreadyExistsError);
    const got = await client.get<KubeObject & { data: Record<string, string> }>(CoreV1.configMaps, "a", {
      namespace: "ns1",
    });
    assert.deepEqual(got.data, { k: "v" });
    await assert.rejects(client.get(CoreV1.configMaps, "missing", { namespace: "ns1" }), NotFoundError);

    const updated = await client.update(CoreV1.configMaps, { ...got, data: { k: "v2" } });
    assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
    await assert.rejects(client.update(CoreV1.configMaps, { ...got, data: { k: "stale" } }), ConflictError);

    await api.admin.put(CM, { metadata: { name: "b", namespace: "ns2" } }); // items without apiVersion/kind
    const list = await client.list(CoreV1.configMaps);
    assert.deepEqual(list.items.map((i) => [i.metadata.namespace, i.metadata.name, i.apiVersion, i.kind]), [
      ["ns1", "a", "v1", "ConfigMap"],
      ["ns2", "b", "v1", "ConfigMap"],
    ]);
    assert.equal(api.requests.at(-1)!.path, "/api/v1/configmaps", "cluster-wide list without namespace");
    assert.equal((await client.list(CoreV1.configMaps, { namespace: "ns2" })).items.length, 1);

    await client.create(widgets, { metadata: { name: "w" }, spec: { size: 1 } } as KubeObject);
    assert.equal(api.requests.at(-1)!.path, "/apis/example.com/v1/widgets", "cluster-scoped custom resource");
    const w = await client.get(widgets, "w");
    await client.updateStatus(widgets, { ...w, status: { ready: true } } as KubeObject);
    assert.equal(api.requests.at(-1)!.path, "/apis/example.com/v1/widgets/w/status");
    assert.equal(api.requests.at(-1)!.method, "PUT");

    await assert.rejects(client.get(CoreV1.configMaps, "a"), /namespace is required/);
    await assert.rejects(
      client.create(CoreV1.configMaps, cm("x", "ns1"), { namespace: "other" }),
      /metadata\.namespace "ns1" differs from the namespace option "other"/,
    );
    assert.deepEqual(await client.requestJson<{ minor: string }>("GET", "/version"), await api.serverJson("/version"));
    await client.create(CoreV1.configMaps, cm("dry", "ns1"), { dryRun: true, fieldManager: "tests" });
    assert.equal(api.requests.at(-1)!.query.get("dryRun"), "All");
    assert.equal(api.requests.at(-1)!.query.get("fieldManager"), "tests");
    await assert.rejects(client.get(CoreV1.configMaps, "dry", { namespace: "ns1" }), NotFoundError);
  } finally {
    client.close();
    await api.stop();
  }
});

Deno.test("list: selectors and limit/continue are sent; listAll follows continue and falls back after 410", async () => {
  const api = await startRecordedApiServer();
  const client = new KubeClient(api.connection());
  try {
    for (let i = 0; i < 7; i++) await api.admin.put(CM, cm(`cm-${i}`, "ns", {}, { app: i % 2 ? "odd" : "even" }));
    const page = await client.list(CoreV1.configMaps, {
      namespace: "ns",
      labelSelector: "app=even",
      fieldSelector: "metadata.name!=x",
      limit: 2,
    });
    assert.equal(page.items.length, 2);
    assert.ok(page.metadata.continue);
    const q = api.requests.at(-1)!.query;
    assert.equal(q.get("labelSelector"), "app=even");
    assert.equal(q.get("fieldSelector"), "metadata.name!=x");
    assert.equal(q.get("limit"), "2");

    const all = await client.listAll(CoreV1.configMaps, { namespace: "ns", limit: 3 });
    assert.deepEqual(all.items.map((i) => i.metadata.name), [0, 1, 2, 3, 4, 5, 6].map((i) => `cm-${i}`));
    assert.equal(api.requests.filter((r) => r.query.get("continue")).length, 2, "pages 2 and 3 of 3+3+1");
    assert.equal(all.metadata.continue, undefined);

    // The continue token expires between pages (410): one unpaginated list replaces the pager.
    // (the second list request of the pager is the one with a continue token)
    api.faults.add({ verb: "list", resource: "configmaps", status: 410, skip: 1, times: 1 });
    const before = api.requests.length;
    const fallback = await client.listAll(CoreV1.configMaps, { namespace: "ns", limit: 4 });
    assert.equal(fallback.items.length, 7);
    const sent = api.requests.slice(before);
    assert.equal(sent.length, 3, "first page, expired second page, fallback");
    assert.equal(sent[2].query.get("limit"), null, "the fallback list is unpaginated");
  } finally {
    client.close();
    await api.stop();
  }
});

Deno.test("watch streams events and bookmarks; 410 as HTTP status and as ERROR event both throw GoneError", async () => {
  for (const goneAsHttpStatus of [false, true]) {
    const api = await startRecordedApiServer({ goneAsHttpStatus, bookmarkIntervalMs: 20 });
    const client = new KubeClient(api.connection());
    try {
      const start = await api.admin.currentResourceVersion();
      await api.admin.put(CM, cm("a", "ns"));
      await api.admin.put(CM, cm("a", "ns", { x: "1" }));
      await api.admin.remove(CM, "ns", "a");
      const ac = new AbortController();
      const seen: string[] = [];
      for await (
        const ev of client.watch(CoreV1.configMaps, {
          namespace: "ns",
          resourceVersion: String(start),
          allowWatchBookmarks: true,
          timeoutSeconds: 30,
          signal: ac.signal,
        })
      ) {
        seen.push(`${ev.type}:${ev.object.metadata.resourceVersion}`);
        if (ev.type === "BOOKMARK") ac.abort();
      }
      assert.deepEqual(seen.slice(0, 3), [`ADDED:${start + 1}`, `MODIFIED:${start + 2}`, `DELETED:${start + 3}`]);
      assert.match(seen[3], /^BOOKMARK:/);
      const q = api.requests.at(-1)!.query;
      assert.equal(q.get("watch"), "true");
      assert.equal(q.get("allowWatchBookmarks"), "true");
      assert.equal(q.get("timeoutSeconds"), "30");

      api.faults.compact();
      await api.admin.put(CM, cm("b", "ns"));
      await assert.rejects(
        (async () => {
          for await (const _ of client.watch(CoreV1.configMaps, { resourceVersion: String(start) })) {
            // nothing may arrive before the error
            assert.fail("no events expected");
          }
        })(),
        GoneError,
      );
    } finally {
      client.close();
      await api.stop();
    }
  }
});

Deno.test("patch: content type per patch type, apply needs fieldManager, force only for apply, subresources", async () => {
  const api = await startRecordedApiServer();
  const client = new KubeClient(api.connection());
  try {
    await api.admin.put(AppsV1.deployments, {
      metadata: { name: "d", namespace: "ns" },
      spec: { replicas: 2 },
    } as KubeObject);
    const patches: Record<PatchType, unknown> = {
      merge: { metadata: { labels: { a: "1" } } },
      strategic: { metadata: { labels: { b: "2" } } },
      json: [{ op: "add", path: "/metadata/labels/c", value: "3" }],
      apply: { metadata: { name: "d", labels: { d: "4" } } },
    };
    for (const [type, body] of Object.entries(patches) as [PatchType, unknown][]) {
      await client.patch(AppsV1.deployments, "d", body, type, {
        namespace: "ns",
        fieldManager: "tests",
        force: type === "apply" ? true : undefined,
      });
      const r = api.requests.at(-1)!;
      assert.equal(r.method, "PATCH");
      assert.equal(r.path, "/apis/apps/v1/namespaces/ns/deployments/d");
      assert.equal(r.headers.get("content-type"), PATCH_CONTENT_TYPES[type]);
      assert.equal(r.query.get("fieldManager"), "tests");
      assert.equal(r.query.get("force"), type === "apply" ? "true" : null);
      if (type === "apply") {
        assert.deepEqual(r.body, { ...(body as object), apiVersion: "apps/v1", kind: "Deployment" });
      } else assert.deepEqual(r.body, body);
    }
    assert.equal(PATCH_CONTENT_TYPES.apply, "application/apply-patch+yaml");
    await assert.rejects(
      client.patch(AppsV1.deployments, "d", {}, "apply", { namespace: "ns" }),
      /fieldManager is required/,
    );
    await assert.rejects(
      client.patch(AppsV1.deployments, "d", {}, "merge", { namespace: "ns", force: true }),
      /force is only valid for server-side apply/,
    );
    await assert.rejects(client.patch(AppsV1.deployments, "d", {}, "json", { namespace: "ns" }), /must be an array/);
    await client.patch(AppsV1.deployments, "d", { status: { ready: 1 } }, "merge", {
      namespace: "ns",
      subresource: "status",
    });
    assert.equal(api.requests.at(-1)!.path, "/apis/apps/v1/namespaces/ns/deployments/d/status");

    const scale = await client.getScale(AppsV1.deployments, "d", { namespace: "ns" });
    assert.equal(scale.spec.replicas, 2);
    await client.updateScale(AppsV1.deployments, "d", 5, { namespace: "ns" });
    const r = api.requests.at(-1)!;
    assert.equal(r.path, "/apis/apps/v1/namespaces/ns/deployments/d/scale");
    assert.equal(r.headers.get("content-type"), "application/merge-patch+json");
    assert.deepEqual(r.body, { spec: { replicas: 5 } });
    assert.equal((await client.getScale(AppsV1.deployments, "d", { namespace: "ns" })).spec.replicas, 5);
    await assert.rejects(client.getScale(CoreV1.configMaps, "x", { namespace: "ns" }), /has no scale subresource/);
    await assert.rejects(client.updateScale(AppsV1.deployments, "d", -1, { namespace: "ns" }), /non-negative integer/);
  } finally {
    client.close();
    await api.stop();
  }
});

Deno.test("delete: options body, preconditions, object with finalizers vs Success status", async () => {
  const api = await startRecordedApiServer();
  const client = new KubeClient(api.connection());
  try {
    const a = await api.admin.put(CM, cm("a", "ns"));
    await assert.rejects(
      client.delete(CoreV1.configMaps, "a", { namespace: "ns", preconditions: { resourceVersion: "1" } }),
      ConflictError,
    );
    // Background: a Foreground delete keeps the object (with the foregroundDeletion finalizer) until the garbage
    // collector releases it, and answers with the object rather than a Status.
    const status = await client.delete(CoreV1.configMaps, "a", {
      namespace: "ns",
      propagationPolicy: "Background",
      gracePeriodSeconds: 0,
      preconditions: { uid: a.metadata.uid, resourceVersion: a.metadata.resourceVersion },
    });
    assert.equal(status.kind, "Status");
    assert.deepEqual(api.requests.at(-1)!.body, {
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: "Background",
      gracePeriodSeconds: 0,
      preconditions: { uid: a.metadata.uid, resourceVersion: a.metadata.resourceVersion },
    });
    await api.admin.put(CM, { ...cm("f", "ns"), metadata: { name: "f", namespace: "ns", finalizers: ["x/y"] } });
    const pending = await client.delete(CoreV1.configMaps, "f", { namespace: "ns" });
    assert.equal(pending.kind, "ConfigMap");
    assert.ok((pending as KubeObject).metadata.deletionTimestamp);
    await assert.rejects(client.delete(CoreV1.configMaps, "gone", { namespace: "ns" }), NotFoundError);
  } finally {
    client.close();
    await api.stop();
  }
});

Deno.test("evict posts a policy/v1 Eviction; 429 carries Retry-After", async () => {
  const api = await startRecordedApiServer();
  const client = new KubeClient(api.connection());
  try {
    await api.admin.put(CoreV1.pods, { metadata: { name: "p", namespace: "ns" } } as KubeObject);
    api.faults.add({ verb: "create", resource: "pods/eviction", status: 429, times: 1, retryAfterSeconds: 11 });
    await assert.rejects(
      client.evict("ns", "p"),
      (e) => e instanceof TooManyRequestsError && e.retryAfterSeconds === 11,
    );
    await client.evict("ns", "p", { deleteOptions: { gracePeriodSeconds: 30 } });
    const r = api.requests.at(-1)!;
    assert.equal(r.path, "/api/v1/namespaces/ns/pods/p/eviction");
    assert.deepEqual(r.body, {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: "p", namespace: "ns" },
      deleteOptions: { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 30 },
    });
    assert.equal(await api.admin.get(CoreV1.pods, "ns", "p"), undefined);
  } finally {
    client.close();
    await api.stop();
  }
});

Deno.test("401 invalidates credentials and retries once; a second 401 is an UnauthorizedError", async () => {
  const api = await startRecordedApiServer({ token: "good-token-0000001" });
  let current = "old-token-00000001";
  let invalidations = 0;
  const client = new KubeClient({
    server: api.url,
    token: () => Promise.resolve(current),
    invalidateCredentials: () => {
      invalidations++;
      current = "good-token-0000001";
    },
  });
  const noRefresh = new KubeClient({ server: api.url, token: () => Promise.resolve("bad-token-00000001") });
  try {
    await client.list(CoordinationV1.leases, { namespace: "ns" });
    assert.equal(invalidations, 1);
    assert.equal(api.requests.length, 2);
    await assert.rejects(noRefresh.list(CoordinationV1.leases, { namespace: "ns" }), UnauthorizedError);
  } finally {
    client.close();
    noRefresh.close();
    await api.stop();
  }
});

Deno.test("client-side QPS limit delays requests on the clock", async () => {
  const api = await startRecordedApiServer();
  const clock = new FakeClock();
  const client = new KubeClient(api.connection(), { qps: 2, burst: 1, clock });
  try {
    await client.list(CoreV1.configMaps);
    const second = client.list(CoreV1.configMaps);
    for (let i = 0; i < 5; i++) await yieldToEventLoop();
    assert.equal(api.requests.length, 1, "the second request waits for a token");
    await clock.advance(500);
    await second;
    assert.equal(api.requests.length, 2);
  } finally {
    client.close();
    await api.stop();
  }
});

Deno.test("requests time out on the clock with RequestTimeoutError; watches do not", async () => {
  const release = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    await release.promise;
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  const clock = new FakeClock();
  const client = new KubeClient({ server: `http://127.0.0.1:${server.addr.port}` }, { clock, timeoutMs: 5000 });
  try {
    const pending = assert.rejects(
      client.get(CoreV1.namespaces, "x"),
      (e) => e instanceof RequestTimeoutError && /no response within 5000 ms/.test(e.message),
    );
    for (let i = 0; i < 5; i++) await yieldToEventLoop();
    await clock.advance(5000);
    await pending;
    const ac = new AbortController();
    const watching = (async () => {
      for await (const _ of client.watch(CoreV1.namespaces, { signal: ac.signal })) { /* nothing */ }
    })();
    await clock.advance(60_000);
    assert.equal(clock.pending(), 0, "no timer armed for the watch");
    ac.abort();
    await watching;
  } finally {
    release.resolve();
    client.close();
    await server.shutdown();
  }
});

Deno.test("HTTPS: CA pinning and mTLS client certificates", async () => {
  const pki = await makeTestPki("alice");
  const other = await makeTestPki("mallory");
  const server = await startTestHttps(pki.server, { clientCa: pki.caPem });
  const client = new KubeClient({
    server: server.url,
    caPem: pki.caPem,
    clientCertPem: pki.client.certPem,
    clientKeyPem: pki.client.keyPem,
  });
  const wrongCa = new KubeClient({ server: server.url, caPem: other.caPem });
  try {
    await client.list(CoreV1.namespaces);
    assert.deepEqual(server.seen.at(-1)?.cn, "alice", "the server verified our client cert");
    assert.equal(server.seen.at(-1)?.auth, undefined);
    await assert.rejects(
      wrongCa.list(CoreV1.namespaces),
      /GET \/api\/v1\/namespaces \(https:\/\/127\.0\.0\.1:\d+\): .*certificate/i,
    );
  } finally {
    client.close();
    wrongCa.close();
    await server.close();
  }
});

Deno.test("HTTPS with insecure-skip-tls-verify goes through node:https and still sends token and client cert", async () => {
  const pki = await makeTestPki("bob");
  const server = await startTestHttps(pki.server, { clientCa: pki.caPem });
  const client = new KubeClient({
    server: server.url,
    insecureSkipTlsVerify: true,
    clientCertPem: pki.client.certPem,
    clientKeyPem: pki.client.keyPem,
    token: () => Promise.resolve("insecure-path-token-1"),
  });
  try {
    const list = await client.list(CoreV1.namespaces);
    assert.equal(list.metadata.resourceVersion, "1");
    assert.equal(server.seen.at(-1)?.cn, "bob");
    assert.equal(server.seen.at(-1)?.auth, "Bearer insecure-path-token-1");
  } finally {
    client.close();
    await server.close();
  }
});
