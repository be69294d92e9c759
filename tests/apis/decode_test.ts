import assert from "node:assert/strict";
import { z } from "zod";
import {
  aggregateMessage,
  checkSchema,
  decode,
  decodeTyped,
  type FieldError,
  fieldPath,
  FieldValidationError,
  formatFieldError,
  parseText,
} from "../../src/apis/decode.ts";

const Thing = {
  apiVersion: "example.gardener.cloud/v1",
  kind: "Thing",
  schema: z.object({
    apiVersion: z.string(),
    kind: z.string(),
    name: z.string(),
    count: z.number().int().optional(),
    mode: z.enum(["fast", "slow"]).optional(),
    size: z.union([z.number().int(), z.string()]).optional(),
    items: z.array(z.object({ id: z.string(), tags: z.record(z.string(), z.string()).optional() })).optional(),
    blob: z.record(z.string(), z.unknown()).optional(),
  }),
};

/** Runs `fn`, expects a FieldValidationError and returns its errors. */
function errorsOf(fn: () => unknown): readonly FieldError[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FieldValidationError, `expected FieldValidationError, got ${e}`);
    return e.errors;
  }
  assert.fail("expected a FieldValidationError");
}

const good = { apiVersion: Thing.apiVersion, kind: "Thing", name: "a" };

Deno.test("decodeTyped accepts a valid object, from a value, JSON text, YAML text and bytes", () => {
  const want = { ...good, count: 2, items: [{ id: "x" }] };
  assert.deepEqual(decodeTyped(Thing, want), want);
  assert.deepEqual(decodeTyped(Thing, JSON.stringify(want)), want);
  const yaml = `apiVersion: ${Thing.apiVersion}\nkind: Thing\nname: a\ncount: 2\nitems:\n- id: x\n`;
  assert.deepEqual(decodeTyped(Thing, yaml), want);
  assert.deepEqual(decodeTyped(Thing, new TextEncoder().encode(yaml)), want);
});

Deno.test("unknown fields are rejected with their full path in strict mode, kept in lenient mode", () => {
  const input = { ...good, extra: 1, items: [{ id: "x" }, { id: "y", colour: "red" }], blob: { anything: 1 } };
  const errors = errorsOf(() => decodeTyped(Thing, input, { path: "spec.pools[1].providerConfig" }));
  assert.deepEqual(errors.map((e) => [e.type, e.field]), [
    ["Forbidden", "spec.pools[1].providerConfig.extra"],
    ["Forbidden", "spec.pools[1].providerConfig.items[1].colour"],
  ]);
  assert.equal(errors[0].message, "unknown field");

  const Loose = z.looseObject({ name: z.string(), inner: z.looseObject({ a: z.number() }) });
  const value = { name: "n", inner: { a: 1, b: 2 }, extra: true };
  assert.deepEqual(decode(Loose, value, { mode: "lenient" }), value);
  assert.equal(errorsOf(() => decode(Loose, value)).length, 2);
});

Deno.test("wrong types, missing fields, enums and unions name the nested field", () => {
  const input = {
    ...good,
    name: undefined,
    count: 1.5,
    mode: "medium",
    size: true,
    items: [{ id: 7, tags: { "kubernetes.io/role": 1 } }],
  };
  const errors = errorsOf(() => decodeTyped(Thing, input, { path: "spec.providerConfig" }));
  const byField = new Map(errors.map((e) => [e.field, e]));
  assert.equal(byField.get("spec.providerConfig.name")?.type, "Required");
  assert.equal(byField.get("spec.providerConfig.count")?.type, "Invalid");
  assert.equal(byField.get("spec.providerConfig.count")?.message, "expected an integer, got number with a fraction");
  assert.equal(byField.get("spec.providerConfig.mode")?.type, "NotSupported");
  assert.equal(byField.get("spec.providerConfig.mode")?.message, 'supported values: "fast", "slow"');
  assert.equal(byField.get("spec.providerConfig.size")?.message, "expected a number or a string");
  assert.equal(byField.get("spec.providerConfig.items[0].id")?.message, "expected a string, got number");
  assert.equal(byField.get("spec.providerConfig.items[0].tags[kubernetes.io/role]")?.type, "Invalid");
  assert.equal(errors.length, 6);
});

Deno.test("apiVersion and kind are required and must match; a wrong kind is reported alone", () => {
  assert.deepEqual(
    errorsOf(() => decodeTyped(Thing, { name: "a" }, { path: "p" })).map((e) => [e.type, e.field]),
    [["Required", "p.apiVersion"], ["Required", "p.kind"]],
  );
  const wrong = errorsOf(() => decodeTyped(Thing, { ...good, kind: "Other", bogus: 1 }, { path: "p" }));
  assert.deepEqual(wrong, [{
    type: "NotSupported",
    field: "p.kind",
    message: 'supported values: "Thing"',
    value: "Other",
  }]);
  const version = errorsOf(() => decodeTyped(Thing, { ...good, apiVersion: "example.gardener.cloud/v2" }));
  assert.equal(version[0].field, "apiVersion");
  assert.equal(version[0].type, "NotSupported");
});

Deno.test("non-objects and absent input are errors at the base path", () => {
  assert.deepEqual(
    errorsOf(() => decodeTyped(Thing, [1, 2], { path: "spec.providerConfig" }))[0].field,
    "spec.providerConfig",
  );
  assert.equal(errorsOf(() => decodeTyped(Thing, undefined, { path: "x" }))[0].type, "Required");
  assert.equal(errorsOf(() => decodeTyped(Thing, "", { path: "x" }))[0].type, "Required");
  assert.equal(errorsOf(() => decode(Thing.schema, null, { path: "x" }))[0].field, "x");
});

Deno.test("duplicate keys in YAML and JSON text are reported with their path", () => {
  const yaml = [
    `apiVersion: ${Thing.apiVersion}`,
    "kind: Thing",
    "name: a",
    "items:",
    "- id: x",
    "- id: y",
    "  tags:",
    "    a: b",
    "    a: c",
    "name: b",
  ].join("\n");
  const errors = errorsOf(() => decodeTyped(Thing, yaml, { path: "spec.providerConfig" }));
  assert.deepEqual(errors.map((e) => [e.type, e.field]), [
    ["Duplicate", "spec.providerConfig.items[1].tags[a]"],
    ["Duplicate", "spec.providerConfig.name"],
  ]);
  const json = `{"apiVersion": "${Thing.apiVersion}", "kind": "Thing", "name": "a", "items": [{"id": "x", "id": "z"}]}`;
  assert.deepEqual(errorsOf(() => decodeTyped(Thing, json)).map((e) => e.field), ["items[0].id"]);
});

Deno.test("syntax errors and multiple documents are reported at the base path", () => {
  const errors = errorsOf(() => parseText("a: [1", { path: "spec.providerConfig", object: "Worker ns/w" }));
  assert.equal(errors[0].field, "spec.providerConfig");
  assert.match(errors[0].message, /^cannot parse as JSON or YAML: /);
  assert.ok(!("value" in errors[0]));
  assert.match(errorsOf(() => parseText("a: 1\n---\nb: 2"))[0].message, /multiple documents/);
});

Deno.test("messages follow Kubernetes' field.Error and aggregate format and name the object", () => {
  assert.equal(
    formatFieldError({ type: "Invalid", field: "spec.x", message: "must be y", value: "z" }),
    'spec.x: Invalid value: "z": must be y',
  );
  assert.equal(formatFieldError({ type: "Required", field: "spec.x", message: "" }), "spec.x: Required value");
  assert.equal(
    formatFieldError({ type: "Forbidden", field: "spec.x", message: "unknown field" }),
    "spec.x: Forbidden: unknown field",
  );
  assert.equal(
    formatFieldError({ type: "Duplicate", field: "a[1]", message: "", value: 3 }),
    "a[1]: Duplicate value: 3",
  );
  const errs: FieldError[] = [
    { type: "Required", field: "a", message: "" },
    { type: "NotSupported", field: "b", message: 'supported values: "x"', value: "y" },
  ];
  assert.equal(aggregateMessage(errs), '[a: Required value, b: Unsupported value: "y": supported values: "x"]');
  const err = new FieldValidationError(errs, "Worker shoot--p--s/s");
  assert.equal(err.message, `Worker shoot--p--s/s: ${aggregateMessage(errs)}`);
});

Deno.test("decode names the object from kind and metadata when the caller does not", () => {
  const Obj = z.looseObject({ metadata: z.looseObject({ name: z.string() }), spec: z.looseObject({ n: z.number() }) });
  try {
    const obj = { kind: "Worker", metadata: { name: "w", namespace: "shoot--p--s" }, spec: { n: "1" } };
    decode(Obj, obj, { mode: "lenient" });
    assert.fail("expected an error");
  } catch (e) {
    assert.ok(e instanceof FieldValidationError);
    assert.equal(e.object, "Worker shoot--p--s/w");
    assert.match(e.message, /^Worker shoot--p--s\/w: spec\.n: Invalid value: "1": expected a number, got string$/);
  }
});

Deno.test("fieldPath and checkSchema basics", () => {
  assert.equal(fieldPath("", "spec", "pools", 1, "providerConfig"), "spec.pools[1].providerConfig");
  assert.equal(fieldPath("metadata", "labels", "a.b/c"), "metadata.labels[a.b/c]");
  const { value, errors } = checkSchema(z.object({ a: z.string() }), { a: "x" });
  assert.deepEqual([value, errors], [{ a: "x" }, []]);
  const bad = checkSchema(z.object({ a: z.string() }), { a: 1 }, { path: "root" });
  assert.equal(bad.value, undefined);
  assert.equal(bad.errors[0].field, "root.a");
});

Deno.test("keys named like Object.prototype members are ordinary unknown fields and pollute nothing", () => {
  for (const key of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf"]) {
    const json = `{"apiVersion": "${Thing.apiVersion}", "kind": "Thing", "name": "a", "${key}": {"polluted": 1}}`;
    for (
      const input of [json, JSON.parse(json), `apiVersion: ${Thing.apiVersion}\nkind: Thing\nname: a\n${key}: 1\n`]
    ) {
      const errors = errorsOf(() => decodeTyped(Thing, input, { path: "spec.providerConfig" }));
      assert.deepEqual(errors.map((e) => [e.type, e.field, e.message]), [
        ["Forbidden", `spec.providerConfig.${key}`, "unknown field"],
      ]);
    }
    // Nested in a list item, and as a key of a map whose values have the wrong type.
    const nested = { ...good, items: [{ id: "x", [key]: 1 }] };
    assert.deepEqual(errorsOf(() => decodeTyped(Thing, nested)).map((e) => e.field), [`items[0].${key}`]);
  }
  // A map key `__proto__` cannot be kept in what zod builds: strict decoding refuses it instead of losing it.
  const map = JSON.parse(
    `{"apiVersion": "${Thing.apiVersion}", "kind": "Thing", "name": "a", "blob": {"__proto__": 1}}`,
  );
  assert.deepEqual(errorsOf(() => decodeTyped(Thing, map)).map((e) => [e.type, e.field]), [
    ["Forbidden", "blob[__proto__]"],
  ]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("a YAML alias bomb is a field error naming the object, refused before expansion", () => {
  const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`)}]`);
  }
  const bomb = levels.join("\n") + "\n";
  const Any = z.record(z.string(), z.unknown());
  let err: unknown;
  try {
    decode(Any, bomb, { path: "spec.providerConfig", object: "Worker shoot--p--s/s" });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof FieldValidationError, `expected a FieldValidationError, got ${err}`);
  assert.equal(err.errors[0].field, "spec.providerConfig");
  assert.match(err.message, /^Worker shoot--p--s\/s: spec\.providerConfig: Invalid value: YAML aliases expand to/);

  // Many aliases of a flat list: the yaml package's own limit does not see them (the list holds no alias).
  const wide = `a: &a [${Array(2000).fill(1)}]\nb: [${Array(100).fill("*a")}]\n`;
  assert.match(errorsOf(() => decode(Any, wide))[0].message, /expand to 200000 more nodes/);
  const many = `a: &a 1\nb: [${Array(101).fill("*a")}]\n`;
  assert.match(errorsOf(() => decode(Any, many))[0].message, /too many YAML aliases: 101/);
  // Ordinary use of anchors still works, and an unresolved alias is a field error too.
  assert.deepEqual(decode(Any, "a: &x {k: 1}\nb: *x\n"), { a: { k: 1 }, b: { k: 1 } });
  assert.match(errorsOf(() => decode(Any, "a: *nothing\n"))[0].message, /YAML aliases|cannot parse/);
});

Deno.test("error texts are bounded: the first errors spelled out, the rest counted, long values and keys cut", () => {
  const input = { ...good, items: Array.from({ length: 100_000 }, (_, i) => ({ id: i })) };
  let err: unknown;
  try {
    decodeTyped(Thing, input, { object: "Worker shoot--p--s/s" });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof FieldValidationError);
  assert.equal(err.errors.length, 100_000);
  assert.ok(err.message.length < 20 * 600, `message of ${err.message.length} characters`);
  assert.match(
    err.message,
    /items\[19\]\.id: Invalid value: 19: expected a string, got number, and 99980 more errors\]$/,
  );
  assert.doesNotMatch(err.message, /items\[20\]/);

  const long = "x".repeat(10_000);
  const one = formatFieldError({ type: "Invalid", field: `m[${long}]`, message: long, value: long });
  assert.ok(one.length <= 515, `one error of ${one.length} characters`);
  assert.ok(one.endsWith("..."));
  const value = formatFieldError({ type: "Invalid", field: "f", message: "bad", value: long });
  assert.equal(value, `f: Invalid value: "${"x".repeat(119)}...: bad`);
});
