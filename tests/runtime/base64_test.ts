import assert from "node:assert/strict";
import { decodeBase64, decodeBase64Text, encodeBase64 } from "../../src/runtime/base64.ts";

Deno.test("base64: UTF-8 text round-trips, with padding on the way out", () => {
  assert.equal(encodeBase64("grüße"), "Z3LDvMOfZQ==");
  assert.equal(decodeBase64Text("Z3LDvMOfZQ=="), "grüße");
});

Deno.test("base64: whitespace (wrapped PEM-style data) and a missing final padding are accepted", () => {
  assert.equal(decodeBase64Text("aGVs\nbG8g d29y\r\nbGQ"), "hello world");
});

Deno.test("base64: a character outside the alphabet, or bytes that are not UTF-8, are errors", () => {
  assert.throws(() => decodeBase64("aGVs$G8="), SyntaxError);
  assert.throws(() => decodeBase64Text(encodeBase64(new Uint8Array([0xff, 0xfe]))), TypeError);
});

Deno.test("base64: the URL alphabet is used only when asked for", () => {
  const bytes = new Uint8Array([0xfb, 0xff]);
  assert.equal(encodeBase64(bytes), "+/8=");
  assert.equal(encodeBase64(bytes, { alphabet: "base64url" }), "-_8=");
  assert.deepEqual(decodeBase64("-_8", { alphabet: "base64url" }), bytes);
  assert.throws(() => decodeBase64("-_8="), SyntaxError);
});
