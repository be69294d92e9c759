/**
 * SIMULATION: the node side of a real landscape, for the playground, tests and benchmarks. Every poll it reads the
 * provider's devices (directly from the simulator's state, so these reads are not Metal API calls), registers a
 * Ready Node for each active device (kubelet; the Node is registered complete — providerID, addresses, zone labels —
 * so the CCM's cloud-node initialization has nothing left to do), removes the critical-components taint a moment
 * later (gardener-node-agent), marks a Node whose device is gone Ready=Unknown once the node-monitor grace period
 * passed (the kubelet fell silent; kube-controller-manager's node lifecycle), deletes a Node that is not Ready and
 * whose device is gone (the CCM's cloud-node-lifecycle controller, with the CCM's own client and Node informer) and
 * removes the pods that were bound to a deleted Node (pod garbage collection). It watches Nodes through informers,
 * so a pass costs no API reads.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { Informer } from "../../k8s/cache/informer.ts";
import { isAlreadyExists, isNotFound } from "../../k8s/api/errors.ts";
import { CoreV1 } from "../../k8s/api/resources.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { PolledSimulation, PollLoop } from "../kernel/mod.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import {
  CRITICAL_COMPONENTS_TAINT,
  planNodes,
  type SimNode,
  SIMULATED_NODE_LABEL,
  type SimulatedDevice,
  unreachablePatch,
} from "./node_plan.ts";

/** kube-controller-manager's `--node-monitor-grace-period` default. */
const DEFAULT_NODE_MONITOR_GRACE_MS = 40_000;

export interface NodeSimulatorOptions {
  /** Client of the target cluster (kubelet, gardener-node-agent, pod GC). */
  client: KubeClient;
  /**
   * The cloud-controller-manager's client (default: `client`). Its Node informer retries until the client may list
   * and watch Nodes (as a CCM started before its RBAC exists); until it synced, no Node is deleted.
   */
  cloudControllerManager?: KubeClient;
  /** The provider's devices right now (e.g. `metalDevices(sim)`). */
  devices: () => readonly SimulatedDevice[];
  clock?: Clock;
  /** Poll period (default 1 s). */
  pollMs?: number;
  /** Taint new Nodes with critical-components-not-ready and remove it after this long (default 2 s; 0: never). */
  criticalComponentsTaintMs?: number;
  /** A Node whose device is gone stays Ready this long (kube-controller-manager's default: 40 s). */
  nodeMonitorGraceMs?: number;
  log?: Logger;
}

/** Writes the simulation made, by kind (to tell them apart from the controller's writes in benchmarks). */
export interface NodeSimulatorStats {
  nodesCreated: number;
  nodesUntainted: number;
  /** Nodes marked Ready=Unknown (their device gone). */
  nodesNotReady: number;
  nodesDeleted: number;
  podsDeleted: number;
  /** Sum of the above plus failed attempts: every write request sent. */
  writes: number;
}

/** Runs the node simulation until stopped. */
export class NodeSimulator extends PolledSimulation {
  readonly stats: NodeSimulatorStats = {
    nodesCreated: 0,
    nodesUntainted: 0,
    nodesNotReady: 0,
    nodesDeleted: 0,
    podsDeleted: 0,
    writes: 0,
  };
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly nodes: Informer<SimNode>;
  /** The CCM's view of the Nodes (the same informer when it shares the client). */
  private readonly ccmNodes: Informer<SimNode>;
  private readonly ccm: KubeClient;
  private readonly registeredAt = new Map<string, number>();
  private readonly silentSince = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  protected readonly loop: PollLoop;

  constructor(private readonly opts: NodeSimulatorOptions) {
    super();
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? getLogger("sim.nodes");
    this.nodes = new Informer<SimNode>(opts.client, CoreV1.nodes, { clock: this.clock, log: this.log });
    this.nodes.addEventHandler({ onDelete: (n) => this.onNodeGone(n) });
    this.ccm = opts.cloudControllerManager ?? opts.client;
    this.ccmNodes = this.ccm === opts.client
      ? this.nodes
      : new Informer<SimNode>(this.ccm, CoreV1.nodes, { clock: this.clock, log: this.log.child("ccm") });
    this.loop = new PollLoop({
      clock: this.clock,
      periodMs: this.opts.pollMs ?? 1000,
      caches: [this.nodes],
      pass: () => this.runPass(),
    });
  }

  /** Starts the informers and the poll loop; resolves when `signal` aborts and the last pass finished. */
  override async start(signal: AbortSignal): Promise<void> {
    // Not one of the loop's caches: the kubelet's work does not wait for the CCM's permissions.
    if (this.ccmNodes !== this.nodes) this.ccmNodes.start(signal);
    await super.start(signal);
    if (this.ccmNodes !== this.nodes) await this.ccmNodes.stopped();
  }

  private async runPass(): Promise<void> {
    let devices: readonly SimulatedDevice[];
    try {
      devices = this.opts.devices();
    } catch (e) {
      this.log.error("Listing the simulated devices failed", { error: e });
      return;
    }
    const now = this.clock.now();
    const planOpts = {
      criticalComponentsTaintMs: this.opts.criticalComponentsTaintMs ?? 2000,
      nodeMonitorGraceMs: this.opts.nodeMonitorGraceMs ?? DEFAULT_NODE_MONITOR_GRACE_MS,
    };
    const memory = { registeredAt: this.registeredAt, silentSince: this.silentSince };
    const plan = planNodes(devices, this.nodes.list(), memory, now, planOpts);
    const silent = new Set(plan.silent);
    for (const name of silent) if (!this.silentSince.has(name)) this.silentSince.set(name, now);
    for (const name of this.silentSince.keys()) if (!silent.has(name)) this.silentSince.delete(name);
    // The CCM decides on deletions from its own view, once it has one.
    const remove = this.ccmNodes === this.nodes
      ? plan.remove
      : !this.ccmNodes.hasSynced()
      ? []
      : planNodes(devices, this.ccmNodes.list(), memory, now, planOpts).remove;
    const work: Array<Promise<void>> = [];
    for (const node of plan.create) work.push(this.once(node.metadata.name!, () => this.create(node)));
    for (const name of plan.untaint) work.push(this.once(name, () => this.untaint(name)));
    for (const name of plan.notReady) work.push(this.once(name, () => this.markNotReady(name)));
    for (const name of remove) work.push(this.once(name, () => this.remove(name)));
    await Promise.all(work);
  }

  /** At most one write per node name at a time. */
  private async once(name: string, fn: () => Promise<void>): Promise<void> {
    if (this.inFlight.has(name)) return;
    this.inFlight.add(name);
    try {
      await fn();
    } catch (e) {
      if (!this.stopped) this.log.info("Node simulation step failed; retrying next pass", { node: name, error: e });
    } finally {
      this.inFlight.delete(name);
    }
  }

  private async create(node: SimNode): Promise<void> {
    this.stats.writes++;
    try {
      await this.opts.client.create(CoreV1.nodes, node);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      this.registeredAt.set(node.metadata.name!, this.clock.now());
      return;
    }
    this.registeredAt.set(node.metadata.name!, this.clock.now());
    this.stats.nodesCreated++;
    this.log.debug("Registered node", { node: node.metadata.name, providerID: node.spec?.providerID });
  }

  private async untaint(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) return;
    const taints = (node.spec?.taints ?? []).filter((t) => t.key !== CRITICAL_COMPONENTS_TAINT);
    this.stats.writes++;
    await this.opts.client.patch(CoreV1.nodes, name, {
      metadata: { resourceVersion: node.metadata.resourceVersion },
      spec: { taints },
    }, "merge");
    this.stats.nodesUntainted++;
  }

  /** Node lifecycle (kube-controller-manager): the silent kubelet's conditions Unknown, the unreachable taints. */
  private async markNotReady(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) return;
    const { conditions, taints } = unreachablePatch(node, this.clock.now());
    this.stats.writes++;
    await this.opts.client.patch(
      CoreV1.nodes,
      name,
      {
        metadata: { resourceVersion: node.metadata.resourceVersion },
        status: { conditions },
      },
      "merge",
      { subresource: "status" },
    );
    this.stats.writes++;
    await this.opts.client.patch(CoreV1.nodes, name, { spec: { taints } }, "merge");
    this.stats.nodesNotReady++;
    this.log.debug("Node not ready: its device is gone", { node: name });
  }

  /** cloud-node-lifecycle: the not-Ready Node of a gone device is deleted (the CCM's client); then its pods (pod GC). */
  private async remove(name: string): Promise<void> {
    this.stats.writes++;
    try {
      await this.ccm.delete(CoreV1.nodes, name);
      this.stats.nodesDeleted++;
      this.log.debug("Deleted node of a gone device", { node: name });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    await this.deletePodsOf(name);
  }

  private onNodeGone(node: KubeObject): void {
    if (node.metadata.labels?.[SIMULATED_NODE_LABEL] !== "true" || this.stopped) return;
    this.registeredAt.delete(node.metadata.name!);
    this.loop.after(() => this.once(`pods:${node.metadata.name}`, () => this.deletePodsOf(node.metadata.name!)));
  }

  /** Pods bound to a Node that no longer exists are removed (the pod GC of kube-controller-manager). */
  private async deletePodsOf(nodeName: string): Promise<void> {
    const pods = await this.opts.client.listAll(CoreV1.pods, { fieldSelector: `spec.nodeName=${nodeName}` });
    for (const pod of pods.items) {
      this.stats.writes++;
      try {
        await this.opts.client.delete(CoreV1.pods, pod.metadata.name!, {
          namespace: pod.metadata.namespace,
          gracePeriodSeconds: 0,
        });
        this.stats.podsDeleted++;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}
