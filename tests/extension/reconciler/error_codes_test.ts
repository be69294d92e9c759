/** The error → Gardener error code table (docs/decisions.md), including causes and explicit codes. */
import assert from "node:assert/strict";
import {
  CodedError,
  ConfigurationError,
  determineErrorCodes,
  RetryableConfigurationError,
} from "../../../src/extension/reconciler/error_codes.ts";
import { hasNonRetryableErrorCode } from "../../../src/apis/core/error_codes.ts";
import { FieldValidationError, required } from "../../../src/apis/decode.ts";
import { MachineImageNotFoundError } from "../../../src/apis/equinixmetal/helper.ts";
import {
  MetalCapacityExhaustedError,
  type MetalErrorDetails,
  MetalInputError,
  MetalInvalidError,
  MetalNetworkError,
  MetalNotFoundError,
  MetalPermissionDeniedError,
  MetalRateLimitedError,
  MetalServerError,
  MetalTimeoutError,
  MetalUnauthenticatedError,
} from "../../../src/metal/errors.ts";
import { ConflictError, ForbiddenError, statusBody, UnauthorizedError } from "../../../src/k8s/api/errors.ts";

const d = (status: number, messages: string[] = [], path = "/ssh-keys/1"): MetalErrorDetails => ({
  status,
  messages,
  method: "GET",
  path,
});

Deno.test("Metal errors map to Gardener codes; only rejected credentials and configuration are non-retryable", () => {
  const table: Array<[unknown, string[], boolean]> = [
    [new MetalUnauthenticatedError(d(401, ["Invalid authentication token"])), ["ERR_INFRA_UNAUTHENTICATED"], true],
    [new MetalPermissionDeniedError(d(403)), ["ERR_INFRA_UNAUTHORIZED"], true],
    [new MetalCapacityExhaustedError({ ...d(422), reason: "capacity" }), ["ERR_INFRA_RESOURCES_DEPLETED"], false],
    [new MetalRateLimitedError(d(429)), ["ERR_RETRYABLE_INFRA_DEPENDENCIES"], false],
    [new MetalServerError(d(503)), ["ERR_RETRYABLE_INFRA_DEPENDENCIES"], false],
    [new MetalNetworkError({ ...d(0), outcomeUnknown: true }), ["ERR_RETRYABLE_INFRA_DEPENDENCIES"], false],
    [
      new MetalTimeoutError({ ...d(0), outcomeUnknown: true, timeoutMs: 1 }),
      ["ERR_RETRYABLE_INFRA_DEPENDENCIES"],
      false,
    ],
    [new MetalInvalidError(d(422, ["Key is invalid"])), ["ERR_CONFIGURATION_PROBLEM"], true],
    [
      new MetalInvalidError(d(422, ["The specified project contains insufficient public IPv4 space to complete"])),
      ["ERR_INFRA_QUOTA_EXCEEDED"],
      true,
    ],
    [new MetalInvalidError(d(422, ["Cannot delete a locked item"])), ["ERR_RETRYABLE_INFRA_DEPENDENCIES"], false],
    [new MetalNotFoundError(d(404, [], "/projects/abc/ssh-keys")), ["ERR_CONFIGURATION_PROBLEM"], true],
    [new MetalNotFoundError(d(404, [], "/ssh-keys/abc")), [], false],
    [new MetalInputError("MetalClient.sshKeys", "projectId", "must be a UUID"), ["ERR_CONFIGURATION_PROBLEM"], true],
  ];
  for (const [err, codes, nonRetryable] of table) {
    const got = determineErrorCodes(err);
    assert.deepEqual(got, codes, String(err));
    assert.equal(hasNonRetryableErrorCode(got), nonRetryable, String(err));
  }
});

Deno.test("configuration problems of our own: field errors, unknown images, ConfigurationError", () => {
  assert.deepEqual(determineErrorCodes(new FieldValidationError([required("spec.region")])), [
    "ERR_CONFIGURATION_PROBLEM",
  ]);
  assert.deepEqual(determineErrorCodes(new MachineImageNotFoundError("flatcar", "1.2.3")), [
    "ERR_CONFIGURATION_PROBLEM",
  ]);
  assert.deepEqual(determineErrorCodes(new ConfigurationError("x")), ["ERR_CONFIGURATION_PROBLEM"]);
  assert.deepEqual(determineErrorCodes(new RetryableConfigurationError("x")), ["ERR_RETRYABLE_CONFIGURATION_PROBLEM"]);
});

Deno.test("seed API errors and unknown errors carry no code (retried by the work queue)", () => {
  for (
    const e of [
      new ForbiddenError(statusBody(403, "Forbidden", "no")),
      new UnauthorizedError(statusBody(401, "Unauthorized", "no")),
      new ConflictError(statusBody(409, "Conflict", "stale")),
      new Error("boom"),
      "a string",
    ]
  ) assert.deepEqual(determineErrorCodes(e), [], String(e));
});

Deno.test("causes are searched; the outermost typed error decides; aggregates contribute every member", () => {
  const metal401 = new MetalUnauthenticatedError(d(401));
  assert.deepEqual(determineErrorCodes(new Error("ensuring the key", { cause: metal401 })), [
    "ERR_INFRA_UNAUTHENTICATED",
  ]);
  assert.deepEqual(
    determineErrorCodes(new CodedError("explicit", ["ERR_INFRA_DEPENDENCIES"], { cause: metal401 })),
    ["ERR_INFRA_DEPENDENCIES"],
  );
  assert.deepEqual(
    determineErrorCodes(new AggregateError([new MetalServerError(d(500)), metal401, metal401])),
    ["ERR_INFRA_UNAUTHENTICATED", "ERR_RETRYABLE_INFRA_DEPENDENCIES"],
  );
});
