/**
 * The shoot's SSH public key (`spec.sshPublicKey`, an `authorized_keys` line) and its MD5 fingerprint as the Metal API
 * reports it (`aa:bb:...`, like `ssh-keygen -l -E md5`), which is how we recognise our key among a project's keys.
 * Pure.
 */
import { createHash } from "node:crypto";
import { decodeBase64 } from "../../runtime/base64.ts";
import { ConfigurationError } from "../reconciler/mod.ts";

/** A parsed public key. */
export interface PublicKey {
  /** The line as given, trimmed (sent to the API as is). */
  line: string;
  type: string;
  fingerprint: string;
}

function base64Bytes(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  try {
    return decodeBase64(text);
  } catch {
    return undefined;
  }
}

/** The first SSH string of a key blob: the key type it claims to be. */
function blobType(blob: Uint8Array): string | undefined {
  if (blob.length < 4) return undefined;
  const len = ((blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3]) >>> 0;
  if (len === 0 || 4 + len > blob.length) return undefined;
  return new TextDecoder().decode(blob.subarray(4, 4 + len));
}

/** MD5 of the key blob as colon-separated hex. */
export function md5Fingerprint(blob: Uint8Array): string {
  return createHash("md5").update(blob).digest("hex").match(/../g)!.join(":");
}

/** Parses an `authorized_keys` line; errors name `field` (e.g. `spec.sshPublicKey`) and the object. */
export function parsePublicKey(text: string, field: string, object: string): PublicKey {
  const line = text.trim();
  const bad = (why: string) => new ConfigurationError(`${object}: ${field}: Invalid value: ${why}`);
  if (line.includes("\n")) throw bad("must be a single public key line");
  const [type, data] = line.split(/\s+/);
  if (!type || !data) throw bad('must be an OpenSSH public key such as "ssh-ed25519 AAAA... comment"');
  const blob = base64Bytes(data);
  if (!blob) throw bad(`the key data of the ${type} key is not base64`);
  if (blobType(blob) !== type) throw bad(`the key data does not hold a ${type} key`);
  return { line, type, fingerprint: md5Fingerprint(blob) };
}
