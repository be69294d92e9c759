import assert from "node:assert/strict";
import { findOrphans, unmanagedNodeMarkings } from "../../../../src/mcm/controller/safety/orphans.ts";
import { healthTimeoutResetStatus, observeProbe } from "../../../../src/mcm/controller/safety/apiserver.ts";
import { NODE_ANNOTATION_NOT_MANAGED_BY_MCM, NODE_FINALIZER } from "../../../../src/apis/machine/v1alpha1.ts";
import { timestamp } from "../../../../src/mcm/controller/machine/status.ts";
import { conditions, machine, MIN, node, NOW, withStatus } from "../fixtures.ts";

const ID1 = "6f1d2c0e-1a2b-4c3d-8e9f-000000000001";
const ID2 = "6f1d2c0e-1a2b-4c3d-8e9f-000000000002";

function byName(...ms: ReturnType<typeof machine>[]) {
  return new Map(ms.map((m) => [m.metadata.name!, m]));
}

Deno.test("orphans: a device without a Machine is an orphan", () => {
  const out = findOrphans({ [`equinixmetal://ny/${ID1}`]: "gone" }, byName());
  assert.deepEqual(out.map((o) => o.machineName), ["gone"]);
});

Deno.test("orphans: the device a Machine points at is kept", () => {
  const m = withStatus(machine("m1", { spec: { providerID: `equinixmetal://ny/${ID1}` } }), { phase: "Running" });
  assert.deepEqual(findOrphans({ [`equinixmetal://ny/${ID1}`]: "m1" }, byName(m)), []);
});

Deno.test("orphans: providerID forms of an older version are not orphans (compare device ids)", () => {
  // The Machine was created by v0.7 (facility form); the driver lists the metro form now.
  const m = withStatus(machine("m1", { spec: { providerID: `equinixmetal://ewr1/${ID1}` } }), { phase: "Running" });
  assert.deepEqual(findOrphans({ [`equinixmetal://ny/${ID1}`]: "m1" }, byName(m)), []);
  const legacy = withStatus(machine("m2", { spec: { providerID: `packet://${ID2}` } }), { phase: "Running" });
  assert.deepEqual(findOrphans({ [`equinixmetal://ny/${ID2}`]: "m2" }, byName(legacy)), []);
});

Deno.test("orphans: a Machine still being created keeps a same-named device", () => {
  const creating = machine("m1");
  const clbo = withStatus(machine("m2"), { phase: "CrashLoopBackOff" });
  assert.deepEqual(
    findOrphans({ [`equinixmetal://ny/${ID1}`]: "m1", [`equinixmetal://ny/${ID2}`]: "m2" }, byName(creating, clbo)),
    [],
  );
});

Deno.test("orphans: a duplicate device of a created Machine is an orphan", () => {
  const m = withStatus(machine("m1", { spec: { providerID: `equinixmetal://ny/${ID1}` } }), { phase: "Pending" });
  const out = findOrphans({ [`equinixmetal://ny/${ID1}`]: "m1", [`equinixmetal://ny/${ID2}`]: "m1" }, byName(m));
  assert.deepEqual(out.map((o) => o.providerID), [`equinixmetal://ny/${ID2}`]);
});

Deno.test("orphans: a second device of a Machine with a providerID is an orphan in every phase", () => {
  // The creation flow runs while the phase is "" or CrashLoopBackOff even with a providerID set; the device it points
  // at is the machine's, any other one is a duplicate to delete.
  for (const phase of ["", "CrashLoopBackOff", "Pending", "Running", "Failed"] as const) {
    const base = machine("m1", { spec: { providerID: `equinixmetal://ny/${ID1}` } });
    const m = phase === "" ? base : withStatus(base, { phase });
    const out = findOrphans({ [`equinixmetal://ny/${ID1}`]: "m1", [`equinixmetal://ny/${ID2}`]: "m1" }, byName(m));
    assert.deepEqual(out.map((o) => o.providerID), [`equinixmetal://ny/${ID2}`], `phase ${JSON.stringify(phase)}`);
  }
});

Deno.test("unmanaged nodes: old nodes without a Machine are marked; marks are removed when a Machine appears", () => {
  const old = node("stray", conditions(), {
    metadata: { name: "stray", creationTimestamp: timestamp(NOW - 30 * MIN), finalizers: [NODE_FINALIZER] },
  });
  const young = node("young", conditions(), { metadata: { name: "young", creationTimestamp: timestamp(NOW - MIN) } });
  const marked = node("back", conditions(), {
    metadata: {
      name: "back",
      creationTimestamp: timestamp(NOW - 30 * MIN),
      annotations: { [NODE_ANNOTATION_NOT_MANAGED_BY_MCM]: "1" },
    },
  });
  const owner = machine("back", { metadata: { name: "back", labels: { node: "back" } } });
  assert.deepEqual(unmanagedNodeMarkings([old, young, marked], [owner], 20 * MIN, NOW), [
    { node: "stray", action: "markUnmanaged" },
    { node: "back", action: "unmarkUnmanaged" },
  ]);
});

Deno.test("API server safety: freeze after the timeout, unfreeze when back", () => {
  const opts = { periodMs: 60_000, timeoutMs: 30_000 };
  let d = observeProbe({ frozen: false }, false, NOW, opts);
  assert.deepEqual([d.freeze, d.state.frozen, d.nextProbeMs], [false, false, 6_000]);
  d = observeProbe(d.state, false, NOW + 20_000, opts);
  assert.equal(d.freeze, false);
  d = observeProbe(d.state, false, NOW + 31_000, opts);
  assert.deepEqual([d.freeze, d.state.frozen], [true, true]);
  d = observeProbe(d.state, false, NOW + 40_000, opts);
  assert.equal(d.freeze, false, "freezes once");
  d = observeProbe(d.state, true, NOW + 50_000, opts);
  assert.deepEqual([d.unfreeze, d.state.frozen, d.nextProbeMs], [true, false, 60_000]);
  d = observeProbe({ frozen: false, downSince: NOW }, true, NOW + 10_000, opts);
  assert.deepEqual([d.unfreeze, d.state.downSince], [false, undefined], "a short blip does not freeze");
});

Deno.test("API server safety: Unknown machines are reset to Running after an outage", () => {
  const unknown = withStatus(machine("m"), { phase: "Unknown", conditions: conditions({ Ready: "Unknown" }) });
  const s = healthTimeoutResetStatus(unknown, NOW)!;
  assert.equal(s.currentStatus?.phase, "Running");
  assert.equal(s.lastOperation?.description, "Machine Health Timeout was reset due to APIServer being unreachable");
  assert.equal(s.lastOperation?.state, "Successful");
  assert.equal(s.lastOperation?.type, "HealthCheck");
  assert.equal(healthTimeoutResetStatus(withStatus(machine("r"), { phase: "Running" }), NOW), undefined);
});
