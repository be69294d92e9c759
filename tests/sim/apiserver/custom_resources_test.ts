/** CustomResourceDefinitions: registration, discovery, schema validation, status/scale, versions, removal. */
import assert from "node:assert/strict";
import { loadCrds } from "../../../src/playground/crds.ts";
import { eventually } from "../../support/eventually.ts";
import { type TestApi, withApi } from "./api_test_client.ts";

type Obj = {
  apiVersion: string;
  metadata: { name: string; resourceVersion?: string; generation?: number; finalizers?: string[] };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

const WIDGETS = "/apis/example.com/v1/namespaces/default/widgets";

function widgetCrd(extra: { versions?: unknown[] } = {}) {
  const schema = {
    openAPIV3Schema: {
      type: "object",
      properties: {
        spec: {
          type: "object",
          required: ["size"],
          properties: {
            size: { type: "integer", minimum: 1 },
            color: { type: "string", enum: ["red", "blue"], default: "red" },
            replicas: { type: "integer" },
            extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          },
        },
        status: { type: "object", properties: { ready: { type: "boolean" }, replicas: { type: "integer" } } },
      },
    },
  };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", shortNames: ["wd"], categories: ["fun"] },
      versions: extra.versions ?? [{
        name: "v1",
        served: true,
        storage: true,
        schema,
        subresources: {
          status: {},
          scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
        },
      }],
    },
  };
}

async function installWidgets(api: TestApi, crd = widgetCrd()) {
  const res = await api.post<{ status: { conditions: Array<{ type: string; status: string }> } }>(
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    crd,
  );
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res;
}

Deno.test("a CRD is served at once: discovery, shortNames, categories, status and scale subresources", async () => {
  await withApi(async (api) => {
    const created = await installWidgets(api);
    const established = created.body.status.conditions.find((c) => c.type === "Established");
    assert.equal(established?.status, "True");
    const groups = await api.get<{ groups: Array<{ name: string; preferredVersion: { version: string } }> }>("/apis");
    assert.equal(groups.body.groups.find((g) => g.name === "example.com")?.preferredVersion.version, "v1");
    const list = await api.get<{ resources: Array<Record<string, unknown>> }>("/apis/example.com/v1");
    const names = list.body.resources.map((r) => r.name);
    assert.deepEqual(names, ["widgets", "widgets/status", "widgets/scale"]);
    const main = list.body.resources[0];
    assert.equal(main.kind, "Widget");
    assert.equal(main.singularName, "widget");
    assert.equal(main.namespaced, true);
    assert.deepEqual(main.shortNames, ["wd"]);
    assert.deepEqual(main.categories, ["fun"]);
    assert.deepEqual(list.body.resources[2].group, "autoscaling");
    const w = await api.post<Obj>(WIDGETS, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { size: 2 },
    });
    assert.equal(w.status, 201);
  });
});

Deno.test("custom resources are validated against the schema (422 naming the field), defaulted and pruned", async () => {
  await withApi(async (api) => {
    await installWidgets(api);
    const bad = await api.post<
      { reason: string; message: string; details: { causes: Array<{ field: string; reason: string }> } }
    >(
      WIDGETS,
      { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "bad" }, spec: { size: 0, color: "green" } },
    );
    assert.equal(bad.status, 422);
    assert.equal(bad.body.reason, "Invalid");
    assert.match(bad.body.message, /^Widget\.example\.com "bad" is invalid: \[/);
    const fields = bad.body.details.causes.map((c) => c.field).sort();
    assert.deepEqual(fields, ["spec.color", "spec.size"]);
    const missing = await api.post<{ details: { causes: Array<{ field: string; reason: string }> } }>(WIDGETS, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "m" },
      spec: {},
    });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.details.causes.map((c) => `${c.reason} ${c.field}`), [
      "FieldValueRequired spec.size",
    ]);

    const ok = await api.post<Obj>(WIDGETS, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "ok", labels: { a: "b" } },
      spec: { size: 3, unknownField: 1, extra: { anything: { goes: true } } },
    });
    assert.equal(ok.status, 201);
    assert.deepEqual(ok.body.spec, { size: 3, color: "red", extra: { anything: { goes: true } } });
    assert.match(ok.headers.get("warning") ?? "", /unknown field \\"spec.unknownField\\"/);
    const strict = await api.post<{ message: string }>(`${WIDGETS}?fieldValidation=Strict`, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "strict" },
      spec: { size: 3, unknownField: 1 },
    });
    assert.equal(strict.status, 400);
    assert.match(strict.body.message, /unknown field "spec.unknownField"/);
  });
});

Deno.test("custom resources: status subresource, generation, scale subresource", async () => {
  await withApi(async (api) => {
    await installWidgets(api);
    const w = (await api.post<Obj>(WIDGETS, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { size: 1, replicas: 2 },
      status: { ready: true },
    })).body;
    assert.equal(w.status, undefined, "status is not set on create");
    const st = await api.put<Obj>(`${WIDGETS}/w/status`, { ...w, status: { ready: true, replicas: 1 } });
    assert.deepEqual(st.body.status, { ready: true, replicas: 1 });
    assert.equal(st.body.metadata.generation, 1);
    const scale = await api.get<{ kind: string; spec: { replicas: number }; status: { replicas: number } }>(
      `${WIDGETS}/w/scale`,
    );
    assert.equal(scale.body.kind, "Scale");
    assert.deepEqual(scale.body.spec, { replicas: 2 });
    assert.deepEqual(scale.body.status, { replicas: 1 });
    const scaled = await api.put<{ spec: { replicas: number } }>(`${WIDGETS}/w/scale`, {
      ...scale.body,
      spec: { replicas: 5 },
    });
    assert.equal(scaled.status, 200);
    assert.equal(scaled.body.spec.replicas, 5);
    const after = (await api.get<Obj>(`${WIDGETS}/w`)).body;
    assert.equal(after.spec!.replicas, 5);
    assert.equal(after.metadata.generation, 2);
    const negative = await api.put(`${WIDGETS}/w/scale`, { spec: { replicas: -1 } });
    assert.equal(negative.status, 422);
    const stale = await api.put(`${WIDGETS}/w/scale`, {
      metadata: { resourceVersion: w.metadata.resourceVersion },
      spec: { replicas: 1 },
    });
    assert.equal(stale.status, 409);
  });
});

Deno.test("several served versions share one storage; objects are served in the version asked for", async () => {
  await withApi(async (api) => {
    const schema = { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } };
    await installWidgets(
      api,
      widgetCrd({
        versions: [
          { name: "v1alpha1", served: true, storage: false, schema },
          { name: "v1", served: true, storage: true, schema },
          { name: "v0", served: false, storage: false, schema },
        ],
      }),
    );
    const group = await api.get<{ versions: Array<{ version: string }>; preferredVersion: { version: string } }>(
      "/apis/example.com",
    );
    assert.deepEqual(group.body.versions.map((v) => v.version), ["v1", "v1alpha1"]);
    assert.equal(group.body.preferredVersion.version, "v1");
    const created = await api.post<Obj>("/apis/example.com/v1alpha1/namespaces/default/widgets", {
      apiVersion: "example.com/v1alpha1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { any: 1 },
    });
    assert.equal(created.body.apiVersion, "example.com/v1alpha1");
    const asV1 = await api.get<Obj>(`${WIDGETS}/w`);
    assert.equal(asV1.body.apiVersion, "example.com/v1");
    const w = await api.watch("/apis/example.com/v1alpha1/namespaces/default/widgets");
    const [added] = await w.take(1);
    assert.equal(added.object.apiVersion, "example.com/v1alpha1");
    assert.equal((await api.get("/apis/example.com/v0/namespaces/default/widgets")).status, 404);
  });
});

Deno.test("deleting a CRD deletes its custom resources and stops serving it", async () => {
  await withApi(async (api) => {
    await installWidgets(api);
    await api.post(WIDGETS, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { size: 1 },
    });
    const watch = await api.watch(WIDGETS);
    await watch.take(1);
    const del = await api.delete<Obj>("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
    assert.equal(del.status, 200);
    await eventually(async () => (await api.get("/apis/example.com/v1")).status === 404, {
      description: "group version no longer served",
    });
    assert.equal((await api.get(WIDGETS)).status, 404);
    assert.equal(
      (await api.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")).status,
      404,
    );
    const rest = await watch.rest();
    assert.deepEqual(rest.map((e) => e.type), ["DELETED"]);
    const groups = await api.get<{ groups: Array<{ name: string }> }>("/apis");
    assert.equal(groups.body.groups.some((g) => g.name === "example.com"), false);
  });
});

Deno.test("invalid CRDs are rejected with 422", async () => {
  await withApi(async (api) => {
    const crd = widgetCrd();
    const res = await api.post<{ details: { causes: Array<{ field: string }> } }>(
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      { ...crd, metadata: { name: "wrong.example.com" }, spec: { ...crd.spec, versions: [] } },
    );
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.details.causes.map((c) => c.field).sort(), ["metadata.name", "spec.versions"]);
  });
});

Deno.test("the real MCM CRDs install from crds/ and serve machines with their schema", async () => {
  await withApi(async (api) => {
    await api.server.installCrds(loadCrds({ groups: ["machine"] }));
    const disc = await api.get<{ resources: Array<{ name: string; shortNames?: string[] }> }>(
      "/apis/machine.sapcloud.io/v1alpha1",
    );
    const byName = Object.fromEntries(disc.body.resources.map((r) => [r.name, r]));
    assert.deepEqual(byName.machinedeployments.shortNames, ["mcd"]);
    assert.ok(byName["machinedeployments/scale"]);
    assert.ok(byName["machines/status"]);
    const path = "/apis/machine.sapcloud.io/v1alpha1/namespaces/default/machineclasses";
    const bad = await api.post<{ details: { causes: Array<{ field: string }> } }>(path, {
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "MachineClass",
      metadata: { name: "mc" },
      nodeTemplate: { capacity: {}, instanceType: "c3.small.x86" },
    });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.details.causes.some((c) => c.field === "providerSpec"), JSON.stringify(bad.body));
    // Installing again (an update) is idempotent.
    await api.server.installCrds(loadCrds({ groups: ["machine"] }));
  });
});
