/** Devices: create, read, list (all pages), update, delete, power and reinstall actions. */
import { MetalInputError } from "./errors.ts";
import { DEFAULT_PER_PAGE, eachPage, MAX_PER_PAGE } from "./pagination.ts";
import { checkAttributeList, fillPath, requireUuid } from "./request_url.ts";
import { isUuid } from "../runtime/uuid.ts";
import {
  DeviceActionInputSchema,
  DeviceCreateInFacilityInputSchema,
  DeviceCreateInMetroInputSchema,
  DeviceUpdateInputSchema,
  validateInput,
} from "./request_schemas.ts";
import { DEVICE_STATES, DeviceListSchema, DeviceSchema } from "./schemas.ts";
import type { MetalTransport } from "./transport.ts";
import type {
  Device,
  DeviceActionInput,
  DeviceCreateInFacilityInput,
  DeviceCreateInMetroInput,
  DeviceCreateInput,
  DeviceState,
  DeviceUpdateInput,
} from "./types.ts";

export type { Device, DeviceActionInput, DeviceCreateInput, DeviceState, DeviceUpdateInput };

export interface DeviceCreateOptions {
  include?: string[];
  /**
   * Finds the device a failed create may have made (e.g. by a unique tag). Runs before any retry; a device it
   * returns is the result. Without it, a create whose outcome is unknown (5xx, timeout, dropped connection) fails.
   */
  dedupe?: () => Promise<Device | undefined>;
  signal?: AbortSignal;
}

export interface DeviceGetOptions {
  include?: string[];
  exclude?: string[];
  signal?: AbortSignal;
}

export interface DeviceListFilter {
  /** One tag, matched exactly by the API. */
  tag?: string;
  /** The API matches a hostname **substring**; compare `device.hostname` for an exact match. */
  hostname?: string;
  metro?: string;
  facility?: string;
  /** Applied here: the API has no state filter. */
  states?: DeviceState[];
  /** 1..1000, default 1000. */
  perPage?: number;
  include?: string[];
  exclude?: string[];
  signal?: AbortSignal;
}

export interface DeviceDeleteOptions {
  /** `force_delete`: detach storage volumes still attached. */
  force?: boolean;
  signal?: AbortSignal;
}

export interface DeviceCallOptions {
  signal?: AbortSignal;
}

const OP = "MetalClient.devices";

function checkCreateInput(input: DeviceCreateInput): DeviceCreateInMetroInput | DeviceCreateInFacilityInput {
  const op = `${OP}.create`;
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new MetalInputError(op, "input", "must be an object");
  }
  const hasMetro = "metro" in input && input.metro !== undefined;
  const hasFacility = "facility" in input && input.facility !== undefined;
  if (hasMetro && hasFacility) throw new MetalInputError(op, "input", "must set metro or facility, not both");
  if (!hasMetro && !hasFacility) throw new MetalInputError(op, "input.metro", "is required (or facility)");
  const body = hasMetro
    ? validateInput(DeviceCreateInMetroInputSchema, input, op, "input")
    : validateInput(DeviceCreateInFacilityInputSchema, input, op, "input");
  // "" is the API's "no reservation"; leave the field out instead.
  if (body.hardware_reservation_id === "") delete body.hardware_reservation_id;
  return body;
}

/** `/devices` and `/projects/{id}/devices`. */
export class DevicesApi {
  constructor(private readonly t: MetalTransport) {}

  /** Creates a device (`POST /projects/{id}/devices`); the answer is normally in state `queued`. */
  async create(projectId: string, input: DeviceCreateInput, opts: DeviceCreateOptions = {}): Promise<Device> {
    requireUuid(`${OP}.create`, "projectId", projectId);
    checkAttributeList(`${OP}.create`, "include", opts.include);
    const body = checkCreateInput(input);
    const reservation = body.hardware_reservation_id;
    return await this.t.json(
      {
        method: "POST",
        endpoint: "/projects/{id}/devices",
        params: { id: projectId },
        query: { include: opts.include },
        body,
        signal: opts.signal,
        secrets: body.userdata ? [body.userdata] : undefined,
        specificReservation: reservation !== undefined && isUuid(reservation),
      },
      DeviceSchema,
      opts.dedupe,
    );
  }

  /** Reads a device (`GET /devices/{id}`). 403 can mean the device failed provisioning. */
  async get(id: string, opts: DeviceGetOptions = {}): Promise<Device> {
    requireUuid(`${OP}.get`, "id", id);
    checkAttributeList(`${OP}.get`, "include", opts.include);
    checkAttributeList(`${OP}.get`, "exclude", opts.exclude);
    return await this.t.json({
      method: "GET",
      endpoint: "/devices/{id}",
      params: { id },
      query: { include: opts.include, exclude: opts.exclude },
      signal: opts.signal,
    }, DeviceSchema);
  }

  /** Every device of a project matching the filter, reading all pages. */
  async listByProject(projectId: string, filter: DeviceListFilter = {}): Promise<Device[]> {
    const devices: Device[] = [];
    for await (const page of this.pagesByProject(projectId, filter)) devices.push(...page);
    return devices;
  }

  /** The devices of a project matching the filter, one page at a time (a caller keeping little holds one page). */
  async *pagesByProject(projectId: string, filter: DeviceListFilter = {}): AsyncGenerator<Device[]> {
    const op = `${OP}.listByProject`;
    requireUuid(op, "projectId", projectId);
    checkAttributeList(op, "filter.include", filter.include);
    checkAttributeList(op, "filter.exclude", filter.exclude);
    const perPage = filter.perPage ?? DEFAULT_PER_PAGE;
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
      throw new MetalInputError(op, "filter.perPage", `must be an integer in 1..${MAX_PER_PAGE}, got ${perPage}`);
    }
    const states = filter.states ? new Set<string>(filter.states) : undefined;
    for (const s of states ?? []) {
      if (!(DEVICE_STATES as readonly string[]).includes(s)) {
        throw new MetalInputError(op, "filter.states", `contains unknown state ${JSON.stringify(s)}`);
      }
    }
    const endpoint = "/projects/{id}/devices";
    const pages = eachPage(async (page) => {
      const r = await this.t.json({
        method: "GET",
        endpoint,
        params: { id: projectId },
        query: {
          tag: filter.tag,
          hostname: filter.hostname,
          metro: filter.metro,
          facility: filter.facility,
          include: filter.include,
          exclude: filter.exclude,
          page,
          per_page: perPage,
        },
        signal: filter.signal,
      }, DeviceListSchema);
      return { items: r.devices, meta: r.meta };
    }, { perPage, describe: { method: "GET", path: fillPath(endpoint, { id: projectId }), endpoint } });
    for await (const devices of pages) yield states ? devices.filter((d) => d.state && states.has(d.state)) : devices;
  }

  /** Updates a device (`PUT /devices/{id}`). */
  async update(id: string, input: DeviceUpdateInput, opts: DeviceCallOptions = {}): Promise<Device> {
    requireUuid(`${OP}.update`, "id", id);
    const body = validateInput(DeviceUpdateInputSchema, input, `${OP}.update`, "input");
    return await this.t.json({
      method: "PUT",
      endpoint: "/devices/{id}",
      params: { id },
      body,
      signal: opts.signal,
      secrets: body.userdata ? [body.userdata] : undefined,
    }, DeviceSchema);
  }

  /**
   * Deletes a device (`DELETE /devices/{id}`). A 404 on the first attempt is a MetalNotFoundError; a 404 after an
   * earlier attempt failed means the device is gone, which is what was asked.
   */
  async delete(id: string, opts: DeviceDeleteOptions = {}): Promise<void> {
    requireUuid(`${OP}.delete`, "id", id);
    await this.t.noContent({
      method: "DELETE",
      endpoint: "/devices/{id}",
      params: { id },
      query: { force_delete: opts.force },
      signal: opts.signal,
      notFoundOnRetryIsSuccess: true,
    });
  }

  /** Power on/off, reboot, rescue or reinstall (`POST /devices/{id}/actions`, 202). */
  async performAction(id: string, action: DeviceActionInput, opts: DeviceCallOptions = {}): Promise<void> {
    requireUuid(`${OP}.performAction`, "id", id);
    const body = validateInput(DeviceActionInputSchema, action, `${OP}.performAction`, "action");
    await this.t.noContent({
      method: "POST",
      endpoint: "/devices/{id}/actions",
      params: { id },
      body,
      signal: opts.signal,
    });
  }
}
