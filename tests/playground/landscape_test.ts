/**
 * The Landscape seam the demo and the end-to-end tests build on: its kubeconfigs exist while it runs, `stop()` stops
 * everything once and reports the outcome, its temporary directory goes away (also when the work against it fails),
 * and bad inputs fail before anything starts. The phases themselves are exercised by tests/e2e and the demo's tests.
 */
import assert from "node:assert/strict";
import { configureLogging } from "../../src/observability/log.ts";
import { startLandscape, withLandscape } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

// Stopping a landscape aborts requests in flight, which the fake API servers log; nothing here is about logs.
configureLogging({ level: "error", sink: () => {} });

Deno.test("a landscape: kubeconfigs while it runs; one stop with its outcome; its directory removed", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 22, 8, 0, 0));
  const { value: seen, outcome } = await new FakeTimeDriver(clock).during(() =>
    withLandscape({ clock, randomSeed: 21 }, async (landscape) => {
      assert.equal(landscape.shootKubeconfigs.length, 1);
      for (const k of [landscape.seedKubeconfig, ...landscape.shootKubeconfigs]) assert.ok((await Deno.stat(k)).isFile);
      assert.match(landscape.url, /^https?:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(landscape.startupFacts().randomSeed, 21);
      return { landscape, dir: landscape.startupFacts().dir };
    })
  );
  assert.equal(outcome.faults, undefined, "no fault injection asked for");
  // A shoot's machine controller starts only where gardenlet deploys machine-controller-manager (from its sidecar).
  assert.deepEqual(Object.keys(outcome.restarts), ["extension"]);
  assert.equal(await seen.landscape.stop(), outcome, "a second stop reports the same");
  await assert.rejects(Deno.stat(seen.dir), Deno.errors.NotFound);
});

Deno.test("a failure of the work against a landscape stops it all the same and is rethrown", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 22, 9, 0, 0));
  let dir = "";
  await assert.rejects(
    new FakeTimeDriver(clock).during(() =>
      withLandscape({ clock, randomSeed: 22 }, (landscape) => {
        dir = landscape.startupFacts().dir;
        return Promise.reject(new Error("the test's own failure"));
      })
    ),
    /the test's own failure/,
  );
  assert.notEqual(dir, "");
  await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
});

Deno.test("bad inputs fail before a landscape starts, naming what is wrong", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 22, 10, 0, 0));
  await assert.rejects(
    startLandscape({ clock, randomSeed: 1, crdsDir: "/nonexistent" }),
    /the Gardener and MCM CRDs are expected in \/nonexistent\/gardener; it does not exist/,
  );
  await assert.rejects(startLandscape({ clock, randomSeed: 1, shoots: 0 }), /playground option shoots: /);
});
