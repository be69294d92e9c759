/** Seeded random JSON for the patch property tests (reproducible: the same seed gives the same documents). */

/** mulberry32: a small, fast, seeded PRNG returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ["a", "b", "c", "k1", "k2", "a/b", "t~x", ""];

/** A random JSON value of at most `depth` levels; `nullInObjects: false` leaves nulls out of object members. */
export function randomJson(rnd: () => number, depth: number, opts: { nullInObjects?: boolean } = {}): unknown {
  const r = rnd();
  if (depth <= 0 || r < 0.35) {
    const s = rnd();
    if (s < 0.2) return Math.floor(rnd() * 100) - 50;
    if (s < 0.35) return rnd() * 10;
    if (s < 0.6) return `s${Math.floor(rnd() * 5)}`;
    if (s < 0.8) return rnd() < 0.5;
    return opts.nullInObjects === false ? "n" : null;
  }
  if (r < 0.65) {
    const n = Math.floor(rnd() * 5);
    return Array.from({ length: n }, () => randomJson(rnd, depth - 1, opts));
  }
  const o: Record<string, unknown> = {};
  const n = Math.floor(rnd() * 5);
  for (let i = 0; i < n; i++) {
    const value = randomJson(rnd, depth - 1, opts);
    if (value === null && opts.nullInObjects === false) continue;
    o[KEYS[Math.floor(rnd() * KEYS.length)]] = value;
  }
  return o;
}
