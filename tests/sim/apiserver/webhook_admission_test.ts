/** The server's writes pass through admission webhooks once webhook configurations exist. */
import assert from "node:assert/strict";
import { generateServingCertificates } from "../../../src/runtime/certificates.ts";
import { configMap, withApi } from "./api_test_client.ts";

type Review = {
  request: {
    uid: string;
    operation: string;
    name: string;
    dryRun: boolean;
    subResource?: string;
    object?: { kind?: string; metadata: { name: string } };
  };
};

/** A webhook server over HTTPS: /mutate adds a label, /validate denies objects named "forbidden". */
async function startWebhook() {
  const certs = await generateServingCertificates();
  const calls: Array<{ path: string; operation: string; name: string; dryRun: boolean; sub?: string; kind?: string }> =
    [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: certs.certPem, key: certs.keyPem, onListen() {} },
    async (req) => {
      const review = await req.json() as Review;
      const path = new URL(req.url).pathname;
      calls.push({
        path,
        operation: review.request.operation,
        name: review.request.name,
        dryRun: review.request.dryRun,
        sub: review.request.subResource,
        kind: review.request.object?.kind,
      });
      const response: Record<string, unknown> = { uid: review.request.uid, allowed: true };
      if (path === "/mutate") {
        const patch = [{ op: "add", path: "/metadata/labels", value: { mutated: "yes" } }];
        response.patchType = "JSONPatch";
        response.patch = btoa(JSON.stringify(patch));
      } else if (review.request.name === "forbidden") {
        response.allowed = false;
        response.status = { code: 403, message: "objects named forbidden are not welcome" };
      }
      return Response.json({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response });
    },
  );
  const url = `https://127.0.0.1:${server.addr.port}`;
  return { url, caBundle: btoa(certs.caPem), calls, stop: () => server.shutdown() };
}

function webhookConfig(kind: "Mutating" | "Validating", url: string, caBundle: string, operations: string[]) {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: `${kind}WebhookConfiguration`,
    metadata: { name: `${kind.toLowerCase()}-test` },
    webhooks: [{
      name: `${kind.toLowerCase()}.example.com`,
      clientConfig: { url: `${url}/${kind === "Mutating" ? "mutate" : "validate"}`, caBundle },
      rules: [{ apiGroups: [""], apiVersions: ["v1"], operations, resources: ["configmaps"] }],
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
      failurePolicy: "Fail",
      timeoutSeconds: 5,
    }],
  };
}

const CM = "/api/v1/namespaces/default/configmaps";

Deno.test("mutating webhooks change what is stored; validating denials become the Status answer", async () => {
  const hook = await startWebhook();
  try {
    await withApi(async (api) => {
      // Without configurations nothing is called.
      assert.equal((await api.post(CM, configMap("before"))).status, 201);
      assert.equal(hook.calls.length, 0);

      const m = await api.post(
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
        webhookConfig("Mutating", hook.url, hook.caBundle, ["CREATE", "UPDATE"]),
      );
      assert.equal(m.status, 201);
      const v = await api.post(
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
        webhookConfig("Validating", hook.url, hook.caBundle, ["CREATE", "DELETE"]),
      );
      assert.equal(v.status, 201);

      const created = await api.post<{ metadata: { labels?: Record<string, string>; uid: string } }>(
        CM,
        configMap("fine"),
      );
      assert.equal(created.status, 201);
      assert.deepEqual(created.body.metadata.labels, { mutated: "yes" });
      const stored = await api.get<{ metadata: { labels?: Record<string, string> } }>(`${CM}/fine`);
      assert.deepEqual(stored.body.metadata.labels, { mutated: "yes" });

      const denied = await api.post<{ code: number; message: string }>(CM, configMap("forbidden"));
      assert.equal(denied.status, 403);
      assert.match(denied.body.message, /denied the request: objects named forbidden are not welcome/);
      assert.equal((await api.get(`${CM}/forbidden`)).status, 404);

      const dry = await api.post(`${CM}?dryRun=All`, configMap("dry"));
      assert.equal(dry.status, 201);
      assert.ok(hook.calls.some((c) => c.name === "dry" && c.dryRun));

      assert.equal((await api.delete(`${CM}/fine`)).status, 200);
      const ops = hook.calls.map((c) => `${c.path} ${c.operation} ${c.name}`);
      assert.ok(ops.includes("/mutate CREATE fine"));
      assert.ok(ops.includes("/validate CREATE fine"));
      assert.ok(ops.includes("/validate DELETE fine"));
      assert.ok(!ops.some((o) => o.startsWith("/mutate DELETE")), "DELETE is not in the mutating rule");
    });
  } finally {
    await hook.stop();
  }
});

Deno.test("a webhook's service reference is routed through the Service's Endpoints", async () => {
  const hook = await startWebhook();
  try {
    await withApi(async (api) => {
      const port = Number(new URL(hook.url).port);
      await api.post("/api/v1/namespaces/default/services", {
        metadata: { name: "hook" },
        spec: { ports: [{ name: "https", port: 443, targetPort: port }] },
      });
      await api.post("/api/v1/namespaces/default/endpoints", {
        metadata: { name: "hook" },
        subsets: [{ addresses: [{ ip: "127.0.0.1" }], ports: [{ name: "https", port }] }],
      });
      const cfg = webhookConfig("Validating", hook.url, hook.caBundle, ["CREATE"]);
      cfg.webhooks[0].clientConfig = {
        service: { namespace: "default", name: "hook", port: 443, path: "/validate" },
        caBundle: hook.caBundle,
      } as unknown as typeof cfg.webhooks[0]["clientConfig"];
      assert.equal(
        (await api.post("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", cfg)).status,
        201,
      );
      assert.equal((await api.post(CM, configMap("forbidden"))).status, 403);
      assert.equal((await api.post(CM, configMap("welcome"))).status, 201);
      assert.deepEqual(hook.calls.map((c) => c.name), ["forbidden", "welcome"]);
    });
  } finally {
    await hook.stop();
  }
});

Deno.test("subresources reach webhooks as their rules say: pods/eviction (CREATE) and deployments/scale (UPDATE)", async () => {
  const hook = await startWebhook();
  try {
    await withApi(async (api) => {
      const cfg = webhookConfig("Validating", hook.url, hook.caBundle, ["CREATE", "UPDATE"]);
      cfg.webhooks[0].rules = [
        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods/eviction"] },
        { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["deployments/scale"] },
      ];
      await api.post("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", cfg);
      for (const name of ["forbidden", "free"]) {
        await api.post("/api/v1/namespaces/default/pods", { metadata: { name }, spec: { containers: [] } });
      }
      const denied = await api.post("/api/v1/namespaces/default/pods/forbidden/eviction", {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name: "forbidden" },
      });
      assert.equal(denied.status, 403);
      assert.equal((await api.get("/api/v1/namespaces/default/pods/forbidden")).status, 200);
      const evicted = await api.post("/api/v1/namespaces/default/pods/free/eviction", { metadata: { name: "free" } });
      assert.equal(evicted.status, 201);

      const deploy = "/apis/apps/v1/namespaces/default/deployments";
      await api.post(deploy, { metadata: { name: "web" }, spec: { replicas: 1, selector: {}, template: {} } });
      await api.put(`${deploy}/web`, (await api.get(deploy + "/web")).body); // main resource: not in the rules
      await api.put(`${deploy}/web/scale`, { spec: { replicas: 2 } });
      assert.deepEqual(hook.calls.map((c) => `${c.operation} ${c.sub} ${c.kind} ${c.name}`), [
        "CREATE eviction Eviction forbidden",
        "CREATE eviction Eviction free",
        "UPDATE scale Scale web",
      ]);
    });
  } finally {
    await hook.stop();
  }
});
