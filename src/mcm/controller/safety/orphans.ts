/**
 * Orphan collection decisions (MCM machine_safety.go). A device listed by the driver is kept when a Machine of the
 * same name points at it, or when that Machine has no providerID yet and is still being created; everything else is
 * an orphan to delete, a second device of a Machine that points at another one too (whatever the Machine's phase:
 * MCM keeps devices of machines in phase ""/CrashLoopBackOff, which kept such duplicates for good).
 * Devices are compared by **device id**, not by the full providerID string: upstream compared whole strings, so the
 * providerID format change of v0.8.0 (facility → metro) made every existing device look like an orphan.
 * Also: Nodes without a Machine are marked "not managed by MCM" once older than the creation timeout. Pure.
 */
import {
  LABEL_NODE,
  type Machine,
  NODE_ANNOTATION_NOT_MANAGED_BY_MCM,
  NODE_FINALIZER,
  phaseOf,
} from "../../../apis/machine/v1alpha1.ts";
import { deviceIdFromProviderID } from "../../driver/provider_id.ts";
import type { Node } from "../../../k8s/api/builtin_types.ts";
import { parseTime } from "../machine/status.ts";

/** A device the driver listed that no Machine owns. */
export interface Orphan {
  providerID: string;
  /** Device hostname = the machine name it was created for. */
  machineName: string;
  /** Why it is an orphan (for the log). */
  reason: string;
}

/**
 * Orphans among the listed devices. `machinesByName` holds the Machines of the class's namespace; `deviceId` turns
 * a providerID (any historic form) into the device id.
 */
export function findOrphans(
  listed: Record<string, string>,
  machinesByName: ReadonlyMap<string, Machine>,
  deviceId: (providerID: string) => string | undefined = deviceIdFromProviderID,
): Orphan[] {
  const orphans: Orphan[] = [];
  for (const [providerID, machineName] of Object.entries(listed)) {
    const machine = machinesByName.get(machineName);
    if (!machine) {
      orphans.push({ providerID, machineName, reason: "no Machine with this name" });
      continue;
    }
    const own = machine.spec?.providerID;
    if (own && safeId(deviceId, own) === safeId(deviceId, providerID)) continue;
    const phase = phaseOf(machine);
    if (!own && (phase === "" || phase === "CrashLoopBackOff")) continue;
    orphans.push({
      providerID,
      machineName,
      reason: own ? `Machine points at another device (${own})` : "Machine has no providerID and is not being created",
    });
  }
  return orphans;
}

/** The device id, or the providerID itself when it is in no known form (then only an exact match keeps it). */
function safeId(deviceId: (p: string) => string | undefined, providerID: string): string {
  try {
    return deviceId(providerID)?.toLowerCase() ?? providerID;
  } catch {
    return providerID;
  }
}

/** What to do with a Node during the unmanaged-node pass. */
export interface NodeMarking {
  node: string;
  action: "markUnmanaged" | "unmarkUnmanaged";
}

/**
 * Nodes with no Machine (by the Machine label `node`) that are older than the creation timeout are marked
 * not-managed-by-mcm (and lose the node finalizer); the mark is removed when a Machine appears.
 */
export function unmanagedNodeMarkings(
  nodes: Node[],
  machines: Machine[],
  creationTimeoutMs: number,
  now: number,
): NodeMarking[] {
  const backed = new Set<string>();
  for (const m of machines) {
    const n = m.metadata.labels?.[LABEL_NODE];
    if (n) backed.add(n);
  }
  const out: NodeMarking[] = [];
  for (const node of nodes) {
    const name = node.metadata.name!;
    const marked = node.metadata.annotations?.[NODE_ANNOTATION_NOT_MANAGED_BY_MCM] !== undefined;
    if (backed.has(name)) {
      if (marked) out.push({ node: name, action: "unmarkUnmanaged" });
      continue;
    }
    if (marked && !node.metadata.finalizers?.includes(NODE_FINALIZER)) continue;
    const created = parseTime(node.metadata.creationTimestamp) ?? now;
    if (now - created > creationTimeoutMs) out.push({ node: name, action: "markUnmanaged" });
  }
  return out;
}
