/** The status patches of each step, the no-op comparisons and the up-to-date rule (pure). */
import assert from "node:assert/strict";
import {
  changesMoreThanLastOperation,
  changesStatus,
  errorDescription,
  errorPatch,
  isUpToDate,
  patchedStatus,
  processingPatch,
  statusTime,
  successPatch,
} from "../../../src/extension/reconciler/status.ts";
import type { ExtensionObject } from "../../../src/extension/reconciler/extension_object.ts";
import { registerSecret } from "../../../src/observability/redact.ts";

const NOW = Date.UTC(2026, 10, 21, 10, 0, 0, 123);

Deno.test("times are RFC 3339 UTC and exactly now (never earlier)", () => {
  assert.equal(statusTime(NOW), "2026-11-21T10:00:00.123Z");
  assert.ok(Date.parse(statusTime(NOW)) >= NOW);
});

Deno.test("patches: Processing keeps observedGeneration; Error and Success set it; success clears lastError", () => {
  assert.deepEqual(processingPatch("Create", "Reconciling the infrastructure", NOW), {
    lastOperation: {
      type: "Create",
      state: "Processing",
      progress: 1,
      description: "Reconciling the infrastructure",
      lastUpdateTime: "2026-11-21T10:00:00.123Z",
    },
  });
  const err = errorPatch("Reconcile", "Error x: y", ["ERR_CONFIGURATION_PROBLEM"], NOW, 4);
  assert.equal((err.lastOperation as { progress: number }).progress, 50);
  assert.deepEqual(err.lastError, {
    description: "Error x: y",
    codes: ["ERR_CONFIGURATION_PROBLEM"],
    lastUpdateTime: "2026-11-21T10:00:00.123Z",
  });
  assert.equal(err.observedGeneration, 4);
  assert.equal((errorPatch("Reconcile", "e", [], NOW, 1).lastError as { codes: unknown }).codes, null);
  const ok = successPatch("Reconcile", "Successfully reconciled infrastructure", NOW, 4, { providerStatus: { a: 1 } });
  assert.equal(ok.lastError, null);
  assert.equal(ok.observedGeneration, 4);
  assert.deepEqual(ok.providerStatus, { a: 1 });
  for (const p of [ok, err, processingPatch("Create", "x", NOW)]) assert.equal("conditions" in p, false);

  const before = { lastError: { description: "old", codes: ["A"] }, conditions: [{ type: "X" }] };
  const after = patchedStatus(before, ok);
  assert.equal("lastError" in after, false);
  assert.deepEqual(after.conditions, [{ type: "X" }], "conditions are never touched");
});

Deno.test("error descriptions: '<Context>: <err>' capitalised, secrets redacted, bounded", () => {
  assert.equal(
    errorDescription("error reconciling infrastructure", new Error("x")),
    "Error reconciling infrastructure: x",
  );
  registerSecret("tok-9f8e7d6c5b4a");
  assert.equal(
    errorDescription("Error deleting infrastructure", new Error("token tok-9f8e7d6c5b4a rejected")),
    "Error deleting infrastructure: token [REDACTED] rejected",
  );
  assert.equal(errorDescription("E", new Error("x".repeat(10_000))).length, 4096);
});

Deno.test("no-op comparisons: identical patches change nothing; lastOperation alone is not a change", () => {
  const status = { providerStatus: { a: 1 }, observedGeneration: 2, lastOperation: { state: "Succeeded" } };
  assert.equal(changesStatus(status, { providerStatus: { a: 1 } }), false);
  assert.equal(changesStatus(status, { providerStatus: { a: 2 } }), true);
  assert.equal(changesStatus(status, { lastError: null }), false, "deleting an absent field");
  const success = successPatch("Reconcile", "s", NOW, 2, { providerStatus: { a: 1 } });
  assert.equal(changesMoreThanLastOperation(status, success), false);
  assert.equal(changesMoreThanLastOperation(status, successPatch("Reconcile", "s", NOW, 3)), true);
});

Deno.test("up to date: no request, Succeeded for this generation, no error, finalizer, timestamp satisfied", () => {
  const base = (): ExtensionObject => ({
    metadata: {
      name: "x",
      generation: 2,
      finalizers: ["extensions.gardener.cloud/infrastructure"],
      annotations: { "gardener.cloud/timestamp": "2026-11-21T10:00:00.500000000Z" },
    },
    spec: { type: "equinixmetal" },
    status: {
      observedGeneration: 2,
      lastOperation: {
        type: "Reconcile",
        state: "Succeeded",
        progress: 100,
        description: "",
        lastUpdateTime: "2026-11-21T10:00:00.123Z",
      },
    },
  });
  const F = "extensions.gardener.cloud/infrastructure";
  assert.equal(isUpToDate(base(), F), true);
  const variants: Array<(o: ExtensionObject) => void> = [
    (o) => (o.metadata.annotations!["gardener.cloud/operation"] = "reconcile"),
    (o) => (o.metadata = { ...o.metadata, generation: 3 }),
    (o) => (o.metadata.finalizers = []),
    (o) => (o.status!.lastError = { description: "x" }),
    (o) => (o.status!.lastOperation!.state = "Error"),
    (o) => (o.status!.lastOperation = { ...o.status!.lastOperation!, type: "Create", state: "Processing" }),
    (o) => (o.metadata.annotations!["gardener.cloud/timestamp"] = "2026-11-21T10:00:01.000000000Z"),
    (o) => (o.metadata = { ...o.metadata, deletionTimestamp: "2026-11-21T10:00:00Z" }),
  ];
  for (const v of variants) {
    const o = base();
    v(o);
    assert.equal(isUpToDate(o, F), false, v.toString());
  }
});
