import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { applyMergePatch, createMergePatch } from "../../../../src/k8s/api/patch/merge_patch.ts";
import { randomJson, seededRandom } from "./random_json.ts";

// The test cases of RFC 7386 Appendix A: [original, patch, result].
const RFC7386: Array<[unknown, unknown, unknown]> = [
  [{ a: "b" }, { a: "c" }, { a: "c" }],
  [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  [{ a: "b" }, { a: null }, {}],
  [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
  [{ a: ["b"] }, { a: "c" }, { a: "c" }],
  [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
  [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [["a", "b"], ["c", "d"], ["c", "d"]],
  [{ a: "b" }, ["c"], ["c"]],
  [{ a: "foo" }, null, null],
  [{ a: "foo" }, "bar", "bar"],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: "b", c: null }, { a: "b" }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

RFC7386.forEach(([original, patch, result], i) => {
  Deno.test(`merge patch: RFC 7386 Appendix A case ${i + 1}`, () => {
    const before = structuredClone(original);
    assertEquals(applyMergePatch(original, patch), result);
    assertEquals(original, before);
  });
});

Deno.test("merge patch: the RFC 7386 section 3 example", () => {
  const target = {
    title: "Goodbye!",
    author: { givenName: "John", familyName: "Doe" },
    tags: ["example", "sample"],
    content: "This will be unchanged",
  };
  const patch = { title: "Hello!", phoneNumber: "+01-123-456-7890", author: { familyName: null }, tags: ["example"] };
  assertEquals(applyMergePatch(target, patch), {
    title: "Hello!",
    author: { givenName: "John" },
    tags: ["example"],
    content: "This will be unchanged",
    phoneNumber: "+01-123-456-7890",
  });
});

Deno.test("createMergePatch: the smallest patch", () => {
  assertEquals(createMergePatch({ a: 1, b: { c: 1, d: 2 }, e: [1] }, { a: 1, b: { c: 2, d: 2 }, e: [1, 2] }), {
    b: { c: 2 },
    e: [1, 2],
  });
  assertEquals(createMergePatch({ a: 1, b: 2 }, { b: 2 }), { a: null });
  assertEquals(createMergePatch({ a: 1 }, { a: 1 }), {});
  assertEquals(createMergePatch({ a: 1 }, [1]), [1]);
});

Deno.test("property: applyMergePatch(a, createMergePatch(a, b)) equals b where b is representable", () => {
  const rnd = seededRandom(7386);
  for (let i = 0; i < 600; i++) {
    const a = randomJson(rnd, 4);
    // Null members of objects mean "delete" in a merge patch, so b has none.
    const b = randomJson(rnd, 4, { nullInObjects: false });
    const patch = createMergePatch(a, b);
    assertEquals(applyMergePatch(a, patch), b, `case ${i}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
  }
});
