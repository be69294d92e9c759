import assert from "node:assert/strict";
import { DEFAULT_OPTIONS, effectiveKubeApiBurst, validateOptions, withDefaults } from "../../src/mcm/options.ts";
import { effectiveSettings } from "../../src/mcm/controller/machine/timeouts.ts";
import { machine } from "./controller/fixtures.ts";

Deno.test("defaults are MCM's", () => {
  assert.equal(DEFAULT_OPTIONS.machineCreationTimeoutMs, 20 * 60_000);
  assert.equal(DEFAULT_OPTIONS.machineHealthTimeoutMs, 10 * 60_000);
  assert.equal(DEFAULT_OPTIONS.machineDrainTimeoutMs, 2 * 3_600_000);
  assert.equal(DEFAULT_OPTIONS.machineMaxEvictRetries, 360);
  assert.equal(DEFAULT_OPTIONS.machineSafetyOrphanVmsPeriodMs, 15 * 60_000);
  assert.equal(DEFAULT_OPTIONS.concurrentSyncs, 50);
  assert.equal(DEFAULT_OPTIONS.nodeConditions, "KernelDeadlock,ReadonlyFilesystem,DiskPressure,NetworkUnavailable");
  assert.deepEqual(validateOptions(withDefaults()), []);
});

Deno.test("validation names the flag", () => {
  const errs = validateOptions(
    withDefaults({
      concurrentSyncs: 0,
      machineDrainTimeoutMs: -1,
      machineSafetyApiserverStatuscheckPeriodMs: 10_000,
      machineSafetyApiserverStatuscheckTimeoutMs: 30_000,
      namespace: "",
    }),
  );
  assert.ok(errs.some((e) => e.startsWith("--concurrent-syncs:")));
  assert.ok(errs.some((e) => e.startsWith("--machine-drain-timeout:")));
  assert.ok(errs.some((e) => e.startsWith("--machine-safety-apiserver-statuscheck-period:")));
  assert.ok(errs.some((e) => e.startsWith("--namespace:")));
});

Deno.test("per-machine overrides win; invalid overrides fall back and are reported with the field", () => {
  const m = machine("m", {
    spec: { drainTimeout: "5m", healthTimeout: "bogus", maxEvictRetries: 7, nodeConditions: "Ready,DiskPressure" },
  });
  const s = effectiveSettings(m, withDefaults());
  assert.equal(s.drainTimeoutMs, 5 * 60_000);
  assert.equal(s.healthTimeoutMs, 10 * 60_000);
  assert.equal(s.maxEvictRetries, 7);
  assert.deepEqual(s.nodeConditions, ["Ready", "DiskPressure"]);
  assert.equal(s.problems.length, 1);
  assert.match(s.problems[0], /^spec\.healthTimeout: /);
});

Deno.test("--kube-api-burst=0 is accepted as MCM does and means the client default; negative values are rejected", () => {
  assert.deepEqual(validateOptions(withDefaults({ kubeApiBurst: 0 })), []);
  assert.equal(effectiveKubeApiBurst(withDefaults({ kubeApiBurst: 0 })), 10);
  assert.equal(effectiveKubeApiBurst(withDefaults()), 30);
  const errs = validateOptions(withDefaults({ kubeApiBurst: -1 }));
  assert.ok(errs.some((e) => e.startsWith("--kube-api-burst:")), errs.join("; "));
});
