/**
 * Per-request timeouts (on the injected clock), cancellation through an AbortSignal at every stage, and the
 * behaviours that need a real HTTP server: redirects not followed, bodies cut off mid-way.
 */
import assert from "node:assert/strict";
import { FakeClock } from "../../src/runtime/clock.ts";
import { MetalClient } from "../../src/metal/client.ts";
import { MetalNetworkError, MetalServerError, MetalTimeoutError } from "../../src/metal/errors.ts";
import { Registry } from "../../src/observability/metrics.ts";
import { device, hang, json, PROJECT_ID, settle, testClient, TOKEN, until, uuid } from "./fake_api.ts";

Deno.test("a GET that does not answer within timeoutMs times out and is retried", async () => {
  const { client, clock, requests, registry } = testClient((_, i) => i === 0 ? hang() : json(200, device(1)), {
    timeoutMs: 5_000,
  });
  const result = client.devices.get(uuid(1));
  await settle();
  await clock.advance(4_999);
  assert.equal(requests.length, 1);
  await clock.advance(1); // timeout
  await clock.advance(1_000); // backoff
  assert.equal((await result).id, uuid(1));
  assert.equal(requests.length, 2);
  const codes = (await registry.getSingleMetric("metal_api_requests_total")!.get()).values.map((v) => v.labels.code);
  assert.deepEqual(codes.sort(), ["200", "timeout"]);
});

Deno.test("a GET that keeps timing out fails with MetalTimeoutError after the attempts", async () => {
  const { client, clock, requests } = testClient(() => hang(), { timeoutMs: 5_000 });
  const result = client.devices.get(uuid(1)).catch((e) => e);
  for (let i = 0; i < 10; i++) await clock.advance(5_000);
  const err = await result;
  assert.ok(err instanceof MetalTimeoutError);
  assert.equal(err.timeoutMs, 5_000);
  assert.equal(err.status, 0);
  assert.equal(err.path, `/devices/${uuid(1)}`);
  assert.equal(requests.length, 4);
  assert.equal(clock.pending(), 0);
});

Deno.test("aborting a request in flight rejects with the signal's reason and sends nothing more", async () => {
  const { client, clock, requests } = testClient(() => hang());
  const ac = new AbortController();
  const result = client.devices.get(uuid(1), { signal: ac.signal }).catch((e) => e);
  await settle();
  const reason = new DOMException("shutting down", "AbortError");
  ac.abort(reason);
  assert.equal(await result, reason);
  await clock.advance(120_000);
  assert.equal(requests.length, 1);
  assert.equal(clock.pending(), 0, "the timeout timer is cleared");
});

Deno.test("aborting during the backoff wait rejects at once without another request", async () => {
  const { client, clock, requests } = testClient(() => json(503, { errors: ["busy"] }));
  const ac = new AbortController();
  const result = client.devices.listByProject(PROJECT_ID, { signal: ac.signal }).catch((e) => e);
  await settle();
  assert.equal(requests.length, 1);
  assert.equal(clock.pending(), 1, "waiting for the retry");
  ac.abort();
  const err = await result;
  assert.equal((err as DOMException).name, "AbortError");
  assert.equal(clock.pending(), 0);
  await clock.advance(60_000);
  assert.equal(requests.length, 1);
});

Deno.test("an already aborted signal sends nothing", async () => {
  const { client, requests } = testClient(() => json(200, device(1)));
  await assert.rejects(client.devices.get(uuid(1), { signal: AbortSignal.abort() }));
  await assert.rejects(client.devices.create(PROJECT_ID, { metro: "ny", plan: "p", operating_system: "o" }, {
    signal: AbortSignal.abort(),
  }));
  assert.equal(requests.length, 0);
});

/** A real HTTP server on a random port; `handler` answers, `hits` counts requests per path. */
function serve(handler: (req: Request) => Response | Promise<Response>) {
  const hits: string[] = [];
  const ac = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} }, (req) => {
    hits.push(new URL(req.url).pathname);
    return handler(req);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    hits,
    close: async () => {
      ac.abort();
      await server.finished;
    },
  };
}

function realClient(baseUrl: string, clock = new FakeClock(), timeoutMs?: number) {
  return new MetalClient({
    token: TOKEN,
    baseUrl,
    clock,
    timeoutMs,
    metricsRegistry: new Registry(),
    retry: { maxAttempts: 1, maxElapsedMs: 0, backoff: { initialMs: 1, maxMs: 1, factor: 2, jitter: 0 } },
  });
}

Deno.test("a redirect is not followed, so the token never travels to another host", async () => {
  const other = serve((req) => json(200, { token: req.headers.get("x-auth-token") }));
  const api = serve(() => new Response(null, { status: 307, headers: { location: `${other.url}/devices/x` } }));
  try {
    const err = await realClient(`${api.url}/metal/v1`).devices.get(uuid(1)).catch((e) => e);
    assert.equal(err.status, 307);
    assert.deepEqual(other.hits, []);
  } finally {
    await api.close();
    await other.close();
  }
});

Deno.test("an HTML 502 over real HTTP is a MetalServerError with the page title", async () => {
  const api = serve(() =>
    new Response("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", {
      status: 502,
      headers: { "content-type": "text/html" },
    })
  );
  try {
    const err = await realClient(`${api.url}/metal/v1`).devices.get(uuid(1)).catch((e) => e);
    assert.ok(err instanceof MetalServerError);
    assert.deepEqual(err.messages, ["502 Bad Gateway"]);
  } finally {
    await api.close();
  }
});

Deno.test("a response body cut off mid-way is a network error whose outcome is unknown", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const loop = (async () => {
    for await (const conn of listener) {
      await conn.read(new Uint8Array(64 * 1024)).catch(() => null);
      const head = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Request-Id: cut-1\r\n" +
        "Content-Length: 5000\r\n\r\n";
      await conn.write(new TextEncoder().encode(head + '{"id":"')).catch(() => 0);
      conn.close();
    }
  })();
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const client = realClient(`http://127.0.0.1:${port}/metal/v1`);
    const err = await client.devices.create(PROJECT_ID, { metro: "ny", plan: "p", operating_system: "o" })
      .catch((e) => e);
    assert.ok(err instanceof MetalNetworkError, String(err));
    assert.equal(err.outcomeUnknown, true);
    assert.equal(err.requestId, "cut-1");
  } finally {
    listener.close();
    await loop.catch(() => {});
  }
});

Deno.test("a real server that never answers times out on the injected clock", async () => {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const api = serve(async () => {
    await released;
    return json(200, device(1));
  });
  const clock = new FakeClock();
  try {
    const result = realClient(`${api.url}/metal/v1`, clock, 2_000).devices.get(uuid(1)).catch((e) => e);
    await until(() => api.hits.length === 1, "the request to arrive");
    await clock.advance(2_000);
    const err = await result;
    assert.ok(err instanceof MetalTimeoutError);
    assert.equal(err.outcomeUnknown, true);
  } finally {
    release();
    await api.close();
  }
});
