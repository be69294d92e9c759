/**
 * The CMI `Machine` service on top of a `Driver`: request fields are checked and translated (ProviderSpec bytes are the
 * providerSpec JSON, Secrets are UTF-8 secret data, MachineName names the machine), driver errors become gRPC
 * statuses. The class's provider is implied: this plugin serves Equinix Metal only.
 */
import type { ServiceImpl } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import type { Driver, DriverMachineClass, MachineRequest, SecretData } from "../driver/driver.ts";
import {
  CreateMachineResponseSchema,
  DeleteMachineResponseSchema,
  GetMachineStatusResponseSchema,
  GetVolumeIDsResponseSchema,
  ListMachinesResponseSchema,
  type Machine,
  ShutDownMachineResponseSchema,
} from "./gen/cmi_pb.ts";
import { invalidField } from "./status.ts";

/** Provider name of every class the CMI server handles. */
export const CMI_CLASS_PROVIDER = "EquinixMetal";

/** A driver that can also power machines off (the Driver interface has no such call; CMI does). */
export interface ShutDownCapable {
  /** Powers the machine off; an absent or already stopped machine is success. */
  shutDownMachine(req: MachineRequest): Promise<{ lastKnownState?: string }>;
}

/** True if the driver implements ShutDownMachine. */
export function canShutDown(driver: Driver): driver is Driver & ShutDownCapable {
  return typeof (driver as Partial<ShutDownCapable>).shutDownMachine === "function";
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

function decodeSecrets(message: string, secrets: Record<string, Uint8Array>): SecretData {
  const out: SecretData = {};
  for (const [key, value] of Object.entries(secrets)) {
    try {
      out[key] = utf8.decode(value);
    } catch {
      throw invalidField(message, `Secrets[${JSON.stringify(key)}]`, "value is not valid UTF-8");
    }
  }
  return out;
}

function text(bytes: Uint8Array): string | undefined {
  return bytes.length ? new TextDecoder().decode(bytes) : undefined;
}

function requireName(message: string, name: string): string {
  if (name.trim() === "") throw invalidField(message, "MachineName", "Required value");
  return name;
}

function requireSpec(message: string, spec: Uint8Array): Uint8Array {
  if (spec.length === 0) throw invalidField(message, "ProviderSpec", "Required value");
  return spec;
}

function machineClass(providerSpec: Uint8Array): DriverMachineClass {
  // The driver decodes the JSON bytes itself, so decoding errors name providerSpec fields.
  return { name: "", provider: CMI_CLASS_PROVIDER, providerSpec };
}

/**
 * Machines with a create, delete or shutdown in progress. The CMI spec answers a second mutating call for the same
 * machine with ABORTED (the client retries later) instead of running both, e.g. when a client retries after its
 * deadline while the first call still runs.
 */
class PendingMachines {
  private readonly names = new Set<string>();

  async run<T>(name: string, rpc: string, fn: () => Promise<T>): Promise<T> {
    if (this.names.has(name)) {
      throw new ConnectError(`${rpc}: an operation for machine "${name}" is already in progress`, Code.Aborted);
    }
    this.names.add(name);
    try {
      return await fn();
    } finally {
      this.names.delete(name);
    }
  }
}

function parsePvSpecs(bytes: Uint8Array): unknown[] {
  if (bytes.length === 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw invalidField("GetVolumeIDsRequest", "PVSpecList", `not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(parsed)) {
    throw invalidField("GetVolumeIDsRequest", "PVSpecList", "expected a JSON list of PersistentVolume specs");
  }
  return parsed;
}

/** Implementation of `cmi.v1.Machine` backed by a driver. */
export function machineService(driver: Driver): ServiceImpl<typeof Machine> {
  const pending = new PendingMachines();
  return {
    createMachine(req, ctx) {
      const m = "CreateMachineRequest";
      const name = requireName(m, req.MachineName);
      const spec = requireSpec(m, req.ProviderSpec);
      const secret = decodeSecrets(m, req.Secrets);
      return pending.run(name, "CreateMachine", async () => {
        const res = await driver.createMachine({
          machine: { name, lastKnownState: text(req.LastKnownState) },
          machineClass: machineClass(spec),
          secret,
          signal: ctx.signal,
        });
        return create(CreateMachineResponseSchema, {
          ProviderID: res.providerID,
          NodeName: res.nodeName,
          LastKnownState: encoder.encode(res.lastKnownState ?? ""),
        });
      });
    },

    deleteMachine(req, ctx) {
      const m = "DeleteMachineRequest";
      const name = requireName(m, req.MachineName);
      const secret = decodeSecrets(m, req.Secrets);
      return pending.run(name, "DeleteMachine", async () => {
        const res = await driver.deleteMachine({
          machine: { name, providerID: req.ProviderID, lastKnownState: text(req.LastKnownState) },
          machineClass: machineClass(req.ProviderSpec),
          secret,
          signal: ctx.signal,
        });
        return create(DeleteMachineResponseSchema, { LastKnownState: encoder.encode(res.lastKnownState ?? "") });
      });
    },

    async getMachineStatus(req, ctx) {
      const m = "GetMachineStatusRequest";
      const res = await driver.getMachineStatus({
        machine: { name: requireName(m, req.MachineName), providerID: req.ProviderID },
        machineClass: machineClass(req.ProviderSpec),
        secret: decodeSecrets(m, req.Secrets),
        signal: ctx.signal,
      });
      return create(GetMachineStatusResponseSchema, { ProviderID: res.providerID, NodeName: res.nodeName });
    },

    async listMachines(req, ctx) {
      const m = "ListMachinesRequest";
      const res = await driver.listMachines({
        machineClass: machineClass(requireSpec(m, req.ProviderSpec)),
        secret: decodeSecrets(m, req.Secrets),
        signal: ctx.signal,
      });
      return create(ListMachinesResponseSchema, { MachineList: res.machineList });
    },

    shutDownMachine(req, ctx) {
      if (!canShutDown(driver)) {
        throw new ConnectError("ShutDownMachine is not implemented by this driver", Code.Unimplemented);
      }
      const m = "ShutDownMachineRequest";
      const name = requireName(m, req.MachineName);
      const secret = decodeSecrets(m, req.Secrets);
      return pending.run(name, "ShutDownMachine", async () => {
        const res = await driver.shutDownMachine({
          machine: { name, providerID: req.ProviderID, lastKnownState: text(req.LastKnownState) },
          machineClass: machineClass(req.ProviderSpec),
          secret,
          signal: ctx.signal,
        });
        return create(ShutDownMachineResponseSchema, { LastKnownState: encoder.encode(res.lastKnownState ?? "") });
      });
    },

    async getVolumeIDs(req, ctx) {
      const res = await driver.getVolumeIDs({ pvSpecs: parsePvSpecs(req.PVSpecList), signal: ctx.signal });
      return create(GetVolumeIDsResponseSchema, { VolumeIDs: res.volumeIDs });
    },
  };
}
