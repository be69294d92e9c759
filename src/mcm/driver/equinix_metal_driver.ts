/**
 * The Equinix Metal driver: MCM's driver operations on Metal devices. Create converges on one device: it adopts the
 * machine's device if it exists (one of several, deleting the others), and sends no second POST while the first
 * could still become visible (`createVisibilityWindowMs` after a POST without an answer, and after the driver starts
 * for machines older than it). Status reports NotFound only for devices that are really gone, delete treats absent
 * and departing devices as success, list reads every page. Every Metal failure is caught
 * and mapped to a machine code (`error_codes.ts`); tokens and user data are registered with the redactor first.
 */
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { counter, histogram } from "../../observability/metrics.ts";
import { forgetSecret, registerSecret } from "../../observability/redact.ts";
import { MetalClient, type RetryPolicy } from "../../metal/client.ts";
import {
  MetalInvalidError,
  MetalNotFoundError,
  MetalPermissionDeniedError,
  MetalUnauthenticatedError,
} from "../../metal/errors.ts";
import type { Device } from "../../metal/types.ts";
import type {
  CreateMachineResponse,
  DeleteMachineResponse,
  Driver,
  DriverMachineClass,
  GetMachineStatusResponse,
  GetVolumeIDsRequest,
  GetVolumeIDsResponse,
  InitializeMachineResponse,
  ListMachinesRequest,
  ListMachinesResponse,
  MachineCode,
  MachineRequest,
} from "./driver.ts";
import { MachineError } from "./driver.ts";
import { createDevice } from "./device_create.ts";
import {
  chooseMachineDevice,
  findMachineDevices,
  hasOwnershipTags,
  isAdoptable,
  isDeparting,
  listRoleDevices,
} from "./device_lookup.ts";
import { machineError, toMachineError } from "./error_codes.ts";
import { machineNameProblems } from "./machine_name.ts";
import {
  createProblems,
  decodeForOwnership,
  decodeProviderSpec,
  type EquinixMetalProviderSpec,
  type OwnershipSpec,
  ownershipTags,
  ProviderSpecError,
} from "./provider_spec.ts";
import { deviceIdFromProviderID, encodeProviderID } from "./provider_id.ts";
import { isUuid } from "../../runtime/uuid.ts";
import { credentialsFrom, SecretError, userDataFrom } from "./secret.ts";

/** The only MachineClass provider this driver serves. */
export const EQUINIX_METAL_PROVIDER = "EquinixMetal";

/** The API's text for a locked device ("Cannot delete a locked item"). */
const LOCKED = /locked/i;
/** How long a device this driver deleted is known as deleted (repeated DeleteMachine calls cost no API call). */
const RECENTLY_DELETED_MS = 10 * 60_000;
const MAX_REMEMBERED_DELETIONS = 10_000;
/**
 * How long after a create without an answer its device may still become visible (Metal commits a create
 * asynchronously; a lookup a second later can miss it). No second POST for the machine is sent meanwhile.
 */
export const CREATE_VISIBILITY_WINDOW_MS = 30_000;
const MAX_REMEMBERED_CREATES = 10_000;

export interface EquinixMetalDriverOptions {
  /** Metal API base URL (default: the client's, `https://api.equinix.com/metal/v1`). */
  metalApiUrl?: string;
  /** Accept an http:// `metalApiUrl` on a host that is not loopback (`--metal-api-allow-plain-http`). */
  metalApiAllowPlainHttp?: boolean;
  clock?: Clock;
  log?: Logger;
  /** Passed to every Metal client (the simulator offers an in-process fetch). */
  fetch?: typeof fetch;
  /** Builds the client for a token; default `new MetalClient({token, baseUrl, fetch, clock})`. */
  clientFactory?: (token: string) => MetalClient;
  /** Retry policy of the Metal clients (default: the client's). */
  retry?: RetryPolicy;
  /** Per-request timeout of the Metal clients (default: the client's). */
  timeoutMs?: number;
  /** Clients kept per token (least recently used are dropped). Default 64. */
  maxCachedClients?: number;
  /** Page size of device lists (default: the client's 1000 for lookups, 100 for role listings). */
  listPageSize?: number;
  /**
   * Before deleting by providerID, read the device and refuse one that is not the machine's (hostname and ownership
   * tags). The CMI server sets it: its callers are not our machine controller, which only ever passes providerIDs it
   * wrote, so there a delete stays one call.
   */
  verifyOwnershipOnDelete?: boolean;
  /** Default `CREATE_VISIBILITY_WINDOW_MS`. */
  createVisibilityWindowMs?: number;
}

const operations = counter({
  name: "machine_driver_operations_total",
  help: "Equinix Metal driver operations by operation and resulting machine code.",
  labelNames: ["operation", "code"] as const,
});
const durations = histogram({
  name: "machine_driver_operation_duration_seconds",
  help: "Duration of Equinix Metal driver operations.",
  labelNames: ["operation"] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
});

function problemsOf(err: unknown): string[] | undefined {
  if (err instanceof ProviderSpecError || err instanceof SecretError) return err.problems;
  return undefined;
}

/** A kubeadm bootstrap token (`<6-char id>.<16-char secret>`), as it appears inside user data. */
const BOOTSTRAP_TOKEN = /\b[a-z0-9]{6}\.([a-z0-9]{16})\b/g;

/**
 * What of the user data must never reach an error, a log or a gRPC status: the whole text, and every bootstrap token
 * in it with its secret part on its own (a Metal error that quotes a fragment of the user data quotes the token, not
 * the whole text).
 */
export function secretsOfUserData(userData: string | undefined): string[] {
  if (!userData) return [];
  const out = [userData];
  for (const m of userData.matchAll(BOOTSTRAP_TOKEN)) out.push(m[0], m[1]);
  return out;
}

/** The Equinix Metal implementation of MCM's driver interface (plus ShutDownMachine for CMI). */
export class EquinixMetalDriver implements Driver {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly clients = new Map<string, MetalClient>();
  /** Tail of the running create of each machine (see `serialized`). */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Devices this driver deleted (204 or 404), with when: a repeated DeleteMachine needs no second call. */
  private readonly deleted = new Map<string, number>();
  /** Creates without an answer, by `<project>/<machine>`, with when: their device may still appear. */
  private readonly uncertainCreates = new Map<string, number>();
  private readonly maxClients: number;
  private readonly startedAt: number;
  private readonly visibilityWindowMs: number;

  constructor(private readonly opts: EquinixMetalDriverOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? getLogger("machine-driver");
    this.maxClients = Math.max(1, opts.maxCachedClients ?? 64);
    this.startedAt = this.clock.now();
    this.visibilityWindowMs = opts.createVisibilityWindowMs ?? CREATE_VISIBILITY_WINDOW_MS;
  }

  /**
   * Why no device of the machine may be created (or its absence believed) now, or undefined: a create of it got no
   * answer within the visibility window, or the driver started within the window and the machine is older than the
   * driver (its predecessor may have sent a create just before it stopped). The text stays the same for the whole
   * window, so a status that repeats it is not rewritten.
   */
  private createHold(key: string, machine: MachineRequest["machine"]): string | undefined {
    const now = this.clock.now();
    const window = this.visibilityWindowMs;
    const at = this.uncertainCreates.get(key);
    if (at !== undefined) {
      if (now - at < window) return `a create of it got no answer less than ${window / 1000} s ago`;
      this.uncertainCreates.delete(key);
    }
    // creationTimestamp has whole seconds: the machine is older than the driver if even its last possible instant is.
    const created = Date.parse(machine.creationTimestamp ?? "");
    if (now - this.startedAt < window && created + 1_000 <= this.startedAt) {
      return `the driver started less than ${window / 1000} s ago and a create by its predecessor may still appear`;
    }
    return undefined;
  }

  /** Remembers a create without an answer (bounded: the oldest entries go first). */
  private rememberUncertainCreate(key: string): void {
    this.uncertainCreates.delete(key);
    this.uncertainCreates.set(key, this.clock.now());
    if (this.uncertainCreates.size > MAX_REMEMBERED_CREATES) {
      this.uncertainCreates.delete(this.uncertainCreates.keys().next().value!);
    }
  }

  /** The cached client of a token (LRU). */
  private client(token: string): MetalClient {
    const cached = this.clients.get(token);
    if (cached) {
      this.clients.delete(token);
      this.clients.set(token, cached);
      return cached;
    }
    const made = this.opts.clientFactory?.(token) ?? new MetalClient({
      token,
      baseUrl: this.opts.metalApiUrl,
      allowPlainHttp: this.opts.metalApiAllowPlainHttp,
      fetch: this.opts.fetch,
      clock: this.clock,
      retry: this.opts.retry,
      timeoutMs: this.opts.timeoutMs,
    });
    this.clients.set(token, made);
    if (this.clients.size > this.maxClients) this.clients.delete(this.clients.keys().next().value!);
    return made;
  }

  /** Runs `fn` after every earlier call with the same key has finished. */
  private async serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const run = previous.then(fn);
    const tail = run.then(() => {}, () => {});
    this.inFlight.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.inFlight.get(key) === tail) this.inFlight.delete(key);
    }
  }

  /** Runs `fn` with the first token; on 401, once more with `alternateApiToken` if the secret has one. */
  private async withClient<T>(tokens: string[], fn: (client: MetalClient) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client(tokens[0]));
    } catch (err) {
      const rejected = err instanceof MetalUnauthenticatedError ||
        (err instanceof MachineError && err.cause instanceof MetalUnauthenticatedError);
      if (!rejected || tokens.length < 2) throw err;
      this.log.info("API token rejected; retrying with alternateApiToken");
      return await fn(this.client(tokens[1]));
    }
  }

  /** Counts, times and logs an operation; any non-MachineError escaping is a bug reported as Internal. */
  private async run<T>(operation: string, fields: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    const started = this.clock.now();
    let code: MachineCode = "OK";
    try {
      return await fn();
    } catch (err) {
      const me = err instanceof MachineError ? err : toMachineError(`${operation} failed`, err);
      code = me.code;
      this.log.info("Driver operation failed", { operation, ...fields, code, error: me.message });
      throw me;
    } finally {
      operations.inc({ operation, code });
      durations.observe({ operation }, (this.clock.now() - started) / 1000);
    }
  }

  private checkProvider(cls: DriverMachineClass): void {
    const p = cls.provider;
    if (p !== undefined && p !== EQUINIX_METAL_PROVIDER) {
      throw machineError(
        "InvalidArgument",
        `Requested for Provider '${p}', we only support '${EQUINIX_METAL_PROVIDER}'`,
      );
    }
  }

  /** Creates the machine's device, or returns it if it already exists. */
  createMachine(req: MachineRequest): Promise<CreateMachineResponse> {
    const name = req.machine.name;
    return this.run("CreateMachine", { machine: name }, async () => {
      this.checkProvider(req.machineClass);
      const userData = req.secret["userData"];
      const secrets = secretsOfUserData(userData);
      for (const v of secrets) registerSecret(v);
      try {
        const problems: string[] = [];
        const collect = <T>(f: () => T): T | undefined => {
          try {
            return f();
          } catch (e) {
            const ps = problemsOf(e);
            if (!ps) throw e;
            problems.push(...ps);
            return undefined;
          }
        };
        const spec = collect(() => {
          const s = decodeProviderSpec(req.machineClass.providerSpec);
          const ps = createProblems(s);
          if (ps.length) throw new ProviderSpecError(ps);
          return s;
        });
        const creds = collect(() => credentialsFrom(req.secret));
        collect(() => userDataFrom(req.secret));
        problems.push(...machineNameProblems(name).map((p) => `machine name: ${p}`));
        if (problems.length || !spec || !creds) {
          throw machineError("InvalidArgument", `Invalid request for machine "${name}": ${problems.join("; ")}`);
        }
        const owner = ownerOf(spec);
        // One create per machine at a time: a second call (a client retrying after its deadline while the first
        // still runs) waits and then finds the first one's device instead of racing it to a second device.
        const key = `${owner.projectID}/${name}`;
        const device = await this.serialized(
          key,
          () =>
            this.withClient(
              creds.tokens,
              (client) => this.createWith(client, { spec, owner, key, machine: req.machine, userData }, req.signal),
            ),
        );
        return {
          providerID: encodeProviderID(device.metro?.code ?? spec.metro, device.id),
          nodeName: name,
        };
      } finally {
        for (const v of secrets) forgetSecret(v);
      }
    });
  }

  private async createWith(
    client: MetalClient,
    c: {
      spec: EquinixMetalProviderSpec;
      owner: OwnershipSpec;
      key: string;
      machine: MachineRequest["machine"];
      userData: string;
    },
    signal?: AbortSignal,
  ): Promise<Device> {
    const { spec, owner, key, userData } = c;
    const name = c.machine.name;
    let found: Device[];
    try {
      found = await findMachineDevices(client, owner, name, signal, this.opts.listPageSize);
    } catch (err) {
      throw projectError(err, owner) ??
        toMachineError(`Could not look up existing devices of machine "${name}"`, err, signal);
    }
    // A device that failed provisioning is not adopted: it is deleted (it may hold a hardware reservation) and the
    // machine gets a new one. A failed deletion is left to the orphan collector.
    for (const d of found.filter((d) => !isAdoptable(d))) {
      this.log.info("Deleting device of machine that failed provisioning", { machine: name, device: d.id });
      await this.deleteDevice(client, owner, name, d.id, signal).catch((err) =>
        this.log.info("Could not delete failed device; the orphan collector will", { machine: name, error: err })
      );
    }
    const existing = found.filter(isAdoptable);
    const kept = chooseMachineDevice(existing, this.providerDeviceId(c.machine.providerID));
    if (kept) {
      this.uncertainCreates.delete(key);
      // Several devices: a create was repeated before the first was visible. Keep one, delete the others (a failed
      // deletion is left to the orphan collector, which deletes devices of a machine that point elsewhere).
      for (const extra of existing.filter((d) => d !== kept)) {
        this.log.info("Deleting extra device of machine", { machine: name, device: extra.id, kept: kept.id });
        await this.deleteDevice(client, owner, name, extra.id, signal).catch((err) =>
          this.log.info("Could not delete extra device; the orphan collector will", { machine: name, error: err })
        );
      }
      this.log.info("Adopted existing device of machine", { machine: name, device: kept.id });
      return kept;
    }
    const hold = this.createHold(key, c.machine);
    if (hold) {
      throw machineError(
        "Unavailable",
        `No device of machine "${name}" is visible yet, but ${hold}; not creating another before it could appear`,
      );
    }
    const { device, placement } = await createDevice({
      client,
      spec,
      owner,
      machineName: name,
      userData,
      signal,
      perPage: this.opts.listPageSize,
      onUncertain: () => this.rememberUncertainCreate(key),
      onSkip: (what, reason) =>
        this.log.info("Placement unavailable, trying the next", { machine: name, what, reason }),
    });
    this.uncertainCreates.delete(key);
    this.log.info("Created device for machine", { machine: name, device: device.id, placement });
    return device;
  }

  /** The device id of a providerID, or undefined for none or one that is not ours. */
  private providerDeviceId(providerID: string | undefined): string | undefined {
    if (!providerID?.trim()) return undefined;
    try {
      return deviceIdFromProviderID(providerID);
    } catch {
      return undefined;
    }
  }

  /**
   * Deletes the machine's device with one call: `DELETE` directly (the API accepts it again while the device
   * deprovisions, answers 404 once it is gone and 422 while it is locked), so absent, departing or never-created
   * devices are success and a deletion costs one Metal API call — also when MCM repeats the call: a device this
   * driver deleted in the last 10 minutes is not asked for again.
   */
  deleteMachine(req: MachineRequest): Promise<DeleteMachineResponse> {
    const name = req.machine.name;
    const providerID = req.machine.providerID ?? "";
    return this.run("DeleteMachine", { machine: name, providerID }, async () => {
      this.checkProvider(req.machineClass);
      const creds = this.credentials(name, req);
      if (providerID.trim() === "") return await this.deleteByName(req, creds);
      const id = this.deviceId(providerID, name);
      if (!isUuid(id)) {
        this.log.info("providerID names no Metal device (not a UUID); nothing to delete", { machine: name, id });
        return {};
      }
      const at = this.deleted.get(id);
      if (at !== undefined && this.clock.now() - at < RECENTLY_DELETED_MS) {
        // MCM repeats DeleteMachine when a later step of its deletion flow has to be retried (e.g. a status write
        // that conflicted); the device is already deprovisioning, so a second DELETE would change nothing.
        this.log.debug("Device was deleted moments ago; not asking again", { machine: name, device: id });
        return {};
      }
      const owner = lenientOwner(req.machineClass.providerSpec);
      await this.withClient(creds, async (client) => {
        if (this.opts.verifyOwnershipOnDelete && !(await this.isMachineDevice(client, owner, name, id, req.signal))) {
          return;
        }
        await this.deleteDevice(client, owner, name, id, req.signal);
      });
      return {};
    });
  }

  /**
   * True if the device exists and is the machine's (hostname, and the ownership tags when the class is known); false if
   * it is gone. A device of something else is refused with InvalidArgument: deleting it would destroy a node of
   * another machine or cluster.
   */
  private async isMachineDevice(
    client: MetalClient,
    owner: OwnershipSpec | undefined,
    name: string,
    id: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    let device: Device;
    try {
      device = await client.devices.get(id, { signal });
    } catch (err) {
      if (err instanceof MetalNotFoundError) return false;
      // Hidden behind 403 (failed provisioning, or not this token's): the DELETE's own handling tells the two apart.
      if (err instanceof MetalPermissionDeniedError) return true;
      throw toMachineError(`Could not read device ${id} of machine "${name}"`, err, signal);
    }
    // CMI's DeleteMachine may come without a providerSpec: then the hostname is what can be checked.
    if (device.hostname === name && (!owner || hasOwnershipTags(device, owner))) return true;
    throw new MachineError(
      "InvalidArgument",
      `device ${id} is not the device of machine "${name}" (hostname ${JSON.stringify(device.hostname ?? "")}, ` +
        `not tagged ${owner ? `${owner.clusterTag} and ${owner.roleTag}` : "with the class's ownership tags"}); ` +
        "refusing to delete it",
    );
  }

  /**
   * Without a providerID (a create whose result was never written to the Machine): deletes every device found by
   * hostname and tags, after any create of the same machine in this process has finished. None found while a create
   * could still become visible (see `createHold`) is Unavailable, so the caller asks again instead of forgetting a
   * device that appears a moment later. A class whose ownership part is invalid, or whose project does not exist,
   * cannot have created a device: nothing to delete.
   */
  private async deleteByName(req: MachineRequest, tokens: string[]): Promise<DeleteMachineResponse> {
    const name = req.machine.name;
    const owner = lenientOwner(req.machineClass.providerSpec);
    if (!owner) {
      this.log.info("Machine has no providerID and its class no valid ownership; nothing to delete", { machine: name });
      return {};
    }
    const key = `${owner.projectID}/${name}`;
    await this.serialized(key, () =>
      this.withClient(tokens, async (client) => {
        let devices: Device[];
        try {
          devices = await findMachineDevices(client, owner, name, req.signal, this.opts.listPageSize);
        } catch (err) {
          if (err instanceof MetalNotFoundError) return;
          throw toMachineError(`Could not look up devices of machine "${name}"`, err, req.signal);
        }
        if (devices.length === 0) {
          const hold = this.createHold(key, req.machine);
          if (hold) {
            throw machineError(
              "Unavailable",
              `No device of machine "${name}" is visible yet, but ${hold}; asking again before deleting nothing`,
            );
          }
          this.log.info("Machine has no providerID and no device; nothing to delete", { machine: name });
        }
        for (const d of devices) await this.deleteDevice(client, owner, name, d.id, req.signal);
        if (devices.length > 0) this.uncertainCreates.delete(key);
      }));
    return {};
  }

  /** One `DELETE`: absent counts as deleted, a hidden or locked device gets its own code. */
  private async deleteDevice(
    client: MetalClient,
    owner: OwnershipSpec | undefined,
    name: string,
    id: string,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      await client.devices.delete(id, { signal });
      this.rememberDeleted(id);
      this.log.info("Deleted device of machine", { machine: name, device: id });
    } catch (err) {
      if (err instanceof MetalNotFoundError) return this.rememberDeleted(id);
      // 403 hides a device that failed provisioning, or the token may not touch it: tell the two apart.
      if (err instanceof MetalPermissionDeniedError) {
        throw await this.forbidden(client, owner, name, id, "delete", signal);
      }
      if (err instanceof MetalInvalidError && LOCKED.test(err.messages.join(" "))) {
        throw machineError(
          "FailedPrecondition",
          `Could not delete device ${id} of machine "${name}": the device is locked; unlock it to let the ` +
            "machine go",
        );
      }
      throw toMachineError(`Could not delete device ${id} of machine "${name}"`, err, signal);
    }
  }

  /** Remembers a deleted device (bounded: the oldest entries go first). */
  private rememberDeleted(id: string): void {
    this.deleted.delete(id);
    this.deleted.set(id, this.clock.now());
    if (this.deleted.size > MAX_REMEMBERED_DELETIONS) this.deleted.delete(this.deleted.keys().next().value!);
  }

  /** The machine's device: OK while it exists, FailedPrecondition when it failed, NotFound only when it is gone. */
  getMachineStatus(req: MachineRequest): Promise<GetMachineStatusResponse> {
    const name = req.machine.name;
    const providerID = req.machine.providerID ?? "";
    return this.run("GetMachineStatus", { machine: name, providerID }, async () => {
      this.checkProvider(req.machineClass);
      const creds = this.credentials(name, req);
      if (providerID.trim() === "") return await this.statusByName(req, creds);
      const id = this.deviceId(providerID, name);
      if (!isUuid(id)) throw machineError("NotFound", `Device ${id} of machine "${name}" does not exist`);
      const owner = lenientOwner(req.machineClass.providerSpec);
      return await this.withClient(creds, async (client) => {
        let device: Device;
        try {
          device = await client.devices.get(id, { signal: req.signal });
        } catch (err) {
          if (err instanceof MetalNotFoundError) {
            throw machineError("NotFound", `Device ${id} of machine "${name}" does not exist`);
          }
          if (err instanceof MetalPermissionDeniedError) {
            throw await this.forbidden(client, owner, name, id, "get", req.signal);
          }
          throw toMachineError(`Could not get device ${id} of machine "${name}"`, err, req.signal);
        }
        return this.statusOf(device, name);
      });
    });
  }

  /** Without a providerID: the device found by hostname and tags (a create whose response was lost). */
  private async statusByName(req: MachineRequest, tokens: string[]): Promise<GetMachineStatusResponse> {
    const name = req.machine.name;
    let owner: OwnershipSpec;
    try {
      owner = decodeForOwnership(req.machineClass.providerSpec).owner;
    } catch (err) {
      const ps = problemsOf(err);
      if (!ps) throw err;
      throw machineError("InvalidArgument", `Invalid request for machine "${name}": ${ps.join("; ")}`);
    }
    const devices = await this.withClient(tokens, async (client) => {
      try {
        return await findMachineDevices(client, owner, name, req.signal, this.opts.listPageSize);
      } catch (err) {
        throw projectError(err, owner) ??
          toMachineError(`Could not look up devices of machine "${name}"`, err, req.signal);
      }
    });
    // Several: the one a create would keep (its next call deletes the others, and so does the orphan collector once
    // the Machine points at the kept one).
    const device = chooseMachineDevice(devices.filter(isAdoptable)) ?? chooseMachineDevice(devices);
    if (!device) throw machineError("NotFound", `No device exists for machine "${name}"`);
    return this.statusOf(device, name);
  }

  private statusOf(device: Device, name: string): GetMachineStatusResponse {
    if (isDeparting(device)) {
      throw machineError("NotFound", `Device ${device.id} of machine "${name}" is ${device.state}`);
    }
    if (device.state === "failed") {
      throw machineError("FailedPrecondition", `Device ${device.id} of machine "${name}" failed provisioning`);
    }
    return { providerID: encodeProviderID(device.metro?.code ?? undefined, device.id), nodeName: name };
  }

  /**
   * A 403 on a device: if the token can read the project, the device failed provisioning and the API hides it
   * (FailedPrecondition); otherwise the token lacks access (PermissionDenied).
   */
  private async forbidden(
    client: MetalClient,
    owner: OwnershipSpec | undefined,
    name: string,
    id: string,
    action: string,
    signal?: AbortSignal,
  ): Promise<MachineError> {
    if (owner) {
      try {
        await client.devices.listByProject(owner.projectID, { hostname: name, perPage: 1, signal });
        return machineError(
          "FailedPrecondition",
          `Device ${id} of machine "${name}" failed provisioning: the API denies access to it (403) although the ` +
            `project ${owner.projectID} is readable`,
        );
      } catch (err) {
        if (!(err instanceof MetalPermissionDeniedError || err instanceof MetalUnauthenticatedError)) {
          return toMachineError(`Could not ${action} device ${id} of machine "${name}"`, err, signal);
        }
      }
    }
    return machineError(
      "PermissionDenied",
      `Could not ${action} device ${id} of machine "${name}": the API token may not access it (403)`,
    );
  }

  /** providerID → device id, or InvalidArgument for a providerID that is not ours. */
  private deviceId(providerID: string, name: string): string {
    const id = deviceIdFromProviderID(providerID);
    if (id === undefined) {
      throw machineError(
        "InvalidArgument",
        `providerID ${JSON.stringify(providerID)} of machine "${name}" is not an Equinix Metal providerID`,
      );
    }
    return id;
  }

  private credentials(name: string, req: { secret: MachineRequest["secret"] }): string[] {
    try {
      return credentialsFrom(req.secret).tokens;
    } catch (err) {
      const ps = problemsOf(err);
      if (!ps) throw err;
      throw machineError("InvalidArgument", `Invalid request for machine "${name}": ${ps.join("; ")}`);
    }
  }

  /** providerID → hostname of every device of the class's cluster role (all pages; departing devices skipped). */
  listMachines(req: ListMachinesRequest): Promise<ListMachinesResponse> {
    return this.run("ListMachines", { machineClass: req.machineClass.name }, async () => {
      this.checkProvider(req.machineClass);
      let owner: OwnershipSpec;
      let tokens: string[];
      try {
        owner = decodeForOwnership(req.machineClass.providerSpec).owner;
        tokens = credentialsFrom(req.secret).tokens;
      } catch (err) {
        const ps = problemsOf(err);
        if (!ps) throw err;
        throw machineError(
          "InvalidArgument",
          `Invalid request for machine class "${req.machineClass.name}": ${ps.join("; ")}`,
        );
      }
      const devices = await this.withClient(tokens, async (client) => {
        try {
          return await listRoleDevices(client, owner, req.signal, this.opts.listPageSize);
        } catch (err) {
          throw projectError(err, owner) ??
            toMachineError(`Could not list devices of project ${owner.projectID}`, err, req.signal);
        }
      });
      const machineList: Record<string, string> = {};
      for (const d of devices) machineList[encodeProviderID(d.metroCode, d.id)] = d.hostname ?? "";
      return { machineList };
    });
  }

  /** Powers the device off (CMI ShutDownMachine); absent, departing or already stopped devices are success. */
  shutDownMachine(req: MachineRequest): Promise<{ lastKnownState?: string }> {
    const name = req.machine.name;
    const providerID = req.machine.providerID ?? "";
    return this.run("ShutDownMachine", { machine: name, providerID }, async () => {
      this.checkProvider(req.machineClass);
      const creds = this.credentials(name, req);
      if (providerID.trim() === "") return {};
      const id = this.deviceId(providerID, name);
      if (!isUuid(id)) return {};
      const owner = lenientOwner(req.machineClass.providerSpec);
      await this.withClient(creds, async (client) => {
        let device: Device;
        try {
          device = await client.devices.get(id, { signal: req.signal });
        } catch (err) {
          if (err instanceof MetalNotFoundError) return;
          if (err instanceof MetalPermissionDeniedError) {
            throw await this.forbidden(client, owner, name, id, "shut down", req.signal);
          }
          throw toMachineError(`Could not get device ${id} of machine "${name}"`, err, req.signal);
        }
        if (isDeparting(device) || device.state === "inactive" || device.state === "powering_off") return;
        try {
          await client.devices.performAction(id, { type: "power_off" }, { signal: req.signal });
          this.log.info("Powered off device of machine", { machine: name, device: id });
        } catch (err) {
          if (err instanceof MetalNotFoundError) return;
          throw toMachineError(`Could not power off device ${id} of machine "${name}"`, err, req.signal);
        }
      });
      return {};
    });
  }

  /** Equinix Metal has no volumes managed by MCM: always an empty list. */
  getVolumeIDs(_req: GetVolumeIDsRequest): Promise<GetVolumeIDsResponse> {
    return Promise.resolve({ volumeIDs: [] });
  }

  /** Equinix Metal devices need no initialization. */
  initializeMachine(_req: MachineRequest): Promise<InitializeMachineResponse> {
    return Promise.reject(
      new MachineError("Unimplemented", "Equinix Metal devices need no initialization"),
    );
  }
}

/** A 404 on a project-scoped call means providerSpec.projectID names no project: InvalidArgument. */
function projectError(err: unknown, owner: OwnershipSpec): MachineError | undefined {
  if (!(err instanceof MetalNotFoundError)) return undefined;
  return machineError(
    "InvalidArgument",
    `providerSpec.projectID: project ${owner.projectID} does not exist (${err.message})`,
  );
}

function ownerOf(spec: EquinixMetalProviderSpec): OwnershipSpec {
  const { clusterTag, roleTag } = ownershipTags(spec);
  return { projectID: spec.projectID!, clusterTag: clusterTag!, roleTag: roleTag! };
}

/** Ownership from a spec if it has one (delete/status work without a valid spec). */
function lenientOwner(raw: unknown): OwnershipSpec | undefined {
  try {
    return decodeForOwnership(raw).owner;
  } catch {
    return undefined;
  }
}
