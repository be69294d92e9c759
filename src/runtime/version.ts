/** The product's name and version, taken from deno.json so that there is one place to bump it. */
import denoJson from "../../deno.json" with { type: "json" };

/** Name of the binary and of the extension. */
export const PRODUCT = "provider-equinix-metal";

/** Semantic version of this build. */
export const VERSION: string = denoJson.version;

/** User-Agent sent to the Metal API and the Kubernetes API. */
export const USER_AGENT = `${PRODUCT}/${VERSION}`;
