/**
 * Metal API failures → machine codes, chosen for how MCM's machine controller reacts to each code (it retries
 * Unknown/DeadlineExceeded/Aborted/Unavailable after 5 s, ResourceExhausted after `--resource-exhausted-retry`,
 * everything else after 3 min, and treats NotFound as "the VM is gone"):
 *
 * | Metal failure                                              | Code               | Why                                   |
 * | ---------------------------------------------------------- | ------------------ | ------------------------------------- |
 * | 401 invalid/missing token                                  | Unauthenticated    | fix the secret; no 5 s retry storm    |
 * | 403 on the project or a device the token may not see      | PermissionDenied   | fix the token's scope                 |
 * | 403 on a device of a readable project (failed provision)   | FailedPrecondition | device failed; replace the machine    |
 * | device state `failed`                                      | FailedPrecondition | "device <id> failed provisioning"     |
 * | 422 / client-side validation / invalid spec, secret, name  | InvalidArgument    | fix the MachineClass                  |
 * | 422 "Cannot delete a locked item", locked device           | FailedPrecondition | unlock the device                     |
 * | no on-demand capacity, no usable hardware reservation      | ResourceExhausted  | long retry, capacity may come back    |
 * | 404 of the project on create                               | InvalidArgument    | providerSpec.projectID is wrong       |
 * | 404 of a device / state deprovisioning or deleted          | NotFound (status)  | the VM is really gone                 |
 * | 429, 5xx, network error, timeout, unreadable 2xx response  | Unavailable        | transient; 5 s retry                  |
 * | caller's deadline / cancellation                           | DeadlineExceeded / Canceled |                              |
 * | create without an answer, device not visible yet           | Unavailable        | no second POST in the window; 5 s     |
 * | anything else (a bug)                                      | Internal           |                                       |
 *
 * Messages say what failed for which machine/device and carry the API's own text; the client already scrubs the
 * token and user data from them and `redact()` runs again here.
 */
import {
  MetalApiError,
  MetalBadResponseError,
  MetalCapacityExhaustedError,
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
} from "../../metal/errors.ts";
import { redact } from "../../observability/redact.ts";
import { type MachineCode, MachineError } from "./driver.ts";

const LOCKED = /locked/i;

/** The machine code of a Metal client failure (see the table above). */
export function metalErrorCode(err: unknown): MachineCode {
  if (err instanceof MachineError) return err.code;
  if (err instanceof MetalUnauthenticatedError) return "Unauthenticated";
  if (err instanceof MetalPermissionDeniedError) return "PermissionDenied";
  if (err instanceof MetalCapacityExhaustedError || err instanceof MetalReservationUnavailableError) {
    return "ResourceExhausted";
  }
  if (err instanceof MetalInvalidError) {
    return LOCKED.test(err.messages.join(" ")) ? "FailedPrecondition" : "InvalidArgument";
  }
  if (err instanceof MetalNotFoundError) return "NotFound";
  if (
    err instanceof MetalRateLimitedError || err instanceof MetalServerError || err instanceof MetalNetworkError ||
    err instanceof MetalTimeoutError || err instanceof MetalBadResponseError
  ) return "Unavailable";
  if (err instanceof MetalInputError) return "InvalidArgument";
  if (err instanceof MetalApiError) return err.status >= 400 && err.status < 500 ? "InvalidArgument" : "Unknown";
  if (err instanceof DOMException || (err instanceof Error && err.name === "AbortError")) {
    return (err as Error).name === "TimeoutError" ? "DeadlineExceeded" : "Canceled";
  }
  return "Internal";
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** DeadlineExceeded or Canceled for an aborted caller signal (gRPC deadline, shutdown). */
export function abortCode(signal: AbortSignal): MachineCode {
  const reason = signal.reason as { name?: unknown; code?: unknown } | undefined;
  // connect reports an expired gRPC deadline as a ConnectError with code 4 (DEADLINE_EXCEEDED).
  return reason?.name === "TimeoutError" || reason?.code === 4 ? "DeadlineExceeded" : "Canceled";
}

/**
 * Wraps any failure of a Metal call in a MachineError: `<what>: <cause>`, code per the table above; when the
 * caller's signal was aborted, DeadlineExceeded or Canceled.
 */
export function toMachineError(what: string, err: unknown, signal?: AbortSignal): MachineError {
  if (err instanceof MachineError) return err;
  const code = signal?.aborted ? abortCode(signal) : metalErrorCode(err);
  return new MachineError(code, redact(`${what}: ${messageOf(err)}`), { cause: err });
}

/** A MachineError with a redacted message. */
export function machineError(code: MachineCode, message: string): MachineError {
  return new MachineError(code, redact(message));
}
