/**
 * Response bodies are read up to a limit: a larger one fails with MetalResponseTooLargeError naming the request, the
 * body is cancelled (nothing more is read), and the call is not retried.
 */
import assert from "node:assert/strict";
import { MetalClient } from "../../src/metal/client.ts";
import { MetalBadResponseError, MetalResponseTooLargeError } from "../../src/metal/errors.ts";
import { device, json, testClient, uuid } from "./fake_api.ts";

/** An endless JSON-looking body that counts what was pulled and notices cancellation. */
function endlessBody(chunkBytes = 1024) {
  const state = { pulledBytes: 0, cancelled: false };
  const chunk = new TextEncoder().encode("x".repeat(chunkBytes));
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      state.pulledBytes += chunk.byteLength;
      c.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { body, state };
}

Deno.test("a body past the limit is cancelled and fails with MetalResponseTooLargeError, without a retry", async () => {
  const endless = endlessBody();
  const { client, requests } = testClient(
    () => new Response(endless.body, { status: 200, headers: { "content-type": "application/json" } }),
    { maxResponseBytes: 10_000 },
  );
  const err = await client.devices.get(uuid(1)).then(() => undefined, (e) => e);
  assert.ok(err instanceof MetalResponseTooLargeError, String(err));
  assert.ok(err instanceof MetalBadResponseError, "callers that handle bad responses handle this one too");
  assert.equal(err.limitBytes, 10_000);
  assert.equal(err.method, "GET");
  assert.equal(err.endpoint, "/devices/{id}");
  assert.match(err.message, new RegExp(`^Metal API GET /devices/${uuid(1)} 200 response body larger than the limit`));
  assert.ok(endless.state.cancelled, "the body was cancelled");
  assert.ok(endless.state.pulledBytes <= 11_264, `read ${endless.state.pulledBytes} bytes, at most one chunk past`);
  assert.equal(requests.length, 1, "not retried");
});

Deno.test("a declared Content-Length past the limit fails before the body is read", async () => {
  const endless = endlessBody();
  const { client } = testClient(
    () => new Response(endless.body, { status: 200, headers: { "content-length": "5000000" } }),
    { maxResponseBytes: 1_000_000 },
  );
  await assert.rejects(client.devices.get(uuid(1)), MetalResponseTooLargeError);
  assert.equal(endless.state.pulledBytes, 0);
  assert.ok(endless.state.cancelled);
});

Deno.test("a body exactly at the limit is read as before", async () => {
  const answer = JSON.stringify(device(1));
  const { client } = testClient(() => json(200, device(1)), { maxResponseBytes: answer.length });
  assert.equal((await client.devices.get(uuid(1))).id, uuid(1));
});

Deno.test("over a real connection an endless answer ends the call (no hang) and the server sees the cancel", async () => {
  let serverCancelled!: () => void;
  const cancelled = new Promise<void>((r) => (serverCancelled = r));
  const chunk = new TextEncoder().encode("[" + "0,".repeat(8191));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          c.enqueue(chunk);
        },
        cancel() {
          serverCancelled();
        },
      }),
      { headers: { "content-type": "application/json" } },
    ));
  const client = new MetalClient({
    token: "t",
    baseUrl: `http://127.0.0.1:${server.addr.port}/metal/v1`,
    maxResponseBytes: 256 * 1024,
    retry: { maxAttempts: 1, maxElapsedMs: 0, backoff: { initialMs: 1, maxMs: 1, factor: 1, jitter: 0 } },
  });
  try {
    await assert.rejects(client.devices.get(uuid(1)), MetalResponseTooLargeError);
    await cancelled;
  } finally {
    await server.shutdown();
  }
});
