/**
 * The driver interface between MCM's machine controller and a cloud provider, as MCM's Go `driver.Driver` defines it
 * (MCM HEAD), plus the machine status codes (gRPC codes 0–16 and MCM's 17 `Uninitialized`). The machine controller
 * calls it in-process; the CMI gRPC server exposes the same implementation over the wire.
 */

/** MCM machine codes, by name. */
export const MachineCodes = [
  "OK",
  "Canceled",
  "Unknown",
  "InvalidArgument",
  "DeadlineExceeded",
  "NotFound",
  "AlreadyExists",
  "PermissionDenied",
  "ResourceExhausted",
  "FailedPrecondition",
  "Aborted",
  "OutOfRange",
  "Unimplemented",
  "Internal",
  "Unavailable",
  "DataLoss",
  "Unauthenticated",
  "Uninitialized",
] as const;

export type MachineCode = typeof MachineCodes[number];

/** Numeric value of a code (its index, as in gRPC and MCM's codes package). */
export function machineCodeNumber(code: MachineCode): number {
  return MachineCodes.indexOf(code);
}

/** A failed driver call. The message must never contain secrets (tokens, user data). */
export class MachineError extends Error {
  constructor(readonly code: MachineCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MachineError";
  }
  /** MCM's string form: `machine codes error: code = [<Code>] message = [<msg>]`. */
  override toString(): string {
    return `machine codes error: code = [${this.code}] message = [${this.message}]`;
  }
}

/** Code of any error a driver call threw: MachineError's own code, `Unknown` for anything else. */
export function codeOf(err: unknown): MachineCode {
  return err instanceof MachineError ? err.code : "Unknown";
}

/** The parts of a Machine a driver may read. */
export interface DriverMachine {
  name: string;
  namespace?: string;
  /** `spec.providerID`; empty before creation. */
  providerID?: string;
  /** `status.lastKnownState`. */
  lastKnownState?: string;
  /**
   * `metadata.creationTimestamp` (RFC 3339), when the caller knows it: a machine older than the driver may have had
   * a create sent by the driver's predecessor.
   */
  creationTimestamp?: string;
}

/** The parts of a MachineClass a driver may read. */
export interface DriverMachineClass {
  name: string;
  namespace?: string;
  /** `provider`, e.g. `EquinixMetal`. */
  provider?: string;
  /** Raw `providerSpec` as stored in the MachineClass (decoded by the driver). */
  providerSpec: unknown;
}

/** Merged data of the class's secretRef and credentialsSecretRef (later refs win), decoded as UTF-8. */
export type SecretData = Record<string, string>;

export interface MachineRequest {
  machine: DriverMachine;
  machineClass: DriverMachineClass;
  secret: SecretData;
  signal?: AbortSignal;
}

export interface CreateMachineResponse {
  providerID: string;
  nodeName: string;
  lastKnownState?: string;
}

export interface DeleteMachineResponse {
  lastKnownState?: string;
}

export interface GetMachineStatusResponse {
  providerID: string;
  nodeName: string;
}

export interface ListMachinesRequest {
  machineClass: DriverMachineClass;
  secret: SecretData;
  signal?: AbortSignal;
}

export interface ListMachinesResponse {
  /** providerID → machine (device hostname). */
  machineList: Record<string, string>;
}

export interface GetVolumeIDsRequest {
  /** PersistentVolume specs (as JSON objects). */
  pvSpecs: unknown[];
  signal?: AbortSignal;
}

export interface GetVolumeIDsResponse {
  volumeIDs: string[];
}

export interface InitializeMachineResponse {
  providerID: string;
  nodeName: string;
}

/** The operations a provider implements; each throws a MachineError on failure. */
export interface Driver {
  /** Must be idempotent: a retry after a lost response returns the device created the first time. */
  createMachine(req: MachineRequest): Promise<CreateMachineResponse>;
  /** Absent device is success; Unavailable while a create without an answer may still make one. */
  deleteMachine(req: MachineRequest): Promise<DeleteMachineResponse>;
  /** NotFound only when the device is really gone. */
  getMachineStatus(req: MachineRequest): Promise<GetMachineStatusResponse>;
  /** Every device of the class's cluster and role (all pages). */
  listMachines(req: ListMachinesRequest): Promise<ListMachinesResponse>;
  getVolumeIDs(req: GetVolumeIDsRequest): Promise<GetVolumeIDsResponse>;
  /** Equinix Metal needs no initialization: throws Unimplemented. */
  initializeMachine(req: MachineRequest): Promise<InitializeMachineResponse>;
}
