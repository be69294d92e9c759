/**
 * A device create (POST) is never sent twice blindly: an answer with an unknown outcome (5xx, timeout, dropped
 * connection) surfaces as the error unless the caller passed `dedupe`; with `dedupe`, the lookup runs before any
 * retry and a device it finds is the result. Dropped and refused connections are real TCP sockets here.
 */
import assert from "node:assert/strict";
import { FakeClock } from "../../src/runtime/clock.ts";
import { MetalClient } from "../../src/metal/client.ts";
import { MetalNetworkError, MetalServerError, MetalTimeoutError } from "../../src/metal/errors.ts";
import type { Device } from "../../src/metal/types.ts";
import { captureLogs } from "../../src/observability/log.ts";
import { Registry } from "../../src/observability/metrics.ts";
import { device, hang, json, PROJECT_ID, settle, testClient, TOKEN, until, uuid } from "./fake_api.ts";

const input = {
  metro: "ny",
  plan: "c3.small.x86",
  operating_system: "flatcar_stable",
  hostname: "shoot--p--c-worker-z1-abcde",
  tags: ["kubernetes.io/cluster/shoot--p--c", "kubernetes.io/role/node"],
};
const OH_SNAP = { errors: ["Oh snap, something went wrong!"] };
const retry = {
  maxAttempts: 4,
  maxElapsedMs: 60_000,
  backoff: { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0 },
};

Deno.test("a 500 on create is not re-POSTed without dedupe", async () => {
  const { client, requests } = testClient(() => json(500, OH_SNAP));
  const err = await client.devices.create(PROJECT_ID, input).catch((e) => e);
  assert.ok(err instanceof MetalServerError);
  assert.equal(requests.length, 1);
});

Deno.test("a timeout on create is not re-POSTed without dedupe and reports an unknown outcome", async () => {
  const { client, clock, requests } = testClient(() => hang(), { timeoutMs: 10_000 });
  const result = client.devices.create(PROJECT_ID, input).catch((e) => e);
  await settle();
  await clock.advance(10_000);
  const err = await result;
  assert.ok(err instanceof MetalTimeoutError);
  assert.equal(err.outcomeUnknown, true);
  assert.equal(err.timeoutMs, 10_000);
  await clock.advance(60_000);
  assert.equal(requests.length, 1);
});

Deno.test("with dedupe, the lookup runs before the retry and a found device is returned without a second POST", async () => {
  const events: string[] = [];
  const { client, clock, requests } = testClient((req) => {
    events.push(req.method);
    return json(500, OH_SNAP);
  });
  const found = device(42, { state: "queued" });
  const result = client.devices.create(PROJECT_ID, input, {
    dedupe: () => {
      events.push("dedupe");
      return Promise.resolve(found as Device);
    },
  });
  await settle();
  assert.deepEqual(events, ["POST"]);
  await clock.advance(1_000);
  const d = await result;
  assert.equal(d.id, uuid(42));
  assert.deepEqual(events, ["POST", "dedupe"]);
  assert.equal(requests.length, 1);
});

Deno.test("with dedupe finding nothing, the POST is sent again after the lookup", async () => {
  const events: string[] = [];
  const { client, clock } = testClient((req, i) => {
    events.push(req.method);
    return i === 0 ? json(502, OH_SNAP) : json(201, device(7, { state: "queued" }));
  });
  const result = client.devices.create(PROJECT_ID, input, {
    dedupe: () => {
      events.push("dedupe");
      return Promise.resolve(undefined);
    },
  });
  await settle();
  await clock.advance(1_000);
  const d = await result;
  assert.equal(d.id, uuid(7));
  assert.deepEqual(events, ["POST", "dedupe", "POST"]);
});

Deno.test("when the dedupe lookup itself fails, the create fails with the original error and no second POST", async () => {
  const { client, clock, requests } = testClient(() => json(500, OH_SNAP));
  const logs = captureLogs();
  let err: unknown;
  try {
    const result = client.devices.create(PROJECT_ID, input, {
      dedupe: () => Promise.reject(new Error("lookup failed")),
    }).catch((e) => e);
    await settle();
    await clock.advance(1_000);
    err = await result;
  } finally {
    logs.restore();
  }
  assert.ok(err instanceof MetalServerError);
  assert.equal(requests.length, 1);
  const warning = logs.lines.map((l) => JSON.parse(l)).find((e) => e.level === "warn");
  assert.equal(warning?.error, "lookup failed");
});

Deno.test("a 429 on create is retried without dedupe: the API did not act on it", async () => {
  const { client, clock, requests } = testClient((_, i) =>
    i === 0 ? json(429, {}, { "retry-after": "2" }) : json(201, device(3, { state: "queued" }))
  );
  const result = client.devices.create(PROJECT_ID, input);
  await settle();
  await clock.advance(2_000);
  assert.equal((await result).id, uuid(3));
  assert.equal(requests.length, 2);
});

Deno.test("capacity answers on create are final, even with dedupe", async () => {
  let lookups = 0;
  const { client, requests } = testClient(() =>
    json(503, { errors: ["There are no available hardware reservations for selected plan and facility"] })
  );
  await assert.rejects(
    client.devices.create(PROJECT_ID, { ...input, hardware_reservation_id: "next-available" }, {
      dedupe: () => Promise.resolve(void lookups++),
    }),
  );
  assert.equal(requests.length, 1);
  assert.equal(lookups, 0);
});

/** A TCP server that reads one request and closes the connection without answering. */
function droppingServer(): { port: number; accepted: () => number; close: () => Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  const conns: Deno.Conn[] = [];
  const loop = (async () => {
    for await (const conn of listener) {
      accepted++;
      conns.push(conn);
      try {
        await conn.read(new Uint8Array(64 * 1024));
      } catch {
        // the client may give up first
      }
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    accepted: () => accepted,
    close: async () => {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // closed by the loop already
        }
      }
      await loop.catch(() => {});
    },
  };
}

/** A client on real fetch and a FakeClock; `failures()` counts fetch calls that rejected. */
function realClient(port: number, clock: FakeClock) {
  let failures = 0;
  const client = new MetalClient({
    token: TOKEN,
    baseUrl: `http://127.0.0.1:${port}/metal/v1`,
    clock,
    retry,
    metricsRegistry: new Registry(),
    fetch: (u, i) => fetch(u, i).catch((e) => (failures++, Promise.reject(e))),
  });
  return { client, failures: () => failures };
}

Deno.test("a dropped connection on create is not re-POSTed without dedupe (outcome unknown)", async () => {
  const server = droppingServer();
  try {
    const clock = new FakeClock();
    const err = await realClient(server.port, clock).client.devices.create(PROJECT_ID, input).catch((e) => e);
    assert.ok(err instanceof MetalNetworkError, String(err));
    assert.equal(err.outcomeUnknown, true);
    await clock.advance(60_000);
    await settle();
    assert.equal(server.accepted(), 1);
  } finally {
    await server.close();
  }
});

Deno.test("a dropped connection on create with dedupe: lookup first, then a found device, one POST", async () => {
  const server = droppingServer();
  try {
    const clock = new FakeClock();
    let lookups = 0;
    const { client, failures } = realClient(server.port, clock);
    const result = client.devices.create(PROJECT_ID, input, {
      dedupe: () => {
        lookups++;
        return Promise.resolve(device(9) as Device);
      },
    });
    await until(() => failures() === 1, "the first POST to fail");
    await settle();
    assert.equal(lookups, 0);
    await clock.advance(1_000);
    assert.equal((await result).id, uuid(9));
    assert.equal(lookups, 1);
    assert.equal(server.accepted(), 1);
  } finally {
    await server.close();
  }
});

Deno.test("a refused connection is certainly not applied: even a POST is retried, and it reports so", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const clock = new FakeClock();
  const t0 = clock.now();
  const { client, failures } = realClient(port, clock);
  const result = client.devices.create(PROJECT_ID, input).catch((e) => e);
  // Four attempts at t = 0, 1, 3, 7 s.
  for (const [i, wait] of [1_000, 2_000, 4_000].entries()) {
    await until(() => failures() === i + 1, `attempt ${i + 1} to fail`);
    await settle();
    await clock.advance(wait);
  }
  const err = await result;
  assert.ok(err instanceof MetalNetworkError, String(err));
  assert.equal(err.outcomeUnknown, false);
  assert.equal(failures(), 4);
  assert.equal(clock.now() - t0, 7_000);
});
