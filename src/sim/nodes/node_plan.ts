/**
 * SIMULATION of what a real landscape has around the machine controller: the kubelet registering a Node when a
 * machine boots, the cloud-controller-manager setting its providerID and deleting it when the machine is gone,
 * and gardener-node-agent removing the critical-components taint once node-critical pods run.
 * This module is the pure part: which Nodes to create, untaint and delete for a set of devices. Pure.
 */
import type { NodeSpec, NodeStatus, NodeSystemInfo } from "kubernetes-types/core/v1.d.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";

/** A machine of the provider, as the simulation needs it. */
export interface SimulatedDevice {
  id: string;
  /** Device hostname = Machine name = Node name. */
  hostname: string;
  /** Provider state; Nodes exist for `active` devices. */
  state: string;
  /** Addresses as `address/cidr` or plain. */
  addresses: readonly string[];
  metro?: string;
  facility?: string;
  plan?: string;
}

/** A core/v1 Node as the simulation writes it (its `nodeInfo` names only what a kubelet's version tells). */
export type SimNode = KubeObject & {
  spec?: NodeSpec;
  status?: Omit<NodeStatus, "nodeInfo"> & { nodeInfo?: Partial<NodeSystemInfo> };
};

/** Label on every Node the simulation created (it never touches other Nodes). */
export const SIMULATED_NODE_LABEL = "sim.provider-equinix-metal.gardener.cloud/simulated-node";
/** The taint gardener-node-agent removes. */
export const CRITICAL_COMPONENTS_TAINT = "node.gardener.cloud/critical-components-not-ready";
/** providerID scheme the Equinix CCM writes (without the metro: `equinixmetal://<device id>`). */
export const CCM_PROVIDER_ID_PREFIX = "equinixmetal://";

/** Device states for which the device is gone as far as Nodes are concerned. */
const GONE_STATES = new Set(["deprovisioning", "deleted"]);

export interface PlanOptions {
  /** Register Nodes with the critical-components taint and remove it after this delay (0: no taint). */
  criticalComponentsTaintMs: number;
}

/** What to do in one pass. */
export interface NodePlan {
  create: SimNode[];
  /** Node names whose taint is due to be removed. */
  untaint: string[];
  /** Node names whose device is gone. */
  remove: string[];
}

function isPrivateV4(ip: string): boolean {
  const [a, b] = ip.split(".").map(Number);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/** Node addresses from device addresses: private IPv4 → InternalIP, other IPs → ExternalIP, plus Hostname. */
export function nodeAddresses(device: SimulatedDevice): Array<{ type: string; address: string }> {
  const out: Array<{ type: string; address: string }> = [];
  for (const raw of device.addresses) {
    const ip = raw.split("/")[0];
    const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(ip);
    out.push({ type: v4 && isPrivateV4(ip) ? "InternalIP" : "ExternalIP", address: ip });
  }
  out.sort((a, b) => (a.type === b.type ? 0 : a.type === "InternalIP" ? -1 : 1));
  out.push({ type: "Hostname", address: device.hostname });
  return out;
}

/** The Node the kubelet (and CCM) would register for a device. */
export function nodeFor(device: SimulatedDevice, now: number, opts: PlanOptions): SimNode {
  const ts = new Date(Math.floor(now / 1000) * 1000).toISOString().replace(".000Z", "Z");
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: ts,
    lastTransitionTime: ts,
  });
  const labels: Record<string, string> = {
    "kubernetes.io/hostname": device.hostname,
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    [SIMULATED_NODE_LABEL]: "true",
  };
  if (device.plan) labels["node.kubernetes.io/instance-type"] = device.plan;
  if (device.metro) labels["topology.kubernetes.io/region"] = device.metro;
  if (device.facility) labels["topology.kubernetes.io/zone"] = device.facility;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: device.hostname, labels },
    spec: {
      providerID: CCM_PROVIDER_ID_PREFIX + device.id,
      taints: opts.criticalComponentsTaintMs > 0 ? [{ key: CRITICAL_COMPONENTS_TAINT, effect: "NoSchedule" }] : [],
    },
    status: {
      conditions: [
        cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        cond("NetworkUnavailable", "False", "RouteCreated", "node network is configured"),
        cond("KernelDeadlock", "False", "KernelHasNoDeadlock", "kernel has no deadlock"),
        cond("ReadonlyFilesystem", "False", "FilesystemIsNotReadOnly", "Filesystem is not read-only"),
      ],
      addresses: nodeAddresses(device),
      capacity: { cpu: "8", memory: "32Gi", pods: "110" },
      allocatable: { cpu: "8", memory: "31Gi", pods: "110" },
      nodeInfo: { kubeletVersion: "v1.30.0", operatingSystem: "linux", architecture: "amd64" },
    },
  };
}

/**
 * Plans one pass. `registeredAt` holds when the simulation registered each of its Nodes (for the taint delay; a
 * Node registered but not yet seen by the informer is not created again); Nodes that are being deleted are left
 * alone (and block re-registration of their name).
 */
export function planNodes(
  devices: readonly SimulatedDevice[],
  nodes: readonly SimNode[],
  registeredAt: ReadonlyMap<string, number>,
  now: number,
  opts: PlanOptions,
): NodePlan {
  const byName = new Map(nodes.map((n) => [n.metadata.name!, n]));
  const live = new Map<string, SimulatedDevice>();
  for (const d of devices) if (!GONE_STATES.has(d.state)) live.set(d.hostname, d);
  const plan: NodePlan = { create: [], untaint: [], remove: [] };
  for (const d of live.values()) {
    if (d.state !== "active" || byName.has(d.hostname) || registeredAt.has(d.hostname)) continue;
    plan.create.push(nodeFor(d, now, opts));
  }
  for (const n of nodes) {
    if (n.metadata.labels?.[SIMULATED_NODE_LABEL] !== "true" || n.metadata.deletionTimestamp) continue;
    const name = n.metadata.name!;
    const device = live.get(name);
    const sameDevice = device && n.spec?.providerID === CCM_PROVIDER_ID_PREFIX + device.id;
    if (!sameDevice) {
      plan.remove.push(name);
      continue;
    }
    const tainted = n.spec?.taints?.some((t) => t.key === CRITICAL_COMPONENTS_TAINT);
    const created = Date.parse(n.metadata.creationTimestamp ?? "");
    const since = registeredAt.get(name) ?? (Number.isNaN(created) ? now : created);
    if (tainted && now - since >= opts.criticalComponentsTaintMs) plan.untaint.push(name);
  }
  return plan;
}
