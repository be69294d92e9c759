/**
 * Retries of idempotent calls: which answers are retried, waits as the server asks (Retry-After in seconds or as a
 * date, X-RateLimit-Reset), jittered backoff otherwise, bounded by attempts and by total time on the Clock.
 */
import assert from "node:assert/strict";
import {
  MetalInvalidError,
  MetalNotFoundError,
  MetalRateLimitedError,
  MetalServerError,
} from "../../src/metal/errors.ts";
import { DEFAULT_RETRY_POLICY, retryAllowed, retryDelayMs, serverRetryDelayMs } from "../../src/metal/retry_policy.ts";
import { device, empty, json, settle, testClient, uuid } from "./fake_api.ts";

const OH_SNAP = { errors: ["Oh snap, something went wrong!"] };

Deno.test("429 with Retry-After: 7 waits exactly 7 s before the second request", async () => {
  const { client, clock, requests } = testClient((_, i) =>
    i === 0 ? json(429, { errors: ["slow down"] }, { "retry-after": "7" }) : json(200, device(1))
  );
  const result = client.devices.get(uuid(1));
  await settle();
  assert.equal(requests.length, 1);
  await clock.advance(6_999);
  assert.equal(requests.length, 1, "no second request before the time the server asked for");
  await clock.advance(1);
  const d = await result;
  assert.equal(requests.length, 2, "the second request right when the wait ends");
  assert.equal(d.id, uuid(1));
  assert.equal(clock.pending(), 0, "no timer left behind");
});

Deno.test("Retry-After as an HTTP date is honoured against the injected clock", async () => {
  const { client, clock, requests } = testClient((_, i) =>
    i === 0 ? json(429, {}, { "retry-after": new Date(clock.now() + 20_000).toUTCString() }) : json(200, device(1))
  );
  const result = client.devices.get(uuid(1));
  await settle();
  await clock.advance(19_999);
  assert.equal(requests.length, 1);
  await clock.advance(1);
  await result;
  assert.equal(requests.length, 2);
});

Deno.test("X-RateLimit-Reset (epoch seconds) is honoured on a 429 without Retry-After", async () => {
  const { client, clock, requests } = testClient((_, i) =>
    i === 0
      ? json(429, {}, {
        "x-ratelimit-limit": "100",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(Math.floor(clock.now() / 1000) + 3),
      })
      : json(200, device(1))
  );
  const result = client.devices.get(uuid(1));
  await settle();
  await clock.advance(2_999);
  assert.equal(requests.length, 1);
  await clock.advance(1);
  await result;
  assert.equal(requests.length, 2);
});

Deno.test("a 429 asking for longer than the time budget fails at once with the wait it asked for", async () => {
  const { client, requests } = testClient(() => json(429, {}, { "retry-after": "3600" }));
  const err = await client.devices.get(uuid(1)).catch((e) => e);
  assert.ok(err instanceof MetalRateLimitedError);
  assert.equal(err.retryAfterMs, 3_600_000);
  assert.equal(requests.length, 1);
});

Deno.test("5xx on GET is retried with exponential backoff until it succeeds", async () => {
  const { client, clock, requests, registry } = testClient((_, i) => i < 2 ? json(503, OH_SNAP) : json(200, device(1)));
  const result = client.devices.get(uuid(1));
  await settle();
  assert.equal(requests.length, 1);
  await clock.advance(999);
  assert.equal(requests.length, 1);
  await clock.advance(1); // first backoff: 1 s
  assert.equal(requests.length, 2);
  await clock.advance(1_999);
  assert.equal(requests.length, 2);
  await clock.advance(1); // second backoff: 2 s
  await result;
  assert.equal(requests.length, 3);
  const retries = await registry.getSingleMetric("metal_api_retries_total")!.get();
  assert.deepEqual(retries.values.map((v) => [v.labels, v.value]), [
    [{ endpoint: "/devices/{id}", reason: "server_error" }, 2],
  ]);
});

Deno.test("retries stop after maxAttempts and surface the last error", async () => {
  const { client, clock, requests } = testClient(() => json(500, OH_SNAP));
  const result = client.devices.get(uuid(1)).catch((e) => e);
  for (let i = 0; i < 10; i++) await clock.advance(10_000);
  const err = await result;
  assert.ok(err instanceof MetalServerError);
  assert.equal(requests.length, 4, "maxAttempts 4");
  assert.equal(clock.pending(), 0);
});

Deno.test("retries stop when the total time budget would be exceeded", async () => {
  // Backoff 1, 2, 4, 8 s … with a 5 s budget: attempts at t=0, 1, 3; waiting 4 s more would end at 7 s > 5 s.
  const { client, clock, requests } = testClient(() => json(502, OH_SNAP), {
    retry: {
      maxAttempts: 100,
      maxElapsedMs: 5_000,
      backoff: { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0 },
    },
  });
  const result = client.devices.get(uuid(1)).catch((e) => e);
  for (let i = 0; i < 20; i++) await clock.advance(1_000);
  const err = await result;
  assert.ok(err instanceof MetalServerError);
  assert.equal(requests.length, 3);
});

Deno.test("4xx answers are never retried", async () => {
  for (const status of [400, 401, 403, 404, 422]) {
    const { client, requests } = testClient(() => json(status, { errors: ["no"] }));
    await assert.rejects(client.devices.get(uuid(1)));
    assert.equal(requests.length, 1, `status ${status}`);
  }
});

Deno.test("PUT and DELETE are retried like GET", async () => {
  const put = testClient((_, i) => i === 0 ? json(500, OH_SNAP) : json(200, device(1)));
  const updated = put.client.devices.update(uuid(1), { description: "x" });
  await settle();
  await put.clock.advance(1_000);
  await updated;
  assert.deepEqual(put.requests.map((r) => r.method), ["PUT", "PUT"]);

  const del = testClient((_, i) => i === 0 ? json(502, OH_SNAP) : empty(204));
  const deleted = del.client.devices.delete(uuid(1));
  await settle();
  await del.clock.advance(1_000);
  await deleted;
  assert.deepEqual(del.requests.map((r) => r.method), ["DELETE", "DELETE"]);
});

Deno.test("DELETE answering 404 on a retry is success; on the first attempt it is MetalNotFoundError", async () => {
  const retried = testClient((_, i) => i === 0 ? json(500, OH_SNAP) : json(404, { errors: ["Not found"] }));
  const deleted = retried.client.devices.delete(uuid(1));
  await settle();
  await retried.clock.advance(1_000);
  assert.equal(await deleted, undefined);
  assert.equal(retried.requests.length, 2);

  const first = testClient(() => json(404, { errors: ["Not found"] }));
  await assert.rejects(first.client.devices.delete(uuid(1)), MetalNotFoundError);

  const keys = testClient((_, i) => i === 0 ? json(503, OH_SNAP) : json(404, { errors: ["Not found"] }));
  const keyDeleted = keys.client.sshKeys.delete(uuid(2));
  await settle();
  await keys.clock.advance(1_000);
  assert.equal(await keyDeleted, undefined);
});

Deno.test("501 Not Implemented is not retried", async () => {
  const { client, requests } = testClient(() => json(501, { errors: ["not implemented"] }));
  await assert.rejects(client.devices.get(uuid(1)), MetalServerError);
  assert.equal(requests.length, 1);
});

Deno.test("a 503 with Retry-After waits as told", async () => {
  const { client, clock, requests } = testClient((_, i) =>
    i === 0 ? json(503, OH_SNAP, { "retry-after": "5" }) : json(200, device(1))
  );
  const result = client.devices.get(uuid(1));
  await settle();
  await clock.advance(4_999);
  assert.equal(requests.length, 1);
  await clock.advance(1);
  await result;
  assert.equal(requests.length, 2);
});

Deno.test("a capacity check (POST) is idempotent and retried", async () => {
  const { client, clock, requests } = testClient((_, i) =>
    i === 0
      ? json(500, OH_SNAP)
      : json(200, { servers: [{ metro: "ny", plan: "c3.small.x86", quantity: "2", available: true }] })
  );
  const result = client.capacity.checkMetros([{ metro: "ny", plan: "c3.small.x86", quantity: 2 }]);
  await settle();
  await clock.advance(1_000);
  assert.deepEqual(await result, [{ metro: "ny", plan: "c3.small.x86", quantity: 2, available: true }]);
  assert.equal(requests.length, 2);
});

Deno.test("a validation error (422) on PUT is not retried", async () => {
  const { client, requests } = testClient(() => json(422, { errors: ["hostname is invalid"] }));
  await assert.rejects(client.devices.update(uuid(1), { hostname: "-" }), MetalInvalidError);
  assert.equal(requests.length, 1);
});

Deno.test("serverRetryDelayMs parses seconds, fractions, dates and rate-limit resets", () => {
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);
  const h = (o: Record<string, string>) => new Headers(o);
  assert.equal(serverRetryDelayMs(h({ "retry-after": "0" }), 429, now), 0);
  assert.equal(serverRetryDelayMs(h({ "retry-after": "2.5" }), 429, now), 2_500);
  assert.equal(serverRetryDelayMs(h({ "retry-after": new Date(now + 90_000).toUTCString() }), 503, now), 90_000);
  assert.equal(serverRetryDelayMs(h({ "retry-after": new Date(now - 90_000).toUTCString() }), 503, now), 0);
  assert.equal(serverRetryDelayMs(h({ "retry-after": "soon" }), 429, now), undefined);
  assert.equal(serverRetryDelayMs(h({ "x-ratelimit-reset": String(now / 1000 + 4) }), 429, now), 4_000);
  // A reset on a 5xx with quota left is not a reason to wait.
  assert.equal(
    serverRetryDelayMs(h({ "x-ratelimit-reset": String(now / 1000 + 4), "x-ratelimit-remaining": "10" }), 503, now),
    undefined,
  );
  assert.equal(
    serverRetryDelayMs(h({ "x-ratelimit-reset": String(now / 1000 + 4), "x-ratelimit-remaining": "0" }), 503, now),
    4_000,
  );
  assert.equal(serverRetryDelayMs(h({}), 429, now), undefined);
});

Deno.test("retryDelayMs: the server's wait wins, otherwise jittered exponential backoff within bounds", () => {
  const p = { ...DEFAULT_RETRY_POLICY, random: () => 0.5 };
  assert.equal(retryDelayMs(p, 0, 7_000), 7_000);
  assert.equal(retryDelayMs(p, 0, undefined), 1_000);
  assert.equal(retryDelayMs(p, 3, undefined), 8_000);
  assert.equal(retryDelayMs(p, 10, undefined), 30_000);
  const low = retryDelayMs({ ...DEFAULT_RETRY_POLICY, random: () => 0 }, 1, undefined);
  const high = retryDelayMs({ ...DEFAULT_RETRY_POLICY, random: () => 0.999999 }, 1, undefined);
  assert.equal(low, 1_600);
  assert.equal(high, 2_400);
  assert.equal(retryAllowed(p, 4, 0, 0), true);
  assert.equal(retryAllowed(p, 5, 0, 0), false);
  assert.equal(retryAllowed(p, 1, 119_000, 1_000), true);
  assert.equal(retryAllowed(p, 1, 119_000, 1_001), false);
});
