/** gardenlet's readiness rules for extension objects and its reconcile-request annotations (pure). */
import assert from "node:assert/strict";
import {
  extensionObjectProblem,
  type ExtensionObjectView,
  machineDeploymentsProblem,
  nonRetryableError,
  reconcileRequest,
  rfc3339Nano,
} from "../../../src/sim/gardenlet/mod.ts";

const TS = "2026-11-21T10:00:00.25Z";

function ready(
  patch: { meta?: Partial<ExtensionObjectView["metadata"]>; status?: ExtensionObjectView["status"] } = {},
) {
  return {
    metadata: {
      name: "playground",
      namespace: "shoot--garden--playground",
      generation: 2,
      annotations: { "gardener.cloud/timestamp": TS },
      ...patch.meta,
    },
    status: {
      observedGeneration: 2,
      lastOperation: { type: "Reconcile", state: "Succeeded", lastUpdateTime: "2026-11-21T10:00:00Z" },
      ...patch.status,
    },
  } as ExtensionObjectView;
}

Deno.test("rfc3339Nano is Go's RFC3339Nano of a UTC instant: fraction without trailing zeros", () => {
  assert.equal(rfc3339Nano(Date.UTC(2026, 10, 21, 10, 0, 0, 0)), "2026-11-21T10:00:00Z");
  assert.equal(rfc3339Nano(Date.UTC(2026, 10, 21, 10, 0, 0, 250)), "2026-11-21T10:00:00.25Z");
  assert.equal(rfc3339Nano(Date.UTC(2026, 10, 21, 10, 0, 0, 7)), "2026-11-21T10:00:00.007Z");
  assert.deepEqual(reconcileRequest(Date.UTC(2026, 10, 21, 10, 0, 0, 250)), {
    "gardener.cloud/operation": "reconcile",
    "gardener.cloud/timestamp": TS,
  });
});

Deno.test("ready: Succeeded, generation observed, no operation pending, not older than the request (second precision)", () => {
  // lastUpdateTime 10:00:00 is not older than a request at 10:00:00.25: the request is truncated to seconds.
  assert.equal(extensionObjectProblem(ready(), TS), undefined);
  assert.equal(extensionObjectProblem(ready()), undefined, "without a request timestamp");
});

Deno.test("not ready: each of gardenlet's rules names what is missing", () => {
  const cases: Array<[string, ExtensionObjectView, RegExp]> = [
    [
      "error",
      ready({ status: { lastError: { description: "boom", codes: ["ERR_INFRA_UNAUTHORIZED"] } } }),
      /error reported: boom \[ERR_INFRA_UNAUTHORIZED\]/,
    ],
    [
      "generation",
      ready({ status: { observedGeneration: 1, lastOperation: ready().status!.lastOperation } }),
      /observed generation outdated \(1\/2\)/,
    ],
    [
      "annotation",
      ready({ meta: { annotations: { "gardener.cloud/timestamp": TS, "gardener.cloud/operation": "reconcile" } } }),
      /operation annotation reconcile not yet removed/,
    ],
    ["no operation", ready({ status: { observedGeneration: 2, lastOperation: null } }), /no last operation/],
    [
      "processing",
      ready({
        status: {
          observedGeneration: 2,
          lastOperation: { type: "Reconcile", state: "Processing", description: "Waiting" },
        },
      }),
      /last operation Reconcile is Processing: Waiting/,
    ],
    [
      "stale cache",
      ready({ meta: { annotations: { "gardener.cloud/timestamp": "2026-11-21T09:00:00Z" } } }),
      /does not carry the requested timestamp/,
    ],
    [
      "older than request",
      ready({
        status: {
          observedGeneration: 2,
          lastOperation: { state: "Succeeded", lastUpdateTime: "2026-11-21T09:59:59Z" },
        },
      }),
      /older than the request/,
    ],
  ];
  for (const [what, obj, want] of cases) assert.match(extensionObjectProblem(obj, TS) ?? "ready", want, what);
});

Deno.test("machine deployments published: a machineDeploymentsLastUpdateTime newer than before the request", () => {
  const w = (t?: string) => ({ metadata: {}, status: { machineDeploymentsLastUpdateTime: t } }) as ExtensionObjectView;
  assert.match(machineDeploymentsProblem(w(undefined), undefined) ?? "", /not yet published/);
  assert.equal(machineDeploymentsProblem(w("2026-11-21T10:00:00Z"), undefined), undefined);
  assert.match(machineDeploymentsProblem(w("2026-11-21T10:00:00Z"), "2026-11-21T10:00:00Z") ?? "", /not yet/);
  assert.equal(machineDeploymentsProblem(w("2026-11-21T10:00:01Z"), "2026-11-21T10:00:00Z"), undefined);
});

Deno.test("a non-retryable error code ends gardenlet's wait; retryable ones and no error do not", () => {
  const withError = (codes?: string[]) => ready({ status: { lastError: { description: "bad key", codes } } });
  assert.equal(nonRetryableError(withError(["ERR_CONFIGURATION_PROBLEM"])), "bad key [ERR_CONFIGURATION_PROBLEM]");
  assert.equal(nonRetryableError(withError(["ERR_RETRYABLE_INFRA_DEPENDENCIES"])), undefined);
  assert.equal(nonRetryableError(withError()), undefined);
  assert.equal(nonRetryableError(ready()), undefined);
  assert.equal(nonRetryableError(undefined), undefined);
});
