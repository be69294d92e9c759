/** Query-string parameters as the API reads them: CSV `include`/`exclude`, booleans, integers. */
import { unprocessable } from "./api_errors.ts";

/** The set of `include` (or `exclude`) paths: comma-separated, possibly repeated, dotted up to 3 levels. */
export function pathSet(query: URLSearchParams, name: "include" | "exclude"): Set<string> {
  const out = new Set<string>();
  for (const v of query.getAll(name)) {
    for (const part of v.split(",")) {
      const p = part.trim();
      if (p) out.add(p);
    }
  }
  return out;
}

/** A boolean query parameter (`true`/`false`, case-insensitive); 422 naming the parameter otherwise. */
export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const v = query.get(name);
  if (v === null || v === "") return undefined;
  const l = v.toLowerCase();
  if (l === "true" || l === "1") return true;
  if (l === "false" || l === "0") return false;
  throw unprocessable(`${name} must be true or false, got "${v}"`);
}

/** An integer query parameter within bounds; 422 naming the parameter otherwise. */
export function intParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const v = query.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw unprocessable(`${name} must be an integer, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw unprocessable(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Include/exclude decisions for rendering nested objects. */
export interface Expansion {
  readonly include: ReadonlySet<string>;
  readonly exclude: ReadonlySet<string>;
}

/** Reads both sets from the query. */
export function expansionOf(query: URLSearchParams): Expansion {
  return { include: pathSet(query, "include"), exclude: pathSet(query, "exclude") };
}

/** The expansion seen from inside a nested attribute (`ip_addresses.parent_block` → `parent_block`). */
export function nested(e: Expansion, attr: string): Expansion {
  const strip = (s: ReadonlySet<string>) => {
    const out = new Set<string>();
    for (const p of s) if (p.startsWith(`${attr}.`)) out.add(p.slice(attr.length + 1));
    return out;
  };
  return { include: strip(e.include), exclude: strip(e.exclude) };
}
