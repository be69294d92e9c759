import { assertEquals, assertErrors, validate } from "./schema_helpers.ts";
import { validateAgainstSchema } from "../../../src/sim/apiserver/schema/validation.ts";
import { checkStructuralSchema } from "../../../src/sim/apiserver/schema/check.ts";

const resourceSchema = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      properties: {
        replicas: { type: "integer", default: 1 },
        strategy: {
          type: "object",
          default: { type: "RollingUpdate" },
          properties: { type: { type: "string" }, maxSurge: { type: "integer", default: 1 } },
        },
        pools: {
          type: "array",
          items: {
            type: "object",
            properties: { name: { type: "string" }, zone: { type: "string", default: "da" } },
          },
        },
        labels: { type: "object", additionalProperties: { type: "string", default: "x" } },
        providerConfig: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        partlyKnown: {
          type: "object",
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { nested: { type: "object", properties: { keep: { type: "string" } } } },
        },
        anything: { type: "object", additionalProperties: true },
        manifest: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          "x-kubernetes-preserve-unknown-fields": true,
        },
        strictManifest: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          properties: { data: { type: "object", additionalProperties: { type: "string" } } },
        },
      },
    },
  },
};

Deno.test("defaults: absent fields, nested defaults inside defaults, list items and map values", () => {
  const r = validateAgainstSchema(resourceSchema, {
    apiVersion: "x/v1",
    kind: "X",
    metadata: { name: "a" },
    spec: { pools: [{ name: "p1" }, { name: "p2", zone: "ny" }], labels: { a: "b", c: null } },
  });
  assertEquals(r.errors, []);
  assertEquals(r.value, {
    apiVersion: "x/v1",
    kind: "X",
    metadata: { name: "a" },
    spec: {
      replicas: 1,
      strategy: { type: "RollingUpdate", maxSurge: 1 },
      pools: [{ name: "p1", zone: "da" }, { name: "p2", zone: "ny" }],
      labels: { a: "b", c: "x" },
    },
  });
});

Deno.test("defaults are not applied to objects that do not exist, and can be switched off", () => {
  const r = validateAgainstSchema(resourceSchema, { apiVersion: "x/v1", kind: "X", metadata: {} });
  assertEquals(r.value, { apiVersion: "x/v1", kind: "X", metadata: {} });
  const off = validateAgainstSchema(resourceSchema, { spec: {} }, { applyDefaults: false });
  assertEquals(off.value, { spec: {} });
});

Deno.test("the caller's object is never modified", () => {
  const input = { spec: { unknown: 1, pools: [{ name: "a", extra: true }] } };
  const before = structuredClone(input);
  validateAgainstSchema(resourceSchema, input);
  assertEquals(input, before);
});

Deno.test("pruning drops unknown fields silently at every level and reports their paths", () => {
  const pruned: string[] = [];
  const r = validateAgainstSchema(resourceSchema, {
    apiVersion: "x/v1",
    kind: "X",
    metadata: { name: "a", whatever: "kept: the server owns root metadata" },
    topLevel: true,
    spec: {
      replicas: 2,
      strategy: { type: "Recreate", maxSurge: 0, bogus: 1 },
      unknownField: { a: 1 },
      pools: [{ name: "p", zone: "da", extra: "x" }],
    },
  }, { onPruned: (p) => pruned.push(p) });
  assertEquals(r.errors, []);
  assertEquals(r.value, {
    apiVersion: "x/v1",
    kind: "X",
    metadata: { name: "a", whatever: "kept: the server owns root metadata" },
    spec: { replicas: 2, strategy: { type: "Recreate", maxSurge: 0 }, pools: [{ name: "p", zone: "da" }] },
  });
  assertEquals(pruned.sort(), ["spec.pools[0].extra", "spec.strategy.bogus", "spec.unknownField", "topLevel"]);
});

Deno.test("x-kubernetes-preserve-unknown-fields stops pruning below, but declared properties are still pruned", () => {
  const r = validateAgainstSchema(resourceSchema, {
    spec: {
      providerConfig: { apiVersion: "p/v1", deep: { er: [1, { x: 2 }] } },
      partlyKnown: { free: { a: 1 }, nested: { keep: "k", drop: "d" } },
      anything: { a: { b: "c" } },
    },
  }, { applyDefaults: false });
  assertEquals(r.errors, []);
  assertEquals(r.value, {
    spec: {
      providerConfig: { apiVersion: "p/v1", deep: { er: [1, { x: 2 }] } },
      partlyKnown: { free: { a: 1 }, nested: { keep: "k" } },
      anything: { a: { b: "c" } },
    },
  });
});

Deno.test("x-kubernetes-embedded-resource keeps apiVersion/kind/metadata, reduces metadata to ObjectMeta", () => {
  const r = validateAgainstSchema(resourceSchema, {
    spec: {
      manifest: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "cm", labels: { a: "b" }, junk: 1 },
        data: { k: "v" },
      },
      strictManifest: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s" },
        data: { k: "djE=" },
        type: "Opaque",
      },
    },
  }, { applyDefaults: false });
  assertEquals(r.errors, []);
  assertEquals(r.value, {
    spec: {
      manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", labels: { a: "b" } }, data: { k: "v" } },
      strictManifest: { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: "djE=" } },
    },
  });
});

Deno.test("embedded resources need apiVersion and kind and sane metadata", () => {
  const r = validateAgainstSchema(resourceSchema, {
    spec: {
      manifest: { metadata: { name: "a/b", labels: { "bad key": "v" } } },
      strictManifest: { apiVersion: "a/b/c", kind: "9lives" },
    },
  }, { applyDefaults: false });
  assertErrors(r.errors, [
    { field: "spec.manifest.apiVersion", type: "FieldValueRequired" },
    { field: "spec.manifest.kind", type: "FieldValueRequired" },
    { field: "spec.manifest.metadata.name", message: `Invalid value: "a/b": may not contain '/'` },
    { field: "spec.manifest.metadata.labels", message: /^Invalid value: "bad key": name part must consist/ },
    {
      field: "spec.strictManifest.apiVersion",
      message: 'Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
    },
    { field: "spec.strictManifest.kind", message: /^Invalid value: "9lives": may have mixed case/ },
  ]);
});

Deno.test("root metadata: only name/generateName constraints of the schema are checked", () => {
  const schema = {
    type: "object",
    properties: { metadata: { type: "object", properties: { name: { type: "string", maxLength: 5 } } } },
  };
  assertEquals(validateAgainstSchema(schema, { metadata: { name: "short", labels: { x: "y" } } }).errors, []);
  assertErrors(validateAgainstSchema(schema, { metadata: { name: "much-too-long" } }).errors, [{
    field: "metadata.name",
    type: "FieldValueTooLong",
  }]);
});

Deno.test("a type: object without properties prunes everything below it (as kube does)", () => {
  assertEquals(validate({ type: "object", properties: { o: { type: "object" } } }, { o: { a: 1 } }).value, { o: {} });
});

Deno.test("checkStructuralSchema accepts structural schemas and names every problem", () => {
  assertEquals(checkStructuralSchema(resourceSchema), []);
  const bad = {
    type: "object",
    properties: {
      a: { properties: {} },
      b: { type: "array" },
      c: { type: "strin" },
      d: { type: "string", pattern: "([a-z]" },
      e: { type: "integer", default: "one" },
      f: { type: "object", properties: { x: { type: "string" } }, default: { x: "1", y: "2" } },
      g: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        items: { type: "object", properties: { name: { type: "string" } } },
      },
      h: { type: "object", properties: { x: { type: "string" } }, additionalProperties: { type: "string" } },
    },
  };
  assertErrors(checkStructuralSchema(bad), [
    { field: "openAPIV3Schema.properties[a].type", type: "FieldValueRequired" },
    { field: "openAPIV3Schema.properties[b].items", type: "FieldValueRequired" },
    { field: "openAPIV3Schema.properties[c].type", type: "FieldValueNotSupported" },
    { field: "openAPIV3Schema.properties[d].pattern", type: "FieldValueInvalid" },
    { field: "openAPIV3Schema.properties[e].default", message: /must be of type integer/ },
    { field: "openAPIV3Schema.properties[f].default", message: /must not have unknown fields/ },
    { field: "openAPIV3Schema.properties[g].items.properties[name]", type: "FieldValueRequired" },
    { field: "openAPIV3Schema.properties[h].additionalProperties", type: "FieldValueForbidden" },
  ]);
});
