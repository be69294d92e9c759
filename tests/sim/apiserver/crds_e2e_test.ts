/**
 * End to end through the fake API server: every vendored CRD (crds/) installs, the valid objects of the kinds we
 * write are created (201), invalid ones are refused with 422 naming the field in `details.causes`, and unknown
 * fields are pruned from what is stored.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { INVALID_CASES, VALID_OBJECTS } from "./crds_examples.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { captureLogs } from "../../../src/observability/log.ts";
import { type ApiServer, startApiServer } from "../../../src/sim/apiserver/mod.ts";

interface Crd {
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string };
    versions: Array<{ name: string; storage: boolean }>;
  };
}

interface Api {
  server: ApiServer;
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

async function startApi(): Promise<Api> {
  const server = await startApiServer({ namespaces: ["default", "shoot--dev--metal"] });
  const client = Deno.createHttpClient({ caCerts: server.caPem ? [server.caPem] : [] });
  return {
    server,
    async request(method, path, body) {
      const res = await fetch(server.url + path, {
        method,
        client,
        headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      client.close();
      await server.stop();
    },
  };
}

function collectionPath(crd: Crd, namespace?: string): string {
  const version = crd.spec.versions.find((v) => v.storage)!.name;
  const ns = crd.spec.scope === "Namespaced" ? `/namespaces/${namespace}` : "";
  return `/apis/${crd.spec.group}/${version}${ns}/${crd.spec.names.plural}`;
}

Deno.test("e2e: the vendored CRDs install; valid objects are created, invalid ones get 422 with the field path", async () => {
  const logs = captureLogs();
  const api = await startApi();
  try {
    const crds = loadCrds();
    await api.server.installCrds(crds as KubeObject[]);
    const byKind = new Map((crds as unknown as Crd[]).map((c) => [c.spec.names.kind, c]));

    // Every CRD is served: an empty list answers 200.
    for (const crd of crds as unknown as Crd[]) {
      const list = await api.request("GET", collectionPath(crd, "default"));
      assertEquals(list.status, 200, `${crd.spec.names.plural}.${crd.spec.group}: ${JSON.stringify(list.body)}`);
    }

    for (const [kind, obj] of Object.entries(VALID_OBJECTS)) {
      const crd = byKind.get(kind)!;
      const created = await api.request("POST", collectionPath(crd, obj.metadata.namespace), obj);
      assertEquals(created.status, 201, `${kind}: ${JSON.stringify(created.body)}`);
    }

    for (const c of INVALID_CASES) {
      const obj = structuredClone(VALID_OBJECTS[c.kind]) as Record<string, unknown> & KubeObject;
      obj.metadata = { ...obj.metadata, name: `invalid-${INVALID_CASES.indexOf(c)}` };
      c.mutate(obj);
      const res = await api.request("POST", collectionPath(byKind.get(c.kind)!, obj.metadata.namespace), obj);
      assertEquals(res.status, 422, `${c.kind} (${c.what}): ${JSON.stringify(res.body)}`);
      assertEquals(res.body.reason, "Invalid");
      const causes = ((res.body.details as { causes?: Array<{ field?: string; reason?: string }> })?.causes ?? [])
        .map((cause) => `${cause.field} ${cause.reason}`).sort();
      assertEquals(causes, c.errors.map((e) => `${e.field} ${e.type}`).sort(), `${c.kind}: ${c.what}`);
    }

    // Unknown fields are pruned from the stored object; preserved ones are kept.
    const worker = structuredClone(VALID_OBJECTS.Worker) as Record<string, unknown> & KubeObject;
    worker.metadata = { ...worker.metadata, name: "pruned" };
    (worker.spec as Record<string, unknown>).unknownField = "dropped";
    const wcrd = byKind.get("Worker")!;
    assertEquals((await api.request("POST", collectionPath(wcrd, worker.metadata.namespace), worker)).status, 201);
    const stored = await api.request("GET", `${collectionPath(wcrd, worker.metadata.namespace)}/pruned`);
    const spec = stored.body.spec as Record<string, unknown>;
    ok(!("unknownField" in spec));
    assertEquals(
      (spec.pools as Array<Record<string, unknown>>)[0].providerConfig,
      (VALID_OBJECTS.Worker.spec as { pools: Array<Record<string, unknown>> }).pools[0].providerConfig,
    );
  } finally {
    await api.close();
    logs.restore();
  }
});
