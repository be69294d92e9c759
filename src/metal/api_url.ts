/** The Metal API base URL: its default and what we accept (shared by the client and every `--metal-api-url` flag). */
import { isLoopbackHost } from "../runtime/ip_address.ts";

/** The public Equinix Metal API (shut down on 2026-06-30; our simulator stands in for it via `--metal-api-url`). */
export const DEFAULT_METAL_API_URL = "https://api.equinix.com/metal/v1";

/** The flag that lets `--metal-api-url` use plain http:// for a host that is not this machine. */
export const ALLOW_PLAIN_HTTP_FLAG = "--metal-api-allow-plain-http";

/**
 * Why `raw` cannot be the Metal API base URL, or undefined if it can. Plain http:// would send the API token
 * unencrypted, so it is accepted only for loopback hosts (the simulator) or when explicitly allowed.
 */
export function metalApiUrlProblem(raw: string, allowPlainHttp = false): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `not an absolute http(s) URL: ${JSON.stringify(raw)}`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return `not an absolute http(s) URL: ${JSON.stringify(raw)}`;
  }
  if (url.search || url.hash) return `must not have a query or fragment: ${JSON.stringify(raw)}`;
  if (url.protocol === "http:" && !allowPlainHttp && !isLoopbackHost(url.hostname)) {
    return `uses plain http:// for ${url.hostname}, which would send the API token unencrypted; use https, a ` +
      `loopback address (the simulator), or set ${ALLOW_PLAIN_HTTP_FLAG} to allow it`;
  }
  return undefined;
}
