/** The Metal error → machine code table of error_codes.ts, row by row (the simulator-backed rows are in driver_test). */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import {
  MetalApiError,
  MetalBadResponseError,
  MetalCapacityExhaustedError,
  type MetalErrorDetails,
  MetalInputError,
  MetalInvalidError,
  MetalNetworkError,
  MetalNotFoundError,
  MetalPermissionDeniedError,
  MetalRateLimitedError,
  MetalReservationUnavailableError,
  MetalServerError,
  MetalTimeoutError,
  MetalUnauthenticatedError,
} from "../../../src/metal/errors.ts";
import { abortCode, metalErrorCode, toMachineError } from "../../../src/mcm/driver/error_codes.ts";
import { MachineError } from "../../../src/mcm/driver/driver.ts";
import { forgetSecret, registerSecret } from "../../../src/observability/redact.ts";

const d = (status: number, messages: string[] = []): MetalErrorDetails => ({
  status,
  messages,
  method: "POST",
  path: "/projects/p/devices",
});

Deno.test("every Metal error class maps to the documented machine code", () => {
  const rows: Array<[unknown, string]> = [
    [new MetalUnauthenticatedError(d(401, ["Invalid authentication token"])), "Unauthenticated"],
    [new MetalPermissionDeniedError(d(403)), "PermissionDenied"],
    [new MetalInvalidError(d(422, ["c9.huge is not a valid plan"])), "InvalidArgument"],
    [new MetalInvalidError(d(422, ["Cannot delete a locked item"])), "FailedPrecondition"],
    [new MetalCapacityExhaustedError({ ...d(422), reason: "capacity" }), "ResourceExhausted"],
    [new MetalCapacityExhaustedError({ ...d(503), reason: "reservations" }), "ResourceExhausted"],
    [new MetalReservationUnavailableError(d(422, ["Server is not provisionable"])), "ResourceExhausted"],
    [new MetalNotFoundError(d(404)), "NotFound"],
    [new MetalRateLimitedError(d(429)), "Unavailable"],
    [new MetalServerError(d(500)), "Unavailable"],
    [new MetalServerError(d(503)), "Unavailable"],
    [new MetalNetworkError({ ...d(0), outcomeUnknown: true }), "Unavailable"],
    [new MetalTimeoutError({ ...d(0), outcomeUnknown: true, timeoutMs: 1 }), "Unavailable"],
    [new MetalBadResponseError(d(200)), "Unavailable"],
    [new MetalInputError("op", "field", "is bad"), "InvalidArgument"],
    [new MetalApiError(d(400)), "InvalidArgument"],
    [new MetalApiError(d(302)), "Unknown"],
    [new TypeError("bug"), "Internal"],
    [new MachineError("OutOfRange", "x"), "OutOfRange"],
  ];
  for (const [err, code] of rows) assertEquals(metalErrorCode(err), code, String(err));
});

Deno.test("an aborted caller signal is DeadlineExceeded (timeout, gRPC deadline) or Canceled", () => {
  assertEquals(abortCode(AbortSignal.abort(new DOMException("t", "TimeoutError"))), "DeadlineExceeded");
  assertEquals(abortCode(AbortSignal.abort({ code: 4, name: "ConnectError" })), "DeadlineExceeded");
  assertEquals(abortCode(AbortSignal.abort()), "Canceled");
  const err = toMachineError(
    "Could not get device",
    new MetalNetworkError({ ...d(0), outcomeUnknown: false }),
    AbortSignal.abort(),
  );
  assertEquals(err.code, "Canceled");
});

Deno.test("messages name what failed, keep the API text and never show a registered secret", () => {
  const token = "tok-0123456789abcdef";
  registerSecret(token);
  try {
    const err = toMachineError(
      'Could not create device for machine "m1"',
      new MetalInvalidError(d(422, [`bad userdata near ${token}`, "ewr1 is not a valid facility"])),
    );
    assertEquals(err.code, "InvalidArgument");
    ok(err.message.startsWith('Could not create device for machine "m1": Metal API POST /projects/p/devices 422'));
    ok(err.message.includes("ewr1 is not a valid facility"));
    ok(!err.message.includes(token), err.message);
  } finally {
    forgetSecret(token);
  }
});
