/** One entry of a named list exactly once, in the place of the first old one. */
import assert from "node:assert/strict";
import { upsertOnce } from "../../../src/extension/controlplanewebhook/upsert.ts";

const byName = (name: string) => (item: { name: string }) => item.name === name;

Deno.test("upsert: appended when absent, also to an undefined list", () => {
  assert.deepEqual(upsertOnce(undefined, byName("x"), { name: "x" }), [{ name: "x" }]);
  assert.deepEqual(upsertOnce([{ name: "a" }], byName("x"), { name: "x" }), [{ name: "a" }, { name: "x" }]);
});

Deno.test("upsert: replaces the first match in place and drops the others; the input stays as it was", () => {
  const items = [{ name: "x", v: 1 }, { name: "a", v: 0 }, { name: "x", v: 2 }];
  const out = upsertOnce(items, byName("x"), { name: "x", v: 3 });
  assert.deepEqual(out, [{ name: "x", v: 3 }, { name: "a", v: 0 }]);
  assert.equal(items.length, 3);
  assert.deepEqual(upsertOnce(out, byName("x"), { name: "x", v: 3 }), out);
});
