/**
 * Request paths and query strings of the Metal API: path templates filled with encoded ids, list parameters as the
 * API expects them (`include`/`exclude` as one comma-separated value, `categories[]` repeated).
 */
import { isUuid } from "../runtime/uuid.ts";
import { MetalInputError } from "./errors.ts";

/** A query parameter value; undefined values are left out, arrays of `csv` keys are joined with commas. */
export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type QueryParams = Record<string, QueryValue>;

/** Keys the API takes as one comma-separated value (OpenAPI `style: form, explode: false`). */
const CSV_KEYS = new Set(["include", "exclude"]);

/**
 * Checks an id the caller passed for a path segment. Ids of devices, projects, keys and reservations are UUIDs:
 * anything else (a provider ID like `equinixmetal://ny/<id>`, an empty string) would reach another URL and come
 * back as 404, which callers read as "already gone".
 */
export function requireUuid(operation: string, field: string, value: unknown): string {
  if (typeof value !== "string" || !isUuid(value)) {
    throw new MetalInputError(operation, field, `must be a UUID, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks a non-empty string id (metros accept codes as well as UUIDs). */
export function requireNonEmpty(operation: string, field: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new MetalInputError(operation, field, `must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Fills `{name}` placeholders of a path template with URL-encoded values. */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`path parameter ${name} missing for ${template}`);
    return encodeURIComponent(v);
  });
}

/**
 * Encodes query parameters in the API's conventions; returns "" or "?a=b&...". `explode` repeats the key for every
 * array element even for include/exclude (the facilities endpoints declare them with the default `explode: true`).
 */
export function encodeQuery(query: QueryParams = {}, explode = false): string {
  const sp = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (!value.length) continue;
      if (CSV_KEYS.has(key) && !explode) sp.append(key, value.join(","));
      else for (const v of value) sp.append(key, v);
    } else {
      sp.append(key, String(value));
    }
  }
  const s = sp.toString();
  return s ? `?${s}` : "";
}

/** Validates `include`/`exclude` names: non-empty, no commas (they are joined with commas). */
export function checkAttributeList(operation: string, field: string, names: readonly string[] | undefined): void {
  if (names === undefined) return;
  if (!Array.isArray(names)) throw new MetalInputError(operation, field, "must be an array of attribute names");
  for (const [i, n] of names.entries()) {
    if (typeof n !== "string" || n.trim() === "" || n.includes(",")) {
      throw new MetalInputError(
        operation,
        `${field}[${i}]`,
        `must be an attribute name without commas, got ${JSON.stringify(n)}`,
      );
    }
  }
}

/** Joins the base URL (with or without trailing slash) and a path starting with "/". */
export function joinUrl(baseUrl: string, pathAndQuery: string): string {
  return baseUrl.replace(/\/+$/, "") + pathAndQuery;
}
