/**
 * List pagination: `limit` and an opaque `continue` token that records the last key returned. Items are listed in
 * key order (namespace/name), so a page continues strictly after the previous one: when nothing changes between
 * pages, no item is skipped or duplicated.
 */
import { decodeBase64Text, encodeBase64 } from "../../../runtime/base64.ts";

/** Thrown for a malformed continue token (the server answers 400). */
export class ContinueTokenError extends Error {}

interface TokenBody {
  v: "meta.k8s.io/v1";
  rv: number;
  start: string;
}

/** Encodes the position after `lastKey` at list resourceVersion `rv`. */
export function encodeContinue(rv: number, lastKey: string): string {
  const body: TokenBody = { v: "meta.k8s.io/v1", rv, start: lastKey + "\u0000" };
  return encodeBase64(JSON.stringify(body), { alphabet: "base64url" }).replace(/=+$/, "");
}

/** Decodes a token into the key to start from (inclusive) and the resourceVersion of the first page. */
export function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const body = JSON.parse(decodeBase64Text(token, { alphabet: "base64url" })) as Partial<TokenBody>;
    if (body.v !== "meta.k8s.io/v1" || typeof body.start !== "string" || typeof body.rv !== "number") {
      throw new Error("unknown token version");
    }
    return { rv: body.rv, start: body.start };
  } catch (e) {
    throw new ContinueTokenError(`continue key is not valid: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Takes one page out of items sorted by key. */
export function paginate<T>(
  sorted: Array<{ key: string; item: T }>,
  opts: { limit?: number; start?: string; rv: number },
): { items: T[]; continueToken?: string; remaining?: number } {
  let from = 0;
  if (opts.start !== undefined) {
    // Binary search for the first key >= start.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid].key < opts.start) lo = mid + 1;
      else hi = mid;
    }
    from = lo;
  }
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const end = Math.min(sorted.length, from + limit);
  const page = sorted.slice(from, end);
  if (end < sorted.length && page.length > 0) {
    return {
      items: page.map((e) => e.item),
      continueToken: encodeContinue(opts.rv, page[page.length - 1].key),
      remaining: sorted.length - end,
    };
  }
  return { items: page.map((e) => e.item) };
}
