/**
 * Registry of secret values (API tokens, user data, bootstrap tokens) that must never reach a log line, an event,
 * an error message or an object status. Every sink in the project passes its text through `redact()`.
 *
 * Lookup is by a fixed-length prefix index, so the cost per scanned character stays constant however many secrets
 * are registered (a controller with 1,000 machines holds thousands of them).
 */
import { encodeBase64 } from "../runtime/base64.ts";

/** Text that replaces a registered secret. */
export const REDACTED = "[REDACTED]";

/** Shorter values are not treated as secrets: redacting them would mangle ordinary text. */
export const MIN_SECRET_LENGTH = 8;

const PREFIX = MIN_SECRET_LENGTH;
/** prefix → secrets starting with it, longest first. */
const byPrefix = new Map<string, string[]>();
/** secret → number of registrations (a value can be registered by several owners). */
const refCounts = new Map<string, number>();

function variants(value: string): string[] {
  const out = new Set<string>([value]);
  // The same value as it appears inside a JSON string (escaped newlines, quotes, ...).
  const jsonEscaped = JSON.stringify(value).slice(1, -1);
  out.add(jsonEscaped);
  // Base64, as in a Secret's `data` field.
  out.add(encodeBase64(value));
  const trimmed = value.trim();
  if (trimmed !== value) out.add(trimmed);
  return [...out].filter((v) => v.length >= MIN_SECRET_LENGTH);
}

function index(secret: string): void {
  const key = secret.slice(0, PREFIX);
  const list = byPrefix.get(key) ?? [];
  if (!list.includes(secret)) {
    list.push(secret);
    list.sort((a, b) => b.length - a.length);
  }
  byPrefix.set(key, list);
}

function unindex(secret: string): void {
  const key = secret.slice(0, PREFIX);
  const list = byPrefix.get(key);
  if (!list) return;
  const rest = list.filter((s) => s !== secret);
  if (rest.length) byPrefix.set(key, rest);
  else byPrefix.delete(key);
}

/** Registers a value as secret; it is redacted from every sink until `forgetSecret` is called as often. */
export function registerSecret(value: string | undefined | null): void {
  if (!value) return;
  for (const v of variants(value)) {
    const n = refCounts.get(v) ?? 0;
    refCounts.set(v, n + 1);
    if (n === 0) index(v);
  }
}

/** Drops one registration of a value (for example a bootstrap token that was deleted). */
export function forgetSecret(value: string | undefined | null): void {
  if (!value) return;
  for (const v of variants(value)) {
    const n = refCounts.get(v) ?? 0;
    if (n <= 1) {
      refCounts.delete(v);
      unindex(v);
    } else {
      refCounts.set(v, n - 1);
    }
  }
}

/** Number of distinct registered secret variants (for tests and metrics). */
export function registeredSecretCount(): number {
  return refCounts.size;
}

/** Replaces every registered secret in `text` with `[REDACTED]`. */
export function redact(text: string): string {
  if (byPrefix.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
  let out = "";
  let last = 0;
  let i = 0;
  const end = text.length - MIN_SECRET_LENGTH;
  while (i <= end) {
    const candidates = byPrefix.get(text.slice(i, i + PREFIX));
    const hit = candidates?.find((s) => text.startsWith(s, i));
    if (hit) {
      out += text.slice(last, i) + REDACTED;
      i += hit.length;
      last = i;
    } else {
      i++;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Field names whose values are always redacted in structured logs, whatever their content. */
const SECRET_FIELD = /(token|password|secret|userdata|apikey|api_key|credential|privatekey|private_key)$/i;

/** True if a structured field of this name carries a secret by its nature. */
export function isSecretFieldName(name: string): boolean {
  return SECRET_FIELD.test(name);
}
