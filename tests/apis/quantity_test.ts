import assert from "node:assert/strict";
import { isQuantity, parseQuantity, sameQuantity } from "../../src/apis/quantity.ts";

Deno.test("parseQuantity converts every suffix form", () => {
  const cases: [string, number][] = [
    ["25Gi", 25 * 2 ** 30],
    ["1Ki", 1024],
    ["1.5Mi", 1.5 * 2 ** 20],
    ["500m", 0.5],
    ["2k", 2000],
    ["1M", 1e6],
    ["3", 3],
    ["1e3", 1000],
    ["1E3", 1000],
    ["2.5e-1", 0.25],
    ["1E", 1e18],
    [".5", 0.5],
    ["+1", 1],
    ["-1Gi", -(2 ** 30)],
  ];
  for (const [text, want] of cases) assert.equal(parseQuantity(text), want, text);
  assert.equal(parseQuantity(42), 42);
});

Deno.test("invalid quantities are rejected", () => {
  for (const text of ["", "25GB", "1e", "Gi", "1 Gi", "1.2.3", "0x10", "1ki"]) {
    assert.equal(isQuantity(text), false, text);
    assert.throws(() => parseQuantity(text), RangeError, text);
  }
  assert.throws(() => parseQuantity(Number.POSITIVE_INFINITY), RangeError);
});

Deno.test("sameQuantity compares values; texts that are not quantities compare as text", () => {
  assert.ok(sameQuantity("1000", "1k"));
  assert.ok(sameQuantity("1024Mi", "1Gi"));
  assert.ok(sameQuantity(3, "3"));
  assert.ok(sameQuantity("500m", "0.5"));
  assert.ok(!sameQuantity("1k", "1Ki"));
  assert.ok(sameQuantity("abc", "abc"));
  assert.ok(!sameQuantity("abc", "abd"));
});
