/**
 * Each typed error from the status/body pairs the real API sends, seen through
 * the client, plus the body parser on its own.
 */
import assert from "node:assert/strict";
import {
  MetalApiError,
  MetalCapacityExhaustedError,
  MetalInvalidError,
  MetalNotFoundError,
  MetalPermissionDeniedError,
  MetalRateLimitedError,
  MetalReservationUnavailableError,
  MetalServerError,
  MetalUnauthenticatedError,
  parseErrorBody,
} from "../../src/metal/errors.ts";
import { json, PROJECT_ID, testClient, TOKEN, uuid } from "./fake_api.ts";

const OH_SNAP =
  "Oh snap, something went wrong! We've logged the error and will take a look - please reach out to us if you continue having trouble.";
const HTML_502 =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n" +
  "<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";

const createInput = { metro: "ny", plan: "c3.small.x86", operating_system: "flatcar_stable", hostname: "w-1" };

/** Runs one call against a server that always answers `res`, without retries, and returns the thrown error. */
async function failing(
  res: () => Response,
  call: (c: ReturnType<typeof testClient>["client"]) => Promise<unknown>,
): Promise<MetalApiError> {
  const { client } = testClient(() => res(), {
    retry: { maxAttempts: 1, maxElapsedMs: 0, backoff: { initialMs: 1, maxMs: 1, factor: 2, jitter: 0 } },
  });
  const err = await call(client).then(() => undefined, (e) => e);
  assert.ok(err instanceof MetalApiError, `expected a MetalApiError, got ${err}`);
  return err;
}

Deno.test("401 {error: Invalid authentication token} is MetalUnauthenticatedError without the token", async () => {
  const err = await failing(
    () => json(401, { error: "Invalid authentication token" }, { "x-request-id": "r-401" }),
    (c) => c.devices.get(uuid(1)),
  );
  assert.ok(err instanceof MetalUnauthenticatedError);
  assert.equal(err.status, 401);
  assert.deepEqual(err.messages, ["Invalid authentication token"]);
  assert.equal(err.requestId, "r-401");
  assert.equal(err.method, "GET");
  assert.equal(err.path, `/devices/${uuid(1)}`);
  assert.equal(err.endpoint, "/devices/{id}");
  assert.match(err.message, /Invalid authentication token/);
  assert.ok(!err.message.includes(TOKEN));
});

Deno.test("an error body echoing the token does not put the token into the error", async () => {
  const err = await failing(
    () => json(401, { errors: [`token ${TOKEN} is invalid`] }),
    (c) => c.devices.get(uuid(1)),
  );
  assert.ok(!err.message.includes(TOKEN), err.message);
  assert.ok(!err.messages.join().includes(TOKEN));
  assert.match(err.message, /\[REDACTED\]/);
});

Deno.test("403 You are not authorized to view this device is MetalPermissionDeniedError", async () => {
  const err = await failing(
    () => json(403, { errors: ["You are not authorized to view this device"] }),
    (c) => c.devices.get(uuid(1)),
  );
  assert.ok(err instanceof MetalPermissionDeniedError);
  assert.deepEqual(err.messages, ["You are not authorized to view this device"]);
});

Deno.test("404 is MetalNotFoundError, with the body's text or with no body", async () => {
  const withBody = await failing(() => json(404, { errors: ["Not found"] }), (c) => c.devices.get(uuid(1)));
  assert.ok(withBody instanceof MetalNotFoundError);
  assert.deepEqual(withBody.messages, ["Not found"]);
  const noBody = await failing(() => new Response(null, { status: 404 }), (c) => c.devices.get(uuid(1)));
  assert.ok(noBody instanceof MetalNotFoundError);
  assert.deepEqual(noBody.messages, []);
  assert.equal(noBody.requestId, undefined);
});

Deno.test("422 validation answers are MetalInvalidError with every message", async () => {
  const err = await failing(
    () => json(422, { errors: ["xx is not a valid metro", "Facility can't be blank"] }),
    (c) => c.devices.create(PROJECT_ID, createInput),
  );
  assert.ok(err instanceof MetalInvalidError);
  assert.deepEqual(err.messages, ["xx is not a valid metro", "Facility can't be blank"]);
  assert.equal(err.method, "POST");
  assert.equal(err.path, `/projects/${PROJECT_ID}/devices`);
});

Deno.test("no on-demand capacity (three real texts) is MetalCapacityExhaustedError reason capacity", async () => {
  for (
    const text of [
      "There aren't available servers in that metro",
      "The facility ewr1 has no provisionable g2.large.x86 servers matching your criteria",
      "No available servers with plan m3.small.x86 in facility am2",
    ]
  ) {
    const err = await failing(() => json(422, { errors: [text] }), (c) => c.devices.create(PROJECT_ID, createInput));
    assert.ok(err instanceof MetalCapacityExhaustedError, text);
    assert.equal(err.reason, "capacity");
    assert.deepEqual(err.messages, [text]);
  }
});

Deno.test("503 no available hardware reservations is MetalCapacityExhaustedError reason reservations", async () => {
  const text = "There are no available hardware reservations for selected plan and facility";
  const err = await failing(
    () => json(503, { errors: [text] }),
    (c) => c.devices.create(PROJECT_ID, { ...createInput, hardware_reservation_id: "next-available" }),
  );
  assert.ok(err instanceof MetalCapacityExhaustedError);
  assert.equal(err.reason, "reservations");
  assert.equal(err.status, 503);
  assert.ok(!(err instanceof MetalServerError), "a capacity answer is not a server error (it is not retried)");
});

Deno.test("a specific reservation that cannot be used is MetalReservationUnavailableError", async () => {
  const rid = uuid(77);
  for (
    const [status, text] of [
      [422, "Server is not provisionable"],
      [422, `${rid} is not a valid hardware reservation`],
      [422, "Hardware reservation is already in use"],
      [422, `The hardware reservation ${rid} is for plan m3.large.x86, not c3.small.x86`],
      [422, `The hardware reservation ${rid} is in facility da11, outside the requested location`],
      [404, "Hardware reservation not found"],
    ] as const
  ) {
    const err = await failing(
      () => json(status, { errors: [text] }),
      (c) => c.devices.create(PROJECT_ID, { ...createInput, hardware_reservation_id: rid }),
    );
    assert.ok(err instanceof MetalReservationUnavailableError, `${status} ${text}: ${err.name}`);
    assert.equal(err.status, status);
  }
});

Deno.test("reservation texts on a request without a specific reservation keep their status class", async () => {
  // GET /hardware-reservations/{id} answering 404 "Hardware reservation not found" is a plain not-found.
  const err = await failing(
    () => json(404, { errors: ["Hardware reservation not found"] }),
    (c) => c.hardwareReservations.get(uuid(5)),
  );
  assert.ok(err instanceof MetalNotFoundError);
});

Deno.test("429 is MetalRateLimitedError carrying the server's wait", async () => {
  const err = await failing(
    () => json(429, { errors: ["Too many requests"] }, { "retry-after": "12" }),
    (c) => c.devices.get(uuid(1)),
  );
  assert.ok(err instanceof MetalRateLimitedError);
  assert.equal(err.retryAfterMs, 12_000);
});

Deno.test("500 Oh snap is MetalServerError with the API's text", async () => {
  const err = await failing(() => json(500, { errors: [OH_SNAP] }), (c) => c.devices.get(uuid(1)));
  assert.ok(err instanceof MetalServerError);
  assert.equal(err.status, 500);
  assert.deepEqual(err.messages, [OH_SNAP]);
});

Deno.test("an HTML 502 from the load balancer is MetalServerError with the page title", async () => {
  const err = await failing(
    () => new Response(HTML_502, { status: 502, headers: { "content-type": "text/html" } }),
    (c) => c.devices.get(uuid(1)),
  );
  assert.ok(err instanceof MetalServerError);
  assert.equal(err.status, 502);
  assert.deepEqual(err.messages, ["502 Bad Gateway"]);
  assert.equal(err.requestId, undefined);
});

Deno.test("other 4xx answers are the MetalApiError base class", async () => {
  const err = await failing(() => json(400, { errors: ["bad request"] }), (c) => c.devices.get(uuid(1)));
  assert.equal(err.constructor, MetalApiError);
  assert.equal(err.status, 400);
});

Deno.test("a redirect is not followed and becomes an error", async () => {
  const err = await failing(
    () => new Response(null, { status: 302, headers: { location: "https://elsewhere.test/" } }),
    (c) => c.devices.get(uuid(1)),
  );
  assert.equal(err.status, 302);
});

Deno.test("parseErrorBody reads both JSON shapes, text, HTML, truncated JSON and empty bodies", () => {
  assert.deepEqual(parseErrorBody('{"error":"Invalid authentication token"}', "application/json"), [
    "Invalid authentication token",
  ]);
  assert.deepEqual(parseErrorBody('{"errors":["a","b"]}', "application/json"), ["a", "b"]);
  assert.deepEqual(parseErrorBody('{"errors":[{"field":"metro"}]}', "application/json"), ['{"field":"metro"}']);
  assert.deepEqual(parseErrorBody('{"errors":["a"],"error":"b"}', null), ["a", "b"]);
  assert.deepEqual(parseErrorBody("", "application/json"), []);
  assert.deepEqual(parseErrorBody("   ", null), []);
  assert.deepEqual(parseErrorBody("upstream connect error", "text/plain"), ["upstream connect error"]);
  assert.deepEqual(parseErrorBody(HTML_502, "text/html"), ["502 Bad Gateway"]);
  assert.deepEqual(parseErrorBody("<p>Service <b>down</b></p>", "text/html"), ["Service down"]);
  assert.deepEqual(parseErrorBody('{"errors":["cut', "application/json"), ['{"errors":["cut']);
  assert.deepEqual(parseErrorBody("null", "application/json"), ["null"]);
  const long = parseErrorBody("x".repeat(5000), "text/plain")[0];
  assert.ok(long.length <= 201, `summary is bounded, got ${long.length}`);
});
