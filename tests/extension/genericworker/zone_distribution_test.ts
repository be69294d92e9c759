/** Gardener's spreading of minimum/maximum/maxSurge/maxUnavailable over a pool's zones (expected values by hand). */
import assert from "node:assert/strict";
import {
  distributeOverZones,
  distributePercentOverZones,
  distributePositiveIntOrPercent,
} from "../../../src/extension/genericworker/zone_distribution.ts";

Deno.test("min 3, max 5, maxSurge 1, maxUnavailable 0 over 2 zones: the first zone takes the remainders", () => {
  const spread = (zone: number) => ({
    minimum: distributeOverZones(zone, 3, 2),
    maximum: distributeOverZones(zone, 5, 2),
    maxSurge: distributePositiveIntOrPercent(zone, 1, 2, 5),
    maxUnavailable: distributePositiveIntOrPercent(zone, 0, 2, 3),
  });
  assert.deepEqual(spread(0), { minimum: 2, maximum: 3, maxSurge: 1, maxUnavailable: 0 });
  assert.deepEqual(spread(1), { minimum: 1, maximum: 2, maxSurge: 0, maxUnavailable: 0 });
});

Deno.test("counts over 3 zones: shares add up to the total", () => {
  for (const total of [0, 1, 2, 3, 4, 7, 10, 100]) {
    const shares = [0, 1, 2].map((z) => distributeOverZones(z, total, 3));
    assert.equal(shares.reduce((a, b) => a + b, 0), total, `total ${total}`);
    assert.ok(Math.max(...shares) - Math.min(...shares) <= 1, `even spread of ${total}`);
    assert.ok(shares[0] >= shares[2], "earlier zones get the remainder");
  }
  assert.deepEqual([0, 1, 2].map((z) => distributeOverZones(z, 7, 3)), [3, 2, 2]);
  assert.deepEqual([0].map((z) => distributeOverZones(z, 7, 1)), [7]);
});

Deno.test("percentages stay as they are when the total divides evenly, else are weighted by the zone's share, rounded up", () => {
  assert.equal(distributePercentOverZones(0, "50%", 2, 4), "50%");
  assert.equal(distributePercentOverZones(1, "50%", 2, 4), "50%");
  // total 10 over 3 zones: shares 4/3/3 of an average 10/3, i.e. 120% and 90% of 25%.
  assert.equal(distributePercentOverZones(0, "25%", 3, 10), "30%");
  assert.equal(distributePercentOverZones(1, "25%", 3, 10), "23%");
  assert.equal(distributePercentOverZones(2, "25%", 3, 10), "23%");
  // total 5 over 2 zones: shares 3/2 of 2.5, i.e. 120% and 80% of 10%.
  assert.equal(distributePositiveIntOrPercent(0, "10%", 2, 5), "12%");
  assert.equal(distributePositiveIntOrPercent(1, "10%", 2, 5), "8%");
  assert.equal(distributePositiveIntOrPercent(1, "0%", 2, 5), "0%");
  assert.throws(() => distributePercentOverZones(0, "1", 2, 5), /not a percentage/);
});
