/**
 * Which project SSH key is the shoot's (pure). A key is ours when it carries the shoot's label and the fingerprint of
 * the shoot's public key. If concurrent creators made several, every replica picks the same one (oldest, then lowest
 * id), so they converge on one key and remove the others. Pure.
 */
import type { SshKey } from "../../metal/types.ts";
import type { PublicKey } from "./ssh_public_key.ts";

/** The key the flow wants in the project. */
export interface DesiredKey {
  label: string;
  publicKey: PublicKey;
}

/** `<technical ID>-ssh-publickey`, the name the Go provider's Terraform template gave the key. */
export function sshKeyLabel(namespace: string): string {
  return `${namespace}-ssh-publickey`;
}

/** The API reports fingerprints in lower-case hex; compare without caring about case. */
function sameFingerprint(a: string | null | undefined, b: string): boolean {
  return (a ?? "").toLowerCase() === b.toLowerCase();
}

/** True if the key holds the desired public key (whatever its label). */
export function holdsPublicKey(k: SshKey, d: DesiredKey): boolean {
  return sameFingerprint(k.fingerprint, d.publicKey.fingerprint);
}

/** True if the key is ours: our label and our public key. */
export function isOurKey(k: SshKey, d: DesiredKey): boolean {
  return k.label === d.label && holdsPublicKey(k, d);
}

/** True if the key belongs to the project (keys without an entity link are taken as the project's). */
export function inProject(k: SshKey, projectID: string): boolean {
  const href = k.entity?.href;
  return href === undefined || href === null || href.endsWith(`/projects/${projectID}`);
}

/** The key every replica agrees on among duplicates: the oldest, ties broken by id. */
export function canonicalKey(keys: readonly SshKey[]): SshKey | undefined {
  return [...keys].sort((a, b) => {
    const ta = Date.parse(a.created_at ?? "") || 0;
    const tb = Date.parse(b.created_at ?? "") || 0;
    return ta !== tb ? ta - tb : a.id.localeCompare(b.id);
  })[0];
}
