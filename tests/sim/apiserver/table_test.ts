/** The Table conversion's pure parts: Accept negotiation, kube's ages, the JSONPath subset of printer columns. */
import assert from "node:assert/strict";
import { humanDuration, tableVersionOf, toTable } from "../../../src/sim/apiserver/http/table.ts";
import { findResults } from "../../../src/sim/apiserver/http/jsonpath.ts";
import type { ServedResource } from "../../../src/sim/apiserver/registry/served_resource.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";

Deno.test("table: kubectl's Accept header asks for a v1 Table; plain JSON does not", () => {
  assert.equal(
    tableVersionOf(
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
    ),
    "v1",
  );
  assert.equal(tableVersionOf("application/json;as=Table;v=v1beta1;g=meta.k8s.io"), "v1beta1");
  assert.equal(tableVersionOf("application/json"), undefined);
  assert.equal(tableVersionOf(null), undefined);
});

Deno.test("table: ages as kube's HumanDuration prints them", () => {
  const s = 1000, m = 60 * s, h = 60 * m, d = 24 * h;
  assert.deepEqual(
    [45 * s, 119 * s, 3 * m + 20 * s, 5 * m, 12 * m, 5 * h + 3 * m, 30 * h, 3 * d + 4 * h, 50 * d, 800 * d].map(
      humanDuration,
    ),
    ["45s", "119s", "3m20s", "5m", "12m", "5h3m", "30h", "3d4h", "50d", "2y70d"],
  );
  assert.equal(humanDuration(-5000), "<invalid>");
});

Deno.test("table: the JSONPath subset: fields, brackets, indexes, wildcards, filters", () => {
  const obj = {
    metadata: { labels: { "node.kubernetes.io/role": "worker" } },
    status: { conditions: [{ type: "Ready", status: "True" }, { type: "Other", status: "False" }], list: [1, 2, 3] },
  };
  assert.deepEqual(findResults('.status.conditions[?(@.type=="Ready")].status', obj), ["True"]);
  assert.deepEqual(findResults("{.status.conditions[?(@.type!='Ready')].type}", obj), ["Other"]);
  assert.deepEqual(findResults(".metadata.labels['node.kubernetes.io/role']", obj), ["worker"]);
  assert.deepEqual(findResults(".status.list[-1]", obj), [3]);
  assert.deepEqual(findResults(".status.conditions[*].type", obj), ["Ready", "Other"]);
  assert.deepEqual(findResults(".status.missing.deeper", obj), []);
});

Deno.test("table: a CRD without printer columns gets Name and Age; a missing value is an empty cell", () => {
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);
  const resource = {
    type: { group: "example.com", version: "v1", resource: "things", kind: "Thing", namespaced: true },
    singular: "thing",
    listKind: "ThingList",
    custom: { crdName: "things.example.com", storage: true, printerColumns: [] },
  } as ServedResource;
  const obj = { metadata: { name: "a", creationTimestamp: new Date(now - 90_000).toISOString() } } as KubeObject;
  const t = toTable(resource, [obj], { nowMs: now, version: "v1", includeObject: null }) as {
    columnDefinitions: { name: string }[];
    rows: { cells: unknown[]; object: { kind: string } }[];
  };
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ["Name", "Age"]);
  assert.deepEqual(t.rows[0].cells, ["a", "90s"]);
  assert.equal(t.rows[0].object.kind, "PartialObjectMetadata");
  const withColumn = {
    ...resource,
    custom: { ...resource.custom!, printerColumns: [{ name: "Phase", type: "string", jsonPath: ".status.phase" }] },
  };
  const t2 = toTable(withColumn, [obj], { nowMs: now, version: "v1", includeObject: "None" }) as {
    rows: { cells: unknown[]; object?: unknown }[];
  };
  assert.deepEqual(t2.rows[0], { cells: ["a", null] });
});
