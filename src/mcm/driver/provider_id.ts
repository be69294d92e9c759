/**
 * Machine providerIDs of Equinix Metal devices. We write `equinixmetal://<metro>/<device id>`; we read every form
 * that earlier versions and neighbouring components wrote, so that comparisons are made on device ids and a format
 * change can never make a live device look like an orphan (upstream bug: the facility → metro change in v0.8.0 would
 * have let the orphan collector delete devices of existing Machines).
 */

import { isUuid } from "../../runtime/uuid.ts";

/** Scheme we write. */
export const PROVIDER_ID_SCHEME = "equinixmetal";

/** Schemes we read: ours, and the CCM's legacy `packet://`. */
const KNOWN_SCHEMES = ["equinixmetal", "packet"];

/** Device ids are UUIDs on the real API; older simulators and upstream tests used other opaque tokens. */
const DEVICE_ID = /^[0-9A-Za-z][0-9A-Za-z_-]*$/;
/** Metro and facility codes (`ny`, `ewr1`, `sv15`). */
const LOCATION = /^[0-9A-Za-z][0-9A-Za-z_-]*$/;

/** `equinixmetal://<metro>/<deviceId>`; without a metro (a device response lacking it), `equinixmetal://<id>`. */
export function encodeProviderID(metro: string | undefined, deviceId: string): string {
  if (!DEVICE_ID.test(deviceId)) throw new Error(`invalid device id ${JSON.stringify(deviceId)} for a providerID`);
  const code = (metro ?? "").trim().toLowerCase();
  if (code === "") return `${PROVIDER_ID_SCHEME}://${deviceId}`;
  if (!LOCATION.test(code)) throw new Error(`invalid metro code ${JSON.stringify(metro)} for a providerID`);
  return `${PROVIDER_ID_SCHEME}://${code}/${deviceId}`;
}

/**
 * The device id inside any known providerID form: `equinixmetal://<metro>/<id>`, `equinixmetal://<facility>/<id>`,
 * `equinixmetal://<id>`, `packet://<id>` or a bare UUID. Undefined for an empty string or anything else.
 */
export function deviceIdFromProviderID(providerID: string | undefined | null): string | undefined {
  const text = (providerID ?? "").trim();
  if (text === "") return undefined;
  const sep = text.indexOf("://");
  if (sep < 0) return isUuid(text) ? text : undefined;
  const scheme = text.slice(0, sep).toLowerCase();
  if (!KNOWN_SCHEMES.includes(scheme)) return undefined;
  // Empty segments are tolerated: upstream fixtures contain `equinixmetal:///ewr1/<id>`.
  const segments = text.slice(sep + 3).split("/").filter((s) => s !== "");
  if (segments.length === 0 || segments.length > 2) return undefined;
  if (segments.length === 2 && !LOCATION.test(segments[0])) return undefined;
  const id = segments[segments.length - 1];
  return DEVICE_ID.test(id) ? id : undefined;
}

/** The location part (metro or facility code) of a two-segment providerID, if any. */
export function locationFromProviderID(providerID: string | undefined | null): string | undefined {
  const text = (providerID ?? "").trim();
  if (deviceIdFromProviderID(text) === undefined) return undefined;
  const sep = text.indexOf("://");
  if (sep < 0) return undefined;
  const segments = text.slice(sep + 3).split("/").filter((s) => s !== "");
  return segments.length === 2 ? segments[0].toLowerCase() : undefined;
}

/** True when both providerIDs name the same device, whatever form each is written in. */
export function sameDevice(a: string | undefined | null, b: string | undefined | null): boolean {
  const ida = deviceIdFromProviderID(a);
  return ida !== undefined && ida.toLowerCase() === deviceIdFromProviderID(b)?.toLowerCase();
}
