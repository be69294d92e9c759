/** Operating systems a device can be provisioned with. */
import { OperatingSystemListSchema } from "./schemas.ts";
import type { MetalTransport } from "./transport.ts";
import type { OperatingSystem } from "./types.ts";

export type { OperatingSystem };

/** `/operating-systems`. */
export class OperatingSystemsApi {
  constructor(private readonly t: MetalTransport) {}

  /** All operating systems (`GET /operating-systems`; not paginated). */
  async list(opts: { signal?: AbortSignal } = {}): Promise<OperatingSystem[]> {
    const r = await this.t.json(
      { method: "GET", endpoint: "/operating-systems", signal: opts.signal },
      OperatingSystemListSchema,
    );
    return r.operating_systems;
  }
}
