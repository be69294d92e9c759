/**
 * Machines MCM reports as failed (`status.failedMachines` of MachineDeployments), turned into the error the Worker
 * reports in lastError, grouped by failure description as Gardener's `ReportFailedMachines` does. Codes: a machine that
 * failed because Equinix Metal had no capacity (our driver's `ResourceExhausted`) is ERR_INFRA_RESOURCES_DEPLETED
 * (retryable: capacity comes back); rejected credentials map as in the reconciler's table. Pure.
 */
import { ErrorCode } from "../../apis/core/error_codes.ts";
import type { MachineDeployment, MachineSummary } from "../../apis/machine/v1alpha1.ts";
import { CodedError } from "../reconciler/mod.ts";

/** Failure descriptions of machines that failed for lack of capacity, for MCM versions that set no errorCode. */
const DEPLETED_TEXT =
  /ResourceExhausted|insufficient capacity|no capacity|out of stock|not enough capacity|no available hardware reservation/i;

/** One or more machines of the Worker failed. */
export class FailedMachinesError extends CodedError {
  constructor(message: string, codes: readonly ErrorCode[], readonly machines: readonly string[]) {
    super(message, codes);
  }
}

/** Gardener codes for one failed machine. */
export function failedMachineCodes(m: MachineSummary): ErrorCode[] {
  const code = m.lastOperation?.errorCode ?? "";
  if (code === "ResourceExhausted") return [ErrorCode.InfraResourcesDepleted];
  if (code === "Unauthenticated") return [ErrorCode.InfraUnauthenticated];
  if (code === "PermissionDenied") return [ErrorCode.InfraUnauthorized];
  if (code === "" && DEPLETED_TEXT.test(m.lastOperation?.description ?? "")) return [ErrorCode.InfraResourcesDepleted];
  return [];
}

/** The error for the failed machines of the given deployments; undefined when none failed. */
export function failedMachinesError(deployments: readonly MachineDeployment[]): FailedMachinesError | undefined {
  const byDescription = new Map<string, string[]>();
  const codes = new Set<ErrorCode>();
  const names: string[] = [];
  for (const md of deployments) {
    for (const m of md.status?.failedMachines ?? []) {
      const name = m.name ?? "<unnamed>";
      names.push(name);
      const description = m.lastOperation?.description ?? "no description";
      byDescription.set(description, [...(byDescription.get(description) ?? []), JSON.stringify(name)]);
      for (const c of failedMachineCodes(m)) codes.add(c);
    }
  }
  if (names.length === 0) return undefined;
  const parts = [...byDescription].map(([description, machines]) => `${machines.join(", ")}: ${description}`);
  const text = parts.length === 1 ? `machine(s) failed: ${parts[0]}` : `machine(s) failed: [${parts.join("; ")}]`;
  return new FailedMachinesError(text, [...codes].sort(), names);
}
