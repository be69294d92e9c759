/**
 * Decoding of a watch response: newline-delimited JSON objects `{type, object}`. Lines may be split across chunks
 * and several lines may arrive in one chunk; a final line without newline still counts. ERROR events are turned
 * into typed errors (a Status with code 410 becomes `GoneError`).
 */
import { z } from "zod";
import { type ApiError, apiErrorFrom, type Status, statusBody } from "../api/errors.ts";
import type { WatchEvent, WatchEventType } from "../api/objects.ts";

const WatchEventSchema = z.object({
  type: z.enum(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]),
  object: z.object({}).loose(),
});

/** A line of the stream that is not a watch event. */
export class WatchDecodeError extends Error {
  constructor(detail: string, readonly line: string) {
    super(`watch stream: ${detail}: ${line.length > 200 ? line.slice(0, 200) + "…" : line}`);
    this.name = "WatchDecodeError";
  }
}

/** Splits a byte stream into text lines (without the newline), skipping blank lines. */
export async function* ndjsonLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield line;
    }
  }
  buffered += decoder.decode();
  const last = buffered.trim();
  if (last) yield last;
}

/** Parses and validates one line of a watch stream. */
export function decodeWatchEvent<T>(line: string): WatchEvent<T> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new WatchDecodeError("line is not JSON", line);
  }
  const parsed = WatchEventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WatchDecodeError(`invalid event (${issue.path.join(".") || "root"}: ${issue.message})`, line);
  }
  // The schema only checked the envelope; the object itself is passed on untouched.
  return { type: parsed.data.type as WatchEventType, object: (json as { object: T }).object };
}

/** The typed error an ERROR event stands for. */
export function watchErrorFrom(object: unknown): ApiError {
  const status = object as Partial<Status>;
  if (status && status.kind === "Status") {
    return apiErrorFrom(status.code ?? 500, status);
  }
  return apiErrorFrom(500, statusBody(500, "InternalError", `watch ERROR event without a Status object`));
}

/** Decodes a watch stream into events; an ERROR event is thrown as its typed error. */
export async function* watchEvents<T>(body: AsyncIterable<Uint8Array>): AsyncGenerator<WatchEvent<T>> {
  for await (const line of ndjsonLines(body)) {
    const ev = decodeWatchEvent<T>(line);
    if (ev.type === "ERROR") throw watchErrorFrom(ev.object);
    yield ev;
  }
}
