/**
 * Semantic equality of API values as Kubernetes' `equality.Semantic.DeepEqual` sees them after a JSON round trip:
 * a missing field, `null`, an empty list and an empty map are all the same thing. Used to decide whether a write is
 * needed (no write when nothing changed) and to hash templates.
 */

/** The value with keys sorted and every null/empty member dropped; undefined if the whole value is empty. */
export function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    // Elements keep their position: an empty element still occupies its slot (as `null`).
    return value.length === 0 ? undefined : value.map((v) => canonical(v) ?? null);
  }
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/** Stable JSON text of the canonical form (`""` for an empty value). */
export function canonicalJson(value: unknown): string {
  const c = canonical(value);
  return c === undefined ? "" : JSON.stringify(c);
}

/** True if both values are semantically equal. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
