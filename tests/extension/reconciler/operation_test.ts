/** The operation type as Gardener's ComputeOperationType computes it, the skip rule, and the timestamp rule. */
import assert from "node:assert/strict";
import {
  computeOperationType,
  shouldSkipAfterMigration,
  timestampSatisfied,
} from "../../../src/extension/reconciler/operation.ts";
import type { ExtensionObject } from "../../../src/extension/reconciler/extension_object.ts";

function obj(
  opts: { op?: string; deleting?: boolean; last?: { type: string; state: string }; ts?: string; updated?: string } = {},
): ExtensionObject {
  const annotations: Record<string, string> = {};
  if (opts.op) annotations["gardener.cloud/operation"] = opts.op;
  if (opts.ts) annotations["gardener.cloud/timestamp"] = opts.ts;
  return {
    metadata: {
      name: "x",
      annotations,
      ...(opts.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    spec: { type: "equinixmetal" },
    status: opts.last
      ? {
        lastOperation: {
          ...opts.last,
          progress: 100,
          description: "",
          lastUpdateTime: opts.updated ?? "2026-01-01T00:00:00Z",
        },
      }
      : {},
  };
}

Deno.test("ComputeOperationType: every rule in Gardener's order", () => {
  const cases: Array<[Parameters<typeof obj>[0], string]> = [
    [{ op: "migrate", deleting: true }, "Migrate"], // 1 beats deletion
    [{ deleting: true, op: "restore" }, "Delete"], // 2 beats restore
    [{ op: "restore", last: { type: "Reconcile", state: "Succeeded" } }, "Restore"], // 3
    [{}, "Create"], // 4 no lastOperation
    [{ op: "reconcile" }, "Create"],
    [{ last: { type: "Create", state: "Error" } }, "Create"], // 5
    [{ last: { type: "Create", state: "Processing" } }, "Create"],
    [{ last: { type: "Create", state: "Succeeded" } }, "Reconcile"],
    [{ last: { type: "Migrate", state: "Error" } }, "Migrate"], // 6 unfinished migrate continues
    [{ last: { type: "Restore", state: "Error" } }, "Restore"], // 7
    [{ last: { type: "Restore", state: "Succeeded" } }, "Reconcile"],
    [{ last: { type: "Delete", state: "Error" } }, "Reconcile"], // deletion undone without deletionTimestamp
    [{ op: "reconcile", last: { type: "Reconcile", state: "Error" } }, "Reconcile"], // 8
    [{ op: "wait-for-state" }, "Create"],
  ];
  for (const [input, want] of cases) assert.equal(computeOperationType(obj(input)), want, JSON.stringify(input));
});

Deno.test("after Migrate/Succeeded only Migrate and Restore act", () => {
  const migrated = obj({ last: { type: "Migrate", state: "Succeeded" } });
  assert.equal(shouldSkipAfterMigration(migrated, "Reconcile"), true);
  assert.equal(shouldSkipAfterMigration(migrated, "Delete"), true);
  assert.equal(shouldSkipAfterMigration(migrated, "Migrate"), false);
  assert.equal(shouldSkipAfterMigration(migrated, "Restore"), false);
  assert.equal(shouldSkipAfterMigration(obj({ last: { type: "Migrate", state: "Error" } }), "Migrate"), false);
  assert.equal(shouldSkipAfterMigration(obj({ last: { type: "Reconcile", state: "Succeeded" } }), "Reconcile"), false);
});

Deno.test("timestamp rule: the request time truncated to seconds must not be after lastUpdateTime", () => {
  const last = { type: "Reconcile", state: "Succeeded" };
  assert.equal(timestampSatisfied(obj({ last })), true, "no timestamp");
  // Same second: gardenlet truncates its nanosecond timestamp, so a write earlier within that second still counts.
  assert.equal(
    timestampSatisfied(obj({ last, ts: "2026-01-01T00:00:00.900000000Z", updated: "2026-01-01T00:00:00.100Z" })),
    true,
  );
  assert.equal(
    timestampSatisfied(obj({ last, ts: "2026-01-01T00:00:01.000000001Z", updated: "2026-01-01T00:00:00.999Z" })),
    false,
  );
  assert.equal(timestampSatisfied(obj({ last, ts: "garbage" })), false);
});
