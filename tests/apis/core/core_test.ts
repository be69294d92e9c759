import assert from "node:assert/strict";
import {
  ErrorCode,
  hasNonRetryableErrorCode,
  isErrorCode,
  NON_RETRYABLE_ERROR_CODES,
} from "../../../src/apis/core/error_codes.ts";
import {
  isForceDeletionRequested,
  isHibernationEnabled,
  isNodeLocalDNSEnabled,
  isShootFailed,
  parseGoBool,
  technicalIDOf,
} from "../../../src/apis/core/shoot.ts";
import { isInPlaceUpdateStrategy, type Shoot } from "../../../src/apis/core/v1beta1.ts";

function shoot(extra: Partial<Shoot> = {}): Shoot {
  return { spec: { region: "da", kubernetes: { version: "1.33.1" }, provider: { type: "equinixmetal" } }, ...extra };
}

Deno.test("non-retryable error codes are exactly gardenlet's list", () => {
  assert.deepEqual([...NON_RETRYABLE_ERROR_CODES].sort(), [
    "ERR_CONFIGURATION_PROBLEM",
    "ERR_INFRA_DEPENDENCIES",
    "ERR_INFRA_QUOTA_EXCEEDED",
    "ERR_INFRA_RATE_LIMITS_EXCEEDED",
    "ERR_INFRA_UNAUTHENTICATED",
    "ERR_INFRA_UNAUTHORIZED",
    "ERR_PROBLEMATIC_WEBHOOK",
  ]);
  assert.equal(Object.keys(ErrorCode).length, 11);
  assert.equal(hasNonRetryableErrorCode([ErrorCode.InfraResourcesDepleted, ErrorCode.ConfigurationProblem]), true);
  assert.equal(
    hasNonRetryableErrorCode([ErrorCode.RetryableConfigurationProblem, ErrorCode.CleanupClusterResources]),
    false,
  );
  assert.equal(hasNonRetryableErrorCode(undefined), false);
  assert.equal(isErrorCode("ERR_INFRA_UNAUTHORIZED"), true);
  assert.equal(isErrorCode("ERR_SOMETHING"), false);
});

Deno.test("force deletion follows Go's strconv.ParseBool", () => {
  for (
    const [value, want] of [["true", true], ["True", true], ["1", true], ["t", true], ["yes", false], ["false", false]]
  ) {
    const s = shoot({ metadata: { annotations: { "confirmation.gardener.cloud/force-deletion": value as string } } });
    assert.equal(isForceDeletionRequested(s), want, String(value));
  }
  assert.equal(isForceDeletionRequested(shoot()), false);
  assert.equal(parseGoBool("FALSE"), false);
  assert.equal(parseGoBool("on"), undefined);
});

Deno.test("shoot questions: hibernation, failure, technical ID, node-local-dns, in-place strategies", () => {
  assert.equal(isHibernationEnabled(shoot()), false);
  assert.equal(isHibernationEnabled(shoot({ spec: { ...shoot().spec, hibernation: { enabled: true } } })), true);
  assert.equal(isShootFailed(shoot({ status: { lastOperation: { type: "Reconcile", state: "Failed" } } })), true);
  assert.equal(isShootFailed(shoot({ status: { lastOperation: { type: "Reconcile", state: "Error" } } })), false);
  assert.equal(technicalIDOf(shoot({ status: { technicalID: "shoot--p--s" } })), "shoot--p--s");
  assert.equal(
    isNodeLocalDNSEnabled(shoot({ spec: { ...shoot().spec, systemComponents: { nodeLocalDNS: { enabled: true } } } })),
    true,
  );
  assert.equal(isInPlaceUpdateStrategy("ManualInPlaceUpdate"), true);
  assert.equal(isInPlaceUpdateStrategy("AutoRollingUpdate"), false);
  assert.equal(isInPlaceUpdateStrategy(undefined), false);
});
