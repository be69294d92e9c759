/** Lists of named things (containers, policies, units, files) with one entry ensured exactly once. Pure. */

/**
 * `items` with `desired` exactly once among the entries `matches` selects: it takes the place of the first such entry
 * (so a re-applied list keeps its order) and the others are dropped; without one it is appended.
 */
export function upsertOnce<T>(items: readonly T[] | undefined, matches: (item: T) => boolean, desired: T): T[] {
  const list = items ?? [];
  const first = list.findIndex(matches);
  const out: T[] = [];
  for (const [i, item] of list.entries()) {
    if (i === first) out.push(desired);
    else if (!matches(item)) out.push(item);
  }
  if (first < 0) out.push(desired);
  return out;
}
