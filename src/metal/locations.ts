/** Metros and (deprecated) facilities. Neither list is paginated: the API answers with all of them. */
import { checkAttributeList, requireNonEmpty } from "./request_url.ts";
import { FacilityListSchema, MetroListSchema, MetroSchema } from "./schemas.ts";
import type { MetalTransport } from "./transport.ts";
import type { Facility, Metro } from "./types.ts";

export type { Facility, Metro };

export interface LocationCallOptions {
  signal?: AbortSignal;
}

export interface FacilityListOptions extends LocationCallOptions {
  /** `address`, `labels` (the API excludes `address` by default). */
  include?: string[];
  exclude?: string[];
}

const OP = "MetalClient.locations";

/** `/locations/metros` and `/facilities`. */
export class LocationsApi {
  constructor(private readonly t: MetalTransport) {}

  /** All metros (`GET /locations/metros`). */
  async listMetros(opts: LocationCallOptions = {}): Promise<Metro[]> {
    const r = await this.t.json(
      { method: "GET", endpoint: "/locations/metros", signal: opts.signal },
      MetroListSchema,
    );
    return r.metros;
  }

  /** One metro by id (`GET /locations/metros/{id}`). */
  async getMetro(id: string, opts: LocationCallOptions = {}): Promise<Metro> {
    requireNonEmpty(`${OP}.getMetro`, "id", id);
    return await this.t.json(
      { method: "GET", endpoint: "/locations/metros/{id}", params: { id }, signal: opts.signal },
      MetroSchema,
    );
  }

  /** All facilities (`GET /facilities`; deprecated by Equinix since 2023). */
  async listFacilities(opts: FacilityListOptions = {}): Promise<Facility[]> {
    checkAttributeList(`${OP}.listFacilities`, "include", opts.include);
    checkAttributeList(`${OP}.listFacilities`, "exclude", opts.exclude);
    const r = await this.t.json({
      method: "GET",
      endpoint: "/facilities",
      query: { include: opts.include, exclude: opts.exclude },
      explodeQuery: true,
      signal: opts.signal,
    }, FacilityListSchema);
    return r.facilities;
  }
}
