/** OpenSSH public keys: parsing and the MD5 fingerprint the Metal API reports (colon-separated hex of the blob). */
import { createHash } from "node:crypto";

const KEY_TYPES = new Set([
  "ssh-rsa",
  "ssh-dss",
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
]);

function decodeBase64(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** The key blob of an `authorized_keys` line, or an explanation of why it is not one. */
export function parsePublicKey(line: string): { type: string; blob: Uint8Array } | { error: string } {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) return { error: "Key is invalid" };
  const [type, data] = parts;
  if (!KEY_TYPES.has(type)) return { error: "Key is invalid" };
  const blob = decodeBase64(data);
  if (!blob || blob.length < 4) return { error: "Key is invalid" };
  // The blob starts with the key type as an SSH string; a mismatch means a corrupted or mislabelled key.
  const len = (blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3];
  const inner = new TextDecoder().decode(blob.subarray(4, 4 + len));
  if (len <= 0 || 4 + len > blob.length || inner !== type) return { error: "Key is invalid" };
  return { type, blob };
}

/** MD5 fingerprint of a key blob as `aa:bb:...`. */
export function md5Fingerprint(blob: Uint8Array): string {
  const hex = createHash("md5").update(blob).digest("hex");
  return hex.match(/../g)!.join(":");
}
