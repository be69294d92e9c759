/** Identifiers as the Metal API issues them: UUID v4 strings, `short_id` = first 8 hex characters. */
import { createHash } from "node:crypto";
import type { Rng } from "../kernel/mod.ts";

function formatUuid(bytes: Uint8Array): string {
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A UUID v4 drawn from the generator (deterministic for a seeded generator). */
export function randomUuid(rng: Rng): string {
  return formatUuid(rng.bytes(16));
}

/** A UUID v4-formatted id derived from a name: catalog objects keep the same id in every simulator. */
export function stableUuid(name: string): string {
  return formatUuid(new Uint8Array(createHash("sha1").update(name).digest()));
}

/** The `short_id` the API derives from an id. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
