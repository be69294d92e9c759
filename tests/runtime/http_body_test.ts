import assert from "node:assert/strict";
import { BodyTooLargeError, readTextLimited } from "../../src/runtime/http_body.ts";

function streamed(chunks: string[]): { res: Response; cancelled: () => boolean; pulled: () => number } {
  let cancelled = false;
  let pulled = 0;
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled < chunks.length) c.enqueue(enc.encode(chunks[pulled++]));
      else c.close();
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { res: new Response(body), cancelled: () => cancelled, pulled: () => pulled };
}

Deno.test("readTextLimited returns bodies up to the limit, multi-byte characters split across chunks included", async () => {
  assert.equal(await readTextLimited(new Response("héllo"), 6), "héllo");
  const bytes = new TextEncoder().encode("ñ");
  const split = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes.subarray(0, 1));
      c.enqueue(bytes.subarray(1));
      c.close();
    },
  });
  assert.equal(await readTextLimited(new Response(split), 2), "ñ");
  assert.equal(await readTextLimited(new Response(null), 0), "");
});

Deno.test("readTextLimited stops reading and cancels the body once it passes the limit", async () => {
  const s = streamed(["aaaa", "bbbb", "cccc", "dddd"]);
  await assert.rejects(readTextLimited(s.res, 6), (e) => e instanceof BodyTooLargeError && e.limitBytes === 6);
  assert.ok(s.cancelled(), "the body was cancelled");
  assert.equal(s.pulled(), 2, "nothing was read after the chunk that passed the limit");
});

Deno.test("readTextLimited refuses a declared Content-Length above the limit before reading", async () => {
  const s = streamed(["x"]);
  const res = new Response(s.res.body, { headers: { "content-length": "100" } });
  await assert.rejects(readTextLimited(res, 10), BodyTooLargeError);
  assert.equal(s.pulled(), 0);
  assert.ok(s.cancelled());
});

Deno.test("readTextLimited reads a body with a Content-Length within the limit in one piece, and checks it", async () => {
  assert.equal(await readTextLimited(new Response("hello", { headers: { "content-length": "5" } }), 5), "hello");
  const lying = new Response("x".repeat(100), { headers: { "content-length": "5" } });
  await assert.rejects(readTextLimited(lying, 10), BodyTooLargeError);
});
