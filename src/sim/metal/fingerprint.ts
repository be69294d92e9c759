/** OpenSSH public keys: parsing and the MD5 fingerprint the Metal API reports (colon-separated hex of the blob). */
import { decodeBase64 } from "../../runtime/base64.ts";
import { createHash } from "node:crypto";

/** Key types and the number of SSH strings their blob holds (type name included). */
const KEY_FIELDS: Record<string, number> = {
  "ssh-rsa": 3,
  "ssh-dss": 5,
  "ssh-ed25519": 2,
  "ecdsa-sha2-nistp256": 3,
  "ecdsa-sha2-nistp384": 3,
  "ecdsa-sha2-nistp521": 3,
  "sk-ssh-ed25519@openssh.com": 3,
  "sk-ecdsa-sha2-nistp256@openssh.com": 4,
};

/** Splits a blob into its length-prefixed SSH strings; undefined if the lengths do not add up exactly. */
function sshStrings(blob: Uint8Array): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < blob.length) {
    if (i + 4 > blob.length) return undefined;
    const len = ((blob[i] << 24) | (blob[i + 1] << 16) | (blob[i + 2] << 8) | blob[i + 3]) >>> 0;
    i += 4;
    if (i + len > blob.length) return undefined;
    out.push(blob.subarray(i, i + len));
    i += len;
  }
  return out;
}

function decodeKeyBlob(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) return undefined;
  try {
    return decodeBase64(s);
  } catch {
    return undefined;
  }
}

/** The key blob of an `authorized_keys` line, or an explanation of why it is not one. */
export function parsePublicKey(line: string): { type: string; blob: Uint8Array } | { error: string } {
  const invalid = { error: "Key is invalid" };
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) return invalid;
  const [type, data] = parts;
  const fields = KEY_FIELDS[type];
  const blob = fields ? decodeKeyBlob(data) : undefined;
  const strings = blob ? sshStrings(blob) : undefined;
  // The blob must name the same key type and hold exactly that type's fields (catches truncated/garbled keys).
  if (!blob || !strings || strings.length !== fields || new TextDecoder().decode(strings[0]) !== type) return invalid;
  if (type === "ssh-ed25519" && strings[1].length !== 32) return invalid;
  return { type, blob };
}

/** MD5 fingerprint of a key blob as `aa:bb:...`. */
export function md5Fingerprint(blob: Uint8Array): string {
  const hex = createHash("md5").update(blob).digest("hex");
  return hex.match(/../g)!.join(":");
}
