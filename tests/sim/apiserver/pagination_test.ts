/** List pagination: continue tokens never skip or duplicate items of an unchanged list. */
import assert from "node:assert/strict";
import { ContinueTokenError, decodeContinue, paginate } from "../../../src/sim/apiserver/storage/pagination.ts";

const items = Array.from({ length: 23 }, (_, i) => ({ key: `ns/obj-${String(i).padStart(2, "0")}`, item: i }));

Deno.test("pages of a list cover every item exactly once, with remaining counts", () => {
  const seen: number[] = [];
  let start: string | undefined;
  let pages = 0;
  for (;;) {
    const page = paginate(items, { limit: 5, start, rv: 7 });
    seen.push(...page.items);
    pages++;
    if (!page.continueToken) {
      assert.equal(page.remaining, undefined);
      break;
    }
    assert.equal(page.remaining, 23 - seen.length);
    const decoded = decodeContinue(page.continueToken);
    assert.equal(decoded.rv, 7);
    start = decoded.start;
  }
  assert.equal(pages, 5);
  assert.deepEqual(seen, items.map((e) => e.item));
});

Deno.test("a page continues after the last key even if it was deleted meanwhile", () => {
  const first = paginate(items, { limit: 3, rv: 1 });
  const { start } = decodeContinue(first.continueToken!);
  const without = items.filter((e) => e.item !== 2);
  assert.deepEqual(paginate(without, { limit: 2, start, rv: 1 }).items, [3, 4]);
});

Deno.test("no limit returns everything without a token; bad tokens are rejected", () => {
  assert.deepEqual(paginate(items, { rv: 1 }).items.length, 23);
  assert.equal(paginate(items, { rv: 1, limit: 23 }).continueToken, undefined);
  assert.throws(() => decodeContinue("not-a-token"), ContinueTokenError);
  assert.throws(() => decodeContinue(btoa(JSON.stringify({ v: "other", rv: 1, start: "x" }))), ContinueTokenError);
});
