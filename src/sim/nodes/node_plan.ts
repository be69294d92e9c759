/**
 * SIMULATION of what a real landscape has around the machine controller: the kubelet registering a Node when a
 * machine boots, gardener-node-agent removing the critical-components taint once node-critical pods run, the kubelet
 * falling silent when its machine is gone (kube-controller-manager's node lifecycle then marks the Node's Ready
 * Unknown after its grace period) and the cloud-controller-manager deleting a Node that is not Ready and whose
 * machine is gone (cloud-node-lifecycle checks only such Nodes).
 * This module is the pure part: which Nodes to create, untaint, mark not Ready and delete for a set of devices. Pure.
 */
import type { NodeSpec, NodeStatus, NodeSystemInfo } from "kubernetes-types/core/v1.d.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { metav1Time } from "../kernel/mod.ts";

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
  /**
   * How long a Node whose kubelet fell silent stays Ready before the node lifecycle marks it Unknown
   * (kube-controller-manager's `--node-monitor-grace-period`, 40 s; default 0).
   */
  nodeMonitorGraceMs?: number;
}

/** What the simulation remembers between passes, by Node name. */
export interface NodeMemory {
  /** When the simulation registered each of its Nodes. */
  registeredAt: ReadonlyMap<string, number>;
  /** Since when each Ready Node's device has been gone (its kubelet silent). */
  silentSince: ReadonlyMap<string, number>;
}

/** What to do in one pass. */
export interface NodePlan {
  create: SimNode[];
  /** Node names whose taint is due to be removed. */
  untaint: string[];
  /** Ready Nodes whose device is gone: their kubelet posts no more status. */
  silent: string[];
  /** Of the silent Nodes, those silent for the grace period: the node lifecycle marks them Ready=Unknown. */
  notReady: string[];
  /** Nodes not Ready whose device is gone: the CCM's cloud-node-lifecycle deletes them. */
  remove: string[];
}

/** The condition types a kubelet posts (the node lifecycle sets them all Unknown once it falls silent). */
const KUBELET_CONDITIONS = new Set(["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]);

/** Taints of a Node whose kubelet stopped posting status. */
export const UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";

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
  const ts = metav1Time(now);
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

/** The status of a Node's `Ready` condition (undefined without one). */
export function readyStatus(node: SimNode): string | undefined {
  return node.status?.conditions?.find((c) => c.type === "Ready")?.status;
}

/**
 * What kube-controller-manager's node lifecycle writes when a Node's kubelet fell silent: the kubelet's conditions
 * Unknown (`NodeStatusUnknown`) and the unreachable taints. `conditions` is the status patch, `taints` the spec's.
 */
export function unreachablePatch(node: SimNode, now: number): {
  conditions: NonNullable<NodeStatus["conditions"]>;
  taints: NonNullable<NodeSpec["taints"]>;
} {
  const ts = metav1Time(now);
  const conditions = (node.status?.conditions ?? []).map((c) =>
    KUBELET_CONDITIONS.has(c.type)
      ? {
        ...c,
        status: "Unknown",
        reason: "NodeStatusUnknown",
        message: "Kubelet stopped posting node status.",
        lastTransitionTime: ts,
      }
      : c
  );
  const taints = (node.spec?.taints ?? []).filter((t) => t.key !== UNREACHABLE_TAINT);
  taints.push({ key: UNREACHABLE_TAINT, effect: "NoSchedule" }, {
    key: UNREACHABLE_TAINT,
    effect: "NoExecute",
    timeAdded: ts,
  });
  return { conditions, taints };
}

/**
 * Plans one pass. `memory.registeredAt` gives the taint delay its start (a Node registered but not yet seen by the
 * informer is not created again), `memory.silentSince` the grace period its start; Nodes that are being deleted are
 * left alone (and block re-registration of their name).
 */
export function planNodes(
  devices: readonly SimulatedDevice[],
  nodes: readonly SimNode[],
  memory: NodeMemory,
  now: number,
  opts: PlanOptions,
): NodePlan {
  const { registeredAt, silentSince } = memory;
  const byName = new Map(nodes.map((n) => [n.metadata.name!, n]));
  const live = new Map<string, SimulatedDevice>();
  for (const d of devices) if (!GONE_STATES.has(d.state)) live.set(d.hostname, d);
  const plan: NodePlan = { create: [], untaint: [], silent: [], notReady: [], remove: [] };
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
      if (readyStatus(n) !== "True") {
        plan.remove.push(name);
        continue;
      }
      plan.silent.push(name);
      if (now - (silentSince.get(name) ?? now) >= (opts.nodeMonitorGraceMs ?? 0)) plan.notReady.push(name);
      continue;
    }
    const tainted = n.spec?.taints?.some((t) => t.key === CRITICAL_COMPONENTS_TAINT);
    const created = Date.parse(n.metadata.creationTimestamp ?? "");
    const since = registeredAt.get(name) ?? (Number.isNaN(created) ? now : created);
    if (tainted && now - since >= opts.criticalComponentsTaintMs) plan.untaint.push(name);
  }
  return plan;
}
