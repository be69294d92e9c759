import assert from "node:assert/strict";
import { decodeWatchEvent, ndjsonLines, WatchDecodeError, watchEvents } from "../../../src/k8s/client/watch_stream.ts";
import {
  AlreadyExistsError,
  ApiError,
  apiErrorFrom,
  ConflictError,
  GoneError,
  InvalidError,
  isConflict,
  isGone,
  isNotFound,
  NotFoundError,
  statusBody,
  TooManyRequestsError,
} from "../../../src/k8s/api/errors.ts";

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  for (const p of parts) yield enc.encode(p);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const cm = (name: string, rv: string) => ({ kind: "ConfigMap", metadata: { name, resourceVersion: rv } });

Deno.test("ndjson lines: split across chunks, several per chunk, multi-byte characters split, last line unterminated", async () => {
  const euro = new TextEncoder().encode('{"x":"€"}\n');
  async function* split(): AsyncGenerator<Uint8Array> {
    yield new TextEncoder().encode('{"a":1}\n{"b"');
    yield new TextEncoder().encode(":2}\n\n  \n");
    yield euro.slice(0, 7); // cuts the 3-byte euro sign in half
    yield euro.slice(7);
    yield new TextEncoder().encode('{"c":3}');
  }
  assert.deepEqual(await collect(ndjsonLines(split())), ['{"a":1}', '{"b":2}', '{"x":"€"}', '{"c":3}']);
});

Deno.test("watch events: ADDED/MODIFIED/DELETED/BOOKMARK are decoded in order", async () => {
  const lines = [
    { type: "ADDED", object: cm("a", "1") },
    { type: "MODIFIED", object: cm("a", "2") },
    { type: "BOOKMARK", object: { kind: "ConfigMap", metadata: { resourceVersion: "5" } } },
    { type: "DELETED", object: cm("a", "6") },
  ].map((l) => JSON.stringify(l) + "\n");
  const events = await collect(watchEvents(chunks(...lines)));
  assert.deepEqual(events.map((e) => e.type), ["ADDED", "MODIFIED", "BOOKMARK", "DELETED"]);
  assert.deepEqual(
    events.map((e) => (e.object as { metadata: { resourceVersion: string } }).metadata.resourceVersion),
    [
      "1",
      "2",
      "5",
      "6",
    ],
  );
});

Deno.test("watch events: an ERROR event with Status 410 throws GoneError after the events before it", async () => {
  const seen: string[] = [];
  const stream = chunks(
    JSON.stringify({ type: "ADDED", object: cm("a", "1") }) + "\n",
    JSON.stringify({ type: "ERROR", object: statusBody(410, "Expired", "too old resource version: 1 (5)") }) + "\n",
    JSON.stringify({ type: "ADDED", object: cm("b", "9") }) + "\n",
  );
  const err = await (async () => {
    try {
      for await (const ev of watchEvents(stream)) seen.push(ev.type);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof GoneError, `expected GoneError, got ${err}`);
  assert.equal((err as GoneError).code, 410);
  assert.match((err as GoneError).message, /too old resource version/);
  assert.deepEqual(seen, ["ADDED"], "nothing after the error is delivered");
});

Deno.test("watch events: other ERROR statuses become their typed errors", async () => {
  const stream = chunks(JSON.stringify({ type: "ERROR", object: statusBody(500, "InternalError", "boom") }) + "\n");
  await assert.rejects(collect(watchEvents(stream)), (e) => e instanceof ApiError && e.code === 500);
  const noStatus = chunks(JSON.stringify({ type: "ERROR", object: { foo: 1 } }) + "\n");
  await assert.rejects(collect(watchEvents(noStatus)), /without a Status object/);
});

Deno.test("watch events: malformed lines are rejected with the offending line", () => {
  assert.throws(() => decodeWatchEvent("not json"), (e) => e instanceof WatchDecodeError && /not JSON/.test(e.message));
  assert.throws(() => decodeWatchEvent('{"type":"SOMETHING","object":{}}'), /invalid event \(type/);
  assert.throws(() => decodeWatchEvent('{"type":"ADDED"}'), /invalid event \(object/);
});

Deno.test("apiErrorFrom maps status codes and reasons to typed errors", () => {
  assert.ok(apiErrorFrom(404, statusBody(404, "NotFound", "x")) instanceof NotFoundError);
  assert.ok(isNotFound(apiErrorFrom(404, "")));
  assert.ok(apiErrorFrom(409, statusBody(409, "AlreadyExists", "x")) instanceof AlreadyExistsError);
  const conflict = apiErrorFrom(409, statusBody(409, "Conflict", "the object has been modified"));
  assert.ok(conflict instanceof ConflictError && isConflict(conflict));
  assert.ok(isGone(apiErrorFrom(410, statusBody(410, "Expired", "too old"))));
  const invalid = apiErrorFrom(
    422,
    statusBody(422, "Invalid", "bad", { causes: [{ reason: "FieldValueRequired", field: "spec.x" }] }),
  );
  assert.ok(invalid instanceof InvalidError);
  assert.deepEqual((invalid as InvalidError).causes.map((c) => c.field), ["spec.x"]);
  const limited = apiErrorFrom(429, statusBody(429, "TooManyRequests", "slow down"), "7");
  assert.ok(limited instanceof TooManyRequestsError);
  assert.equal(limited.retryAfterSeconds, 7);
  const plain = apiErrorFrom(503, "upstream down");
  assert.equal(plain.message, "upstream down");
  assert.equal(plain.reason, "ServiceUnavailable");
});
