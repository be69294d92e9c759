import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import {
  applyJsonPatch,
  createJsonPatch,
  type JsonPatchOperation,
  PatchError,
} from "../../../../src/k8s/api/patch/json_patch.ts";
import { randomJson, seededRandom } from "./random_json.ts";

type Vector = { name: string; doc: unknown; patch: unknown[]; expected?: unknown; error?: RegExp };

// The examples of RFC 6902 Appendix A, written out as test vectors.
const RFC6902: Vector[] = [
  {
    name: "A.1 add object member",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz", value: "qux" }],
    expected: { baz: "qux", foo: "bar" },
  },
  {
    name: "A.2 add array element",
    doc: { foo: ["bar", "baz"] },
    patch: [{ op: "add", path: "/foo/1", value: "qux" }],
    expected: { foo: ["bar", "qux", "baz"] },
  },
  {
    name: "A.3 remove object member",
    doc: { baz: "qux", foo: "bar" },
    patch: [{ op: "remove", path: "/baz" }],
    expected: { foo: "bar" },
  },
  {
    name: "A.4 remove array element",
    doc: { foo: ["bar", "qux", "baz"] },
    patch: [{ op: "remove", path: "/foo/1" }],
    expected: { foo: ["bar", "baz"] },
  },
  {
    name: "A.5 replace value",
    doc: { baz: "qux", foo: "bar" },
    patch: [{ op: "replace", path: "/baz", value: "boo" }],
    expected: { baz: "boo", foo: "bar" },
  },
  {
    name: "A.6 move value",
    doc: { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
    patch: [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
    expected: { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
  },
  {
    name: "A.7 move array element",
    doc: { foo: ["all", "grass", "cows", "eat"] },
    patch: [{ op: "move", from: "/foo/1", path: "/foo/3" }],
    expected: { foo: ["all", "cows", "eat", "grass"] },
  },
  {
    name: "A.8 test success",
    doc: { baz: "qux", foo: ["a", 2, "c"] },
    patch: [{ op: "test", path: "/baz", value: "qux" }, { op: "test", path: "/foo/1", value: 2 }],
    expected: { baz: "qux", foo: ["a", 2, "c"] },
  },
  {
    name: "A.9 test error",
    doc: { baz: "qux" },
    patch: [{ op: "test", path: "/baz", value: "bar" }],
    error: /test failed/,
  },
  {
    name: "A.10 add nested member object",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/child", value: { grandchild: {} } }],
    expected: { foo: "bar", child: { grandchild: {} } },
  },
  {
    name: "A.11 unrecognized members are ignored",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz", value: "qux", xyz: 123 }],
    expected: { foo: "bar", baz: "qux" },
  },
  {
    name: "A.12 add to nonexistent target",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz/bat", value: "qux" }],
    error: /path not found/,
  },
  {
    name: "A.14 ~ escape ordering",
    doc: { "/": 9, "~1": 10 },
    patch: [{ op: "test", path: "/~01", value: 10 }],
    expected: { "/": 9, "~1": 10 },
  },
  {
    name: "A.15 strings and numbers differ",
    doc: { "/": 9, "~1": 10 },
    patch: [{ op: "test", path: "/~01", value: "10" }],
    error: /test failed/,
  },
  {
    name: "A.16 add array value with -",
    doc: { foo: ["bar"] },
    patch: [{ op: "add", path: "/foo/-", value: ["abc", "def"] }],
    expected: { foo: ["bar", ["abc", "def"]] },
  },
];

const MORE: Vector[] = [
  { name: "replace root", doc: { a: 1 }, patch: [{ op: "replace", path: "", value: [1] }], expected: [1] },
  {
    name: "add at root replaces",
    doc: { a: 1 },
    patch: [{ op: "add", path: "", value: { b: 2 } }],
    expected: { b: 2 },
  },
  {
    name: "escaped slash key",
    doc: { "a/b": { "c~d": 1 } },
    patch: [{ op: "replace", path: "/a~1b/c~0d", value: 2 }],
    expected: { "a/b": { "c~d": 2 } },
  },
  {
    name: "copy deep-copies",
    doc: { a: { x: [1] } },
    patch: [{ op: "copy", from: "/a", path: "/b" }, { op: "add", path: "/b/x/-", value: 2 }],
    expected: { a: { x: [1] }, b: { x: [1, 2] } },
  },
  {
    name: "test with object order ignored",
    doc: { a: { x: 1, y: 2 } },
    patch: [{ op: "test", path: "/a", value: { y: 2, x: 1 } }],
    expected: { a: { x: 1, y: 2 } },
  },
  {
    name: "replace missing key fails",
    doc: { a: 1 },
    patch: [{ op: "replace", path: "/b", value: 1 }],
    error: /path not found/,
  },
  { name: "remove missing key fails", doc: { a: 1 }, patch: [{ op: "remove", path: "/b" }], error: /path not found/ },
  {
    name: "leading zero index",
    doc: { a: [1, 2] },
    patch: [{ op: "remove", path: "/a/01" }],
    error: /invalid array index/,
  },
  {
    name: "index past end",
    doc: { a: [1, 2] },
    patch: [{ op: "add", path: "/a/3", value: 0 }],
    error: /out of bounds/,
  },
  { name: "- only for add", doc: { a: [1] }, patch: [{ op: "remove", path: "/a/-" }], error: /invalid array index/ },
  {
    name: "move into own child",
    doc: { a: { b: {} } },
    patch: [{ op: "move", from: "/a", path: "/a/b/c" }],
    error: /children/,
  },
  { name: "bad pointer", doc: {}, patch: [{ op: "add", path: "a", value: 1 }], error: /must start with/ },
  { name: "bad escape", doc: {}, patch: [{ op: "add", path: "/a~2", value: 1 }], error: /must be followed by 0 or 1/ },
  { name: "missing value", doc: {}, patch: [{ op: "add", path: "/a" }], error: /missing "value"/ },
  { name: "unknown op", doc: {}, patch: [{ op: "frobnicate", path: "/a" }], error: /unknown operation/ },
  {
    name: "failure names the operation index",
    doc: { a: 1 },
    patch: [{ op: "test", path: "/a", value: 1 }, { op: "remove", path: "/zz" }],
    error: /^operation 1 \(remove \/zz\)/,
  },
];

for (const v of [...RFC6902, ...MORE]) {
  Deno.test(`JSON patch: ${v.name}`, () => {
    const before = structuredClone(v.doc);
    if (v.error) {
      throws(
        () => applyJsonPatch(v.doc, v.patch as JsonPatchOperation[]),
        (e: unknown) => e instanceof PatchError && v.error!.test(e.message),
      );
    } else {
      assertEquals(applyJsonPatch(v.doc, v.patch as JsonPatchOperation[]), v.expected);
    }
    assertEquals(v.doc, before, "the input document must not be modified");
  });
}

Deno.test("createJsonPatch: small patches for small changes", () => {
  assertEquals(createJsonPatch({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 3 } }), [{
    op: "replace",
    path: "/b/c",
    value: 3,
  }]);
  assertEquals(createJsonPatch({ a: 1 }, { a: 1 }), []);
  assertEquals(createJsonPatch({ l: ["a", "b", "c"] }, { l: ["x", "a", "b", "c"] }), [{
    op: "add",
    path: "/l/0",
    value: "x",
  }]);
  assertEquals(createJsonPatch({ l: ["a", "b", "c"] }, { l: ["a", "c"] }), [{ op: "remove", path: "/l/1" }]);
  assertEquals(createJsonPatch({ "a/b": 1 }, {}), [{ op: "remove", path: "/a~1b" }]);
  assertEquals(createJsonPatch(1, "x"), [{ op: "replace", path: "", value: "x" }]);
});

Deno.test("property: applyJsonPatch(a, createJsonPatch(a, b)) equals b on random JSON", () => {
  const rnd = seededRandom(6902);
  for (let i = 0; i < 600; i++) {
    const a = randomJson(rnd, 4);
    // Half the time b is a mutation of a (shared structure), half the time unrelated.
    const b = rnd() < 0.5 ? randomJson(rnd, 4) : mutate(structuredClone(a), rnd);
    const patch = createJsonPatch(a, b);
    const result = applyJsonPatch(a, JSON.parse(JSON.stringify(patch)));
    assertEquals(result, b, `case ${i}: ${JSON.stringify(a)} -> ${JSON.stringify(b)} via ${JSON.stringify(patch)}`);
  }
});

function mutate(v: unknown, rnd: () => number): unknown {
  if (Array.isArray(v)) {
    const r = rnd();
    if (r < 0.25 && v.length) v.splice(Math.floor(rnd() * v.length), 1);
    else if (r < 0.5) v.splice(Math.floor(rnd() * (v.length + 1)), 0, randomJson(rnd, 2));
    else if (v.length) {
      const i = Math.floor(rnd() * v.length);
      v[i] = mutate(v[i], rnd);
    }
    return v;
  }
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    const r = rnd();
    if (r < 0.3 && keys.length) delete o[keys[Math.floor(rnd() * keys.length)]];
    else if (r < 0.6) o[`k${Math.floor(rnd() * 6)}`] = randomJson(rnd, 2);
    else if (keys.length) {
      const k = keys[Math.floor(rnd() * keys.length)];
      o[k] = mutate(o[k], rnd);
    }
    return o;
  }
  return randomJson(rnd, 1);
}
