/** The public Equinix Metal API (shut down on 2026-06-30; our simulator stands in for it via `--metal-api-url`). */
export const DEFAULT_METAL_API_URL = "https://api.equinix.com/metal/v1";
