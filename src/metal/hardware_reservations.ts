/** Hardware reservations of a project: list (all pages, optionally provisionable only) and read. */
import { MetalInputError } from "./errors.ts";
import { collectAllPages, DEFAULT_PER_PAGE, MAX_PER_PAGE } from "./pagination.ts";
import { checkAttributeList, fillPath, requireUuid } from "./request_url.ts";
import { HardwareReservationListSchema, HardwareReservationSchema } from "./schemas.ts";
import type { MetalTransport } from "./transport.ts";
import type { HardwareReservation } from "./types.ts";

export type { HardwareReservation };

/** Filter values of the API's `state` parameter. */
export const HARDWARE_RESERVATION_STATES = ["active", "spare", "need_of_service"] as const;
export type HardwareReservationState = typeof HARDWARE_RESERVATION_STATES[number];

export interface HardwareReservationListOptions {
  /** Only reservations a device can be created on now (`provisionable=only`). */
  provisionableOnly?: boolean;
  state?: HardwareReservationState;
  /** Search by facility code, plan name, project name, short id or device hostname. */
  query?: string;
  /** 1..1000, default 1000. */
  perPage?: number;
  include?: string[];
  exclude?: string[];
  signal?: AbortSignal;
}

export interface HardwareReservationGetOptions {
  include?: string[];
  exclude?: string[];
  signal?: AbortSignal;
}

const OP = "MetalClient.hardwareReservations";

/** `/projects/{id}/hardware-reservations` and `/hardware-reservations/{id}`. */
export class HardwareReservationsApi {
  constructor(private readonly t: MetalTransport) {}

  /** Every reservation of the project matching the options, reading all pages. */
  async listForProject(projectId: string, opts: HardwareReservationListOptions = {}): Promise<HardwareReservation[]> {
    const op = `${OP}.listForProject`;
    requireUuid(op, "projectId", projectId);
    checkAttributeList(op, "include", opts.include);
    checkAttributeList(op, "exclude", opts.exclude);
    const perPage = opts.perPage ?? DEFAULT_PER_PAGE;
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
      throw new MetalInputError(op, "perPage", `must be an integer in 1..${MAX_PER_PAGE}, got ${perPage}`);
    }
    if (opts.state !== undefined && !HARDWARE_RESERVATION_STATES.includes(opts.state)) {
      throw new MetalInputError(op, "state", `must be one of ${HARDWARE_RESERVATION_STATES.join(", ")}`);
    }
    const endpoint = "/projects/{id}/hardware-reservations";
    return await collectAllPages(async (page) => {
      const r = await this.t.json({
        method: "GET",
        endpoint,
        params: { id: projectId },
        query: {
          provisionable: opts.provisionableOnly ? "only" : undefined,
          state: opts.state,
          query: opts.query,
          include: opts.include,
          exclude: opts.exclude,
          page,
          per_page: perPage,
        },
        signal: opts.signal,
      }, HardwareReservationListSchema);
      return { items: r.hardware_reservations, meta: r.meta };
    }, { perPage, describe: { method: "GET", path: fillPath(endpoint, { id: projectId }), endpoint } });
  }

  /** Reads one reservation (`GET /hardware-reservations/{id}`; `include: ["device"]` expands its device). */
  async get(id: string, opts: HardwareReservationGetOptions = {}): Promise<HardwareReservation> {
    requireUuid(`${OP}.get`, "id", id);
    checkAttributeList(`${OP}.get`, "include", opts.include);
    checkAttributeList(`${OP}.get`, "exclude", opts.exclude);
    return await this.t.json({
      method: "GET",
      endpoint: "/hardware-reservations/{id}",
      params: { id },
      query: { include: opts.include, exclude: opts.exclude },
      signal: opts.signal,
    }, HardwareReservationSchema);
  }
}
