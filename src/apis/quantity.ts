/**
 * Kubernetes resource quantities (`resource.Quantity` text such as `25Gi`, `500m`, `1e3`): validation and conversion to
 * a number of base units. Numbers are doubles, which is exact for every size and CPU value met in practice.
 */

/** The serialisation grammar of `resource.Quantity` (as in every CRD's `x-kubernetes-int-or-string` pattern). */
export const QUANTITY_PATTERN =
  /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))?$/;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** True if `text` is a valid quantity. */
export function isQuantity(text: string): boolean {
  return QUANTITY_PATTERN.test(text);
}

/** The value of a quantity in base units (bytes, cores...); throws a `RangeError` naming the text if invalid. */
export function parseQuantity(text: string | number): number {
  if (typeof text === "number") {
    if (!Number.isFinite(text)) throw new RangeError(`quantity ${text} is not finite`);
    return text;
  }
  const m = QUANTITY_PATTERN.exec(text);
  if (!m) throw new RangeError(`${JSON.stringify(text)} is not a quantity (e.g. 25Gi, 500m, 1e3)`);
  const base = Number(m[1]);
  const suffix = m[2] ?? "";
  if (suffix === "") return base;
  if (suffix in BINARY) return base * BINARY[suffix];
  if (suffix in DECIMAL) return base * DECIMAL[suffix];
  return base * 10 ** Number(suffix.slice(1)); // exponent form: e3, E-2
}

/** True if two quantities have the same value (`1000` and `1k`, `1024Mi` and `1Gi`); texts that are not quantities
 * are compared as text. */
export function sameQuantity(a: string | number, b: string | number): boolean {
  if (String(a) === String(b)) return true;
  try {
    return parseQuantity(a) === parseQuantity(b);
  } catch {
    return false;
  }
}
