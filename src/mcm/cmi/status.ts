/**
 * gRPC statuses of CMI calls. A driver's MachineError keeps its code (machine codes 0–16 are gRPC's numbers); MCM's
 * `Uninitialized` (17) has no gRPC equivalent and travels as UNKNOWN with the code name in the message. Messages pass
 * through the redactor; `details` stay empty as the CMI spec requires.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { redact } from "../../observability/redact.ts";
import { machineCodeNumber, MachineError } from "../driver/driver.ts";

/** The gRPC status for any error thrown by a driver call. */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof MachineError) {
    if (err.code === "Uninitialized") return new ConnectError(redact(`Uninitialized: ${err.message}`), Code.Unknown);
    if (err.code === "OK") return new ConnectError(redact(err.message), Code.Unknown);
    return new ConnectError(redact(err.message), machineCodeNumber(err.code) as Code);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectError(redact(message), Code.Unknown);
}

/** INVALID_ARGUMENT for a missing or malformed request field. */
export function invalidField(message: string, field: string, why: string): ConnectError {
  return new ConnectError(`${message}.${field}: ${why}`, Code.InvalidArgument);
}
