/**
 * Ensures the shoot's project SSH key (`<technical ID>-ssh-publickey` holding `spec.sshPublicKey`) and deletes it,
 * crash-safe at every line:
 *   1. the key recorded in the state is used if it still holds the wanted public key;
 *   2. otherwise a key with our label and fingerprint is adopted (a crash after a create, a concurrent replica);
 *   3. otherwise one is created and its id persisted at once; duplicates made concurrently converge on the oldest;
 *   4. keys no longer wanted (rotation, SSH access turned off) are recorded as obsolete before they are deleted, so a
 *      crash between "new key recorded" and "old key deleted" never leaks the old key;
 *   5. whenever the key changes, and on deletion, every other key with our label is obsolete too, whatever its public
 *      key: a crash between a create and its state write followed by another rotation leaves a key that neither the
 *      state nor the current fingerprint finds (the label is ours by construction).
 * An up-to-date key costs one GET and no write.
 */
import type { MetalClient } from "../../metal/client.ts";
import { MetalInvalidError, MetalNotFoundError } from "../../metal/errors.ts";
import type { SshKey } from "../../metal/types.ts";
import type { Logger } from "../../observability/log.ts";
import { ConfigurationError } from "../reconciler/mod.ts";
import { canonicalKey, type DesiredKey, holdsPublicKey, inProject, isOurKey } from "./ssh_key_match.ts";
import type { FlowStateStore } from "./state_apply.ts";

/** What the flow talks to. */
export interface SshKeyFlowContext {
  metal: MetalClient;
  projectID: string;
  signal?: AbortSignal;
  log: Logger;
  /** Reports a change in the cloud (an Event on the Infrastructure). */
  notify?: (reason: string, message: string) => void;
}

const FINGERPRINT_TAKEN = /fingerprint has already been taken/i;

async function getKey(f: SshKeyFlowContext, id: string): Promise<SshKey | undefined> {
  try {
    return await f.metal.sshKeys.get(id, { signal: f.signal });
  } catch (e) {
    if (e instanceof MetalNotFoundError) return undefined;
    throw e;
  }
}

/** Our keys in the project (label and fingerprint), found with the API's search and checked exactly. */
async function findOurs(f: SshKeyFlowContext, d: DesiredKey): Promise<SshKey[]> {
  const keys = await f.metal.sshKeys.listForProject(f.projectID, { query: d.publicKey.fingerprint, signal: f.signal });
  return keys.filter((k) => isOurKey(k, d) && inProject(k, f.projectID));
}

/** Every key in the project with our label, whatever public key it holds. */
async function labelled(f: SshKeyFlowContext, label: string): Promise<SshKey[]> {
  const keys = await f.metal.sshKeys.listForProject(f.projectID, { signal: f.signal });
  return keys.filter((k) => k.label === label && inProject(k, f.projectID));
}

async function createKey(f: SshKeyFlowContext, d: DesiredKey): Promise<SshKey> {
  try {
    return await f.metal.sshKeys.createForProject(f.projectID, { label: d.label, key: d.publicKey.line }, {
      signal: f.signal,
      // A lost response may hide a created key: look before sending the POST again.
      dedupe: async () => canonicalKey(await findOurs(f, d)),
    });
  } catch (e) {
    if (!(e instanceof MetalInvalidError) || !FINGERPRINT_TAKEN.test(e.messages.join(" "))) throw e;
    // Someone created the same key meanwhile (another replica): use it if it is ours.
    const ours = canonicalKey(await findOurs(f, d));
    if (ours) return ours;
    const keys = await f.metal.sshKeys.listForProject(f.projectID, { signal: f.signal });
    const other = keys.find((k) => holdsPublicKey(k, d));
    throw new ConfigurationError(
      `project ${f.projectID} already holds the shoot's public key as SSH key "${other?.label ?? "?"}" ` +
        `(${other?.id ?? "unknown id"}); remove that key or give the shoot its own key pair`,
      { cause: e },
    );
  }
}

async function deleteKey(f: SshKeyFlowContext, id: string): Promise<void> {
  try {
    await f.metal.sshKeys.delete(id, { signal: f.signal });
  } catch (e) {
    if (!(e instanceof MetalNotFoundError)) throw e; // 404: already gone
  }
}

/** Deletes the obsolete keys one by one, persisting the shorter list after each. */
async function deleteObsolete(f: SshKeyFlowContext, store: FlowStateStore): Promise<void> {
  for (const id of [...(store.data.obsoleteSSHKeyIDs ?? [])]) {
    await deleteKey(f, id);
    await store.update({ obsoleteSSHKeyIDs: (store.data.obsoleteSSHKeyIDs ?? []).filter((x) => x !== id) });
    f.log.info("Deleted project SSH key", { sshKeyID: id });
    f.notify?.("SSHKeyDeleted", `Deleted project SSH key ${id}`);
  }
}

/**
 * Makes the project hold exactly the desired key (or none when `desired` is undefined) and returns its id. The state
 * is written after every create and delete.
 */
export async function ensureSshKey(
  f: SshKeyFlowContext,
  desired: DesiredKey | undefined,
  store: FlowStateStore,
  label: string,
): Promise<string | undefined> {
  const obsolete = new Set(store.data.obsoleteSSHKeyIDs ?? []);
  let current: SshKey | undefined;
  const recorded = store.data.sshKeyID;
  if (recorded) {
    const k = await getKey(f, recorded);
    if (k && desired && holdsPublicKey(k, desired) && inProject(k, f.projectID)) current = k;
    else if (k) obsolete.add(k.id); // the public key changed, or no key is wanted any more
    // Not found: deleted behind our back; adopted or re-created below.
  }
  if (desired && !current) {
    let ours = await findOurs(f, desired);
    if (ours.length === 0) {
      const created = await createKey(f, desired);
      // Recorded at once: from here on a crash must not lose the new key (nor the obsolete old one).
      await store.save({ ...store.data, sshKeyID: created.id, obsoleteSSHKeyIDs: [...obsolete] });
      f.log.info("Created project SSH key", { sshKeyID: created.id, label: desired.label });
      f.notify?.("SSHKeyCreated", `Created project SSH key ${created.id} (${desired.label})`);
      // Concurrent creators (if the API accepted a duplicate) converge on the oldest key.
      ours = await findOurs(f, desired);
      if (!ours.some((k) => k.id === created.id)) ours.push(created);
    }
    current = canonicalKey(ours)!;
    for (const k of ours) if (k.id !== current.id) obsolete.add(k.id);
  }
  // The key changed (or went): sweep what an interrupted earlier change may have left with our label. An unchanged
  // key costs no listing.
  if (current?.id !== recorded) { for (const k of await labelled(f, label)) obsolete.add(k.id); }
  if (current) obsolete.delete(current.id);
  await store.save({ ...store.data, sshKeyID: current?.id, obsoleteSSHKeyIDs: [...obsolete] });
  await deleteObsolete(f, store);
  return current?.id;
}

/** Deletes every key of the shoot: the recorded ones and any with our label. */
export async function deleteSshKeys(f: SshKeyFlowContext, store: FlowStateStore, label: string): Promise<void> {
  const ids = new Set<string>(store.data.obsoleteSSHKeyIDs ?? []);
  if (store.data.sshKeyID) ids.add(store.data.sshKeyID);
  // A crash right after a create, before the id was recorded, leaves a key only our label finds.
  for (const k of await labelled(f, label)) ids.add(k.id);
  await store.save({ ...store.data, sshKeyID: undefined, obsoleteSSHKeyIDs: [...ids] });
  await deleteObsolete(f, store);
}
