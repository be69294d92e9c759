/**
 * How a worker pool's minimum, maximum, maxSurge and maxUnavailable are spread over its zones (one MachineDeployment
 * per zone), with the arithmetic of Gardener's `DistributeOverZones` / `DistributePositiveIntOrPercent`
 * (extensions/pkg/controller/worker/machines.go), which every Gardener provider uses. Pure. The rules:
 *
 * - counts: every zone gets `size / zones` (integer division), and the first `size % zones` zones one more;
 * - percentages: unchanged when `total` divides evenly over the zones, otherwise weighted by the zone's share of
 *   `total` and rounded up (`ceil(100 / (total / zones) * zoneTotal * percent / 100)`);
 * - maxSurge is weighted by the pool's maximum, maxUnavailable by its minimum.
 *
 * Example (docs/decisions.md): minimum 3, maximum 5, maxSurge 1, maxUnavailable 0 over 2 zones gives zone 1
 * min 2 / max 3 / surge 1 / unavailable 0 and zone 2 min 1 / max 2 / surge 0 / unavailable 0.
 */
import type { IntOrString } from "../../apis/extensions/v1alpha1.ts";

/** The share of `size` that zone `zoneIndex` (0-based) of `zoneCount` zones gets. */
export function distributeOverZones(zoneIndex: number, size: number, zoneCount: number): number {
  const base = Math.trunc(size / zoneCount);
  return base + (zoneIndex < size % zoneCount ? 1 : 0);
}

/** Parses `"<n>%"`; undefined for anything else. */
export function parsePercent(value: string): number | undefined {
  const m = /^(\d+)%$/.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** A percentage for zone `zoneIndex`, weighted by the zone's share of `total` when `total` does not divide evenly. */
export function distributePercentOverZones(
  zoneIndex: number,
  percent: string,
  zoneCount: number,
  total: number,
): string {
  const percents = parsePercent(percent);
  if (percents === undefined) throw new RangeError(`${JSON.stringify(percent)} is not a percentage such as "25%"`);
  if (total % zoneCount === 0) return `${percents}%`;
  const zoneTotal = distributeOverZones(zoneIndex, total, zoneCount);
  // Same operations in the same order as Gardener (float64 there, IEEE doubles here), so the rounding matches.
  const absoluteTotalRatio = total / zoneCount;
  const ratio = 100.0 / absoluteTotalRatio * zoneTotal;
  return `${Math.ceil(ratio * percents / 100.0)}%`;
}

/** maxSurge/maxUnavailable for one zone: counts are split like replicas, percentages are weighted by `total`. */
export function distributePositiveIntOrPercent(
  zoneIndex: number,
  value: IntOrString,
  zoneCount: number,
  total: number,
): IntOrString {
  if (typeof value === "string") return distributePercentOverZones(zoneIndex, value, zoneCount, total);
  return distributeOverZones(zoneIndex, value, zoneCount);
}
