import { assertEquals, assertErrors, errorsOf, validate } from "./schema_helpers.ts";
import { validateAgainstSchema } from "../../../src/sim/apiserver/schema/validation.ts";

const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "object",
  properties,
  ...extra,
});

Deno.test("type: each JSON type is accepted and mismatches get kube's TypeInvalid message", () => {
  const s = obj({
    s: { type: "string" },
    i: { type: "integer" },
    n: { type: "number" },
    b: { type: "boolean" },
    a: { type: "array", items: { type: "string" } },
    o: { type: "object", properties: { x: { type: "string" } } },
  });
  assertEquals(errorsOf(s, { s: "x", i: 3, n: 1.5, b: false, a: ["y"], o: { x: "z" } }), []);
  // number accepts whole numbers too; integer accepts 2.0 (JSON has one number type).
  assertEquals(errorsOf(s, { n: 2, i: 2.0 }), []);
  assertErrors(errorsOf(s, { i: "string" }), [{
    type: "FieldValueTypeInvalid",
    field: "i",
    message: 'Invalid value: "string": i in body must be of type integer: "string"',
  }]);
  assertErrors(errorsOf(s, { i: 1.5 }), [{
    type: "FieldValueTypeInvalid",
    field: "i",
    message: 'Invalid value: "number": i in body must be of type integer: "number"',
  }]);
  assertErrors(errorsOf(s, { s: 1, b: "true", a: {}, o: [] }), [
    { field: "s", message: 'Invalid value: "integer": s in body must be of type string: "integer"' },
    { field: "b", message: 'Invalid value: "string": b in body must be of type boolean: "string"' },
    { field: "a", message: 'Invalid value: "object": a in body must be of type array: "object"' },
    { field: "o", message: 'Invalid value: "array": o in body must be of type object: "array"' },
  ]);
});

Deno.test("paths: nested properties are dotted, list items indexed, map values dotted", () => {
  const s = obj({
    spec: obj({
      pools: { type: "array", items: obj({ minimum: { type: "integer" } }) },
      labels: { type: "object", additionalProperties: { type: "string" } },
    }),
  });
  assertErrors(errorsOf(s, { spec: { pools: [{ minimum: 1 }, { minimum: "x" }], labels: { foo: 3 } } }), [
    { field: "spec.pools[1].minimum" },
    {
      field: "spec.labels.foo",
      message: 'Invalid value: "integer": spec.labels.foo in body must be of type string: "integer"',
    },
  ]);
});

Deno.test("required: missing fields are reported with kube's path and message", () => {
  const s = obj({
    spec: obj({ a: { type: "string" }, b: obj({ c: { type: "string" } }, { required: ["c"] }) }, {
      required: ["a", "b"],
    }),
  }, { required: ["spec"] });
  assertErrors(errorsOf(s, {}), [{ type: "FieldValueRequired", field: "spec", message: "Required value" }]);
  assertErrors(errorsOf(s, { spec: { b: {} } }), [
    { type: "FieldValueRequired", field: "spec.b.c" },
    { type: "FieldValueRequired", field: "spec.a" },
  ]);
});

Deno.test("enum: unsupported values list the supported ones; non-string enum values are JSON", () => {
  const s = obj({ mode: { type: "string", enum: ["a", "b"] }, n: { type: "integer", enum: [1, 2] } });
  assertEquals(errorsOf(s, { mode: "b", n: 2 }), []);
  assertErrors(errorsOf(s, { mode: "x", n: 3 }), [
    { type: "FieldValueNotSupported", field: "mode", message: 'Unsupported value: "x": supported values: "a", "b"' },
    { type: "FieldValueNotSupported", field: "n", message: 'Unsupported value: 3: supported values: "1", "2"' },
  ]);
});

Deno.test("nullable: null allowed only where nullable; non-nullable nulls without default are pruned", () => {
  const s = obj({
    a: { type: "string", nullable: true },
    b: { type: "string" },
    c: { type: "string", default: "dflt" },
    list: { type: "array", items: { type: "string" } },
  });
  const r = validate(s, { a: null, b: null, c: null, list: ["x", null] });
  assertEquals(r.value, { a: null, c: "dflt", list: ["x", null] });
  // Nulls inside lists are not pruned: they fail the item type, as in kube.
  assertErrors(r.errors, [{
    field: "list[1]",
    message: 'Invalid value: "null": list[1] in body must be of type string: "null"',
  }]);
  // Without pruning a null is a type error.
  const unpruned = validateAgainstSchema(s, { b: null }, { prune: false, resourceRoot: false });
  assertErrors(unpruned.errors, [{ field: "b", type: "FieldValueTypeInvalid" }]);
});

Deno.test("x-kubernetes-int-or-string accepts integers and strings only", () => {
  const s = obj({
    v: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
    p: {
      "x-kubernetes-int-or-string": true,
      anyOf: [{ type: "integer" }, { type: "string" }],
      pattern:
        "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
    },
  });
  assertEquals(errorsOf(s, { v: 1, p: "100Mi" }), []);
  assertEquals(errorsOf(s, { v: "25%", p: 5 }), []);
  assertErrors(errorsOf(s, { v: true }), [{
    type: "FieldValueTypeInvalid",
    field: "v",
    message: 'Invalid value: "boolean": v in body must be of type integer,string: "boolean"',
  }]);
  assertErrors(errorsOf(s, { v: 1.5 }), [{ field: "v", type: "FieldValueTypeInvalid" }]);
  assertErrors(errorsOf(s, { p: "lots" }), [{ field: "p", message: /should match/ }]);
});

Deno.test("formats: int32/int64 range, date-time, byte, uuid, date; unknown formats ignored", () => {
  const s = obj({
    i32: { type: "integer", format: "int32" },
    i64: { type: "integer", format: "int64" },
    ts: { type: "string", format: "date-time" },
    b: { type: "string", format: "byte" },
    id: { type: "string", format: "uuid" },
    d: { type: "string", format: "date" },
    other: { type: "string", format: "not-a-kube-format" },
  });
  const ok = {
    i32: 2147483647,
    i64: 2 ** 40,
    ts: "2026-06-30T12:00:00Z",
    b: "aGVsbG8=",
    id: "0f3a8c2e-5b1d-4e7a-9c6b-2d4e8f1a3b5c",
    d: "2024-02-29",
    other: "anything",
  };
  assertEquals(errorsOf(s, ok), []);
  assertEquals(errorsOf(s, { ts: "2026-06-30t12:00:00.123+02:00", id: "0F3A8C2E5B1D4E7A9C6B2D4E8F1A3B5C" }), []);
  assertErrors(errorsOf(s, { i32: 2147483648 }), [{
    type: "FieldValueInvalid",
    field: "i32",
    message: "Invalid value: 2147483648: Checked value must be of type integer with format int32 in i32",
  }]);
  assertErrors(errorsOf(s, { ts: "2026-06-30 12:00:00" }), [{
    type: "FieldValueTypeInvalid",
    field: "ts",
    message: 'Invalid value: "2026-06-30 12:00:00": ts in body must be of type date-time: "2026-06-30 12:00:00"',
  }]);
  assertErrors(errorsOf(s, { ts: "2026-06-30T25:00:00Z" }), [{ field: "ts" }]);
  assertErrors(errorsOf(s, { b: "not base64!" }), [{ field: "b", message: /must be of type byte/ }]);
  assertErrors(errorsOf(s, { id: "1234" }), [{ field: "id", message: /must be of type uuid/ }]);
  assertErrors(errorsOf(s, { d: "2023-02-29" }), [{ field: "d", message: /must be of type date/ }]);
});

Deno.test("string bounds and pattern (Go syntax, rune counting)", () => {
  const s = obj({
    name: { type: "string", minLength: 2, maxLength: 5, pattern: "^[a-z]+$" },
    mode: { type: "string", pattern: "^(?i)(abort|warn)?$" },
    posix: { type: "string", pattern: "^[[:alpha:]]+$" },
  });
  assertEquals(errorsOf(s, { name: "abc", mode: "WARN", posix: "Abc" }), []);
  assertErrors(errorsOf(s, { posix: "abc1" }), [{ field: "posix", message: /should match/ }]);
  // Two runes but four UTF-16 units: within maxLength as kube counts.
  assertEquals(errorsOf(obj({ e: { type: "string", maxLength: 2 } }), { e: "😀😀" }), []);
  assertErrors(errorsOf(s, { name: "abcdef" }), [{
    type: "FieldValueTooLong",
    field: "name",
    message: "Too long: may not be longer than 5",
  }]);
  assertErrors(errorsOf(s, { name: "a" }), [{
    type: "FieldValueInvalid",
    message: 'Invalid value: "a": name in body should be at least 2 chars long',
  }]);
  assertErrors(errorsOf(s, { name: "AB" }), [{
    message: `Invalid value: "AB": name in body should match '^[a-z]+$'`,
  }]);
  assertErrors(errorsOf(s, { mode: "panic" }), [{ field: "mode" }]);
});

Deno.test("number bounds: minimum/maximum with exclusive flags, multipleOf", () => {
  const s = obj({
    a: { type: "integer", minimum: 0, maximum: 10 },
    b: { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true },
    c: { type: "integer", multipleOf: 5 },
  });
  assertEquals(errorsOf(s, { a: 0, b: 0.5, c: 15 }), []);
  assertEquals(errorsOf(s, { a: 10 }), []);
  assertErrors(errorsOf(s, { a: -1 }), [{
    message: "Invalid value: -1: a in body should be greater than or equal to 0",
  }]);
  assertErrors(errorsOf(s, { a: 11 }), [{
    message: "Invalid value: 11: a in body should be less than or equal to 10",
  }]);
  assertErrors(errorsOf(s, { b: 0 }), [{ message: "Invalid value: 0: b in body should be greater than 0" }]);
  assertErrors(errorsOf(s, { b: 1 }), [{ message: "Invalid value: 1: b in body should be less than 1" }]);
  assertErrors(errorsOf(s, { c: 7 }), [{ message: "Invalid value: 7: c in body should be a multiple of 5" }]);
});

Deno.test("array and object size bounds", () => {
  const s = obj({
    l: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 2 },
    m: { type: "object", additionalProperties: { type: "string" }, minProperties: 1, maxProperties: 2 },
  });
  assertEquals(errorsOf(s, { l: ["a"], m: { a: "1" } }), []);
  assertErrors(errorsOf(s, { l: [] }), [{
    type: "FieldValueInvalid",
    message: "Invalid value: 0: l in body should have at least 1 items",
  }]);
  assertErrors(errorsOf(s, { l: ["a", "b", "c"] }), [{
    type: "FieldValueTooMany",
    message: "Too many: 3: must have at most 2 items",
  }]);
  assertErrors(errorsOf(s, { m: {} }), [{ message: "Invalid value: 0: m in body should have at least 1 properties" }]);
  assertErrors(errorsOf(s, { m: { a: "1", b: "2", c: "3" } }), [{ type: "FieldValueTooMany", field: "m" }]);
});

Deno.test("x-kubernetes-list-type set and map reject duplicates (items without a key are unique)", () => {
  const s = obj({
    tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
    ports: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["port", "protocol"],
      items: obj({ port: { type: "integer" }, protocol: { type: "string", default: "TCP" } }, { required: ["port"] }),
    },
    atomic: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "atomic" },
  });
  assertEquals(
    errorsOf(s, { tags: ["a", "b"], atomic: ["x", "x"], ports: [{ port: 80 }, { port: 80, protocol: "UDP" }] }),
    [],
  );
  assertErrors(errorsOf(s, { tags: ["a", "b", "a"] }), [{
    type: "FieldValueDuplicate",
    field: "tags[2]",
    message: 'Duplicate value: "a"',
  }]);
  // The defaulted protocol makes the two items equal.
  assertErrors(errorsOf(s, { ports: [{ port: 80 }, { port: 80, protocol: "TCP" }] }), [{
    type: "FieldValueDuplicate",
    field: "ports[1]",
    message: 'Duplicate value: {"port":80,"protocol":"TCP"}',
  }]);
});

Deno.test("anyOf/allOf/oneOf/not in their value-validation role", () => {
  const s = obj({
    any: {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "string" } },
      anyOf: [{ required: ["a"] }, { required: ["b"] }],
    },
    one: {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "string" } },
      oneOf: [{ required: ["a"] }, { required: ["b"] }],
    },
    all: { type: "integer", allOf: [{ minimum: 1 }, { maximum: 5 }] },
    not: { type: "string", not: { enum: ["forbidden"] } },
  });
  assertEquals(errorsOf(s, { any: { b: "x" }, one: { a: "x" }, all: 3, not: "fine" }), []);
  assertErrors(errorsOf(s, { any: {} }), [
    { field: "any", message: 'Invalid value: "": "any" must validate at least one schema (anyOf)' },
    { field: "any.a", type: "FieldValueRequired" },
  ]);
  assertErrors(errorsOf(s, { one: { a: "x", b: "y" } }), [{
    field: "one",
    message: 'Invalid value: "": "one" must validate one and only one schema (oneOf). Found 2 valid alternatives',
  }]);
  assertErrors(
    errorsOf(s, { all: 9 }),
    [
      { field: "all", message: /less than or equal to 5/ },
      { field: "all", message: '"all" must validate all the schemas (allOf)' },
    ].map((e) => e.message instanceof RegExp ? e : { ...e, message: `Invalid value: "": ${e.message}` }),
  );
  assertErrors(errorsOf(s, { not: "forbidden" }), [{ field: "not", message: /must not validate the schema \(not\)/ }]);
});

Deno.test("x-kubernetes-validations (CEL) are ignored", () => {
  const s = obj({ spec: obj({ a: { type: "integer" } }, { "x-kubernetes-validations": [{ rule: "self.a > 100" }] }) });
  assertEquals(errorsOf(s, { spec: { a: 1 } }), []);
});

Deno.test("additionalProperties false forbids unknown keys when not pruning; pruning drops them silently", () => {
  const s = obj({ a: { type: "string" } }, { additionalProperties: false });
  const unpruned = validateAgainstSchema(s, { a: "x", b: 1 }, { prune: false, resourceRoot: false });
  assertErrors(unpruned.errors, [{ field: "", message: 'Invalid value: "b": b in body is a forbidden property' }]);
  const pruned = validate(s, { a: "x", b: 1 });
  assertEquals(pruned, { value: { a: "x" }, errors: [] });
});
