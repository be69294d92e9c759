/**
 * SIMULATION of the pods behind a cluster's Deployments (kubelet plus the Deployment and ReplicaSet controllers, as
 * far as a Deployment's status shows them): a Deployment whose status lags its spec (a new one, a new generation, a
 * scale to 0 or back) becomes available `delayMs` after this simulation first saw the lag. Watches Deployments through
 * an informer; an available Deployment costs no write.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { Informer } from "../../k8s/cache/informer.ts";
import { isConflict, isNotFound } from "../../k8s/api/errors.ts";
import { AppsV1 } from "../../k8s/api/resources.ts";
import { objectKey } from "../../k8s/api/objects.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { PolledSimulation, PollLoop } from "../kernel/mod.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { availableStatus, type SimDeployment } from "./deployment_status.ts";

export interface DeploymentKubeletOptions {
  client: KubeClient;
  /** Which namespaces it serves (default: all). */
  namespaces?: (namespace: string) => boolean;
  /** Delay between seeing a lagging Deployment and making it available (default 1 s). */
  delayMs?: number;
  /** Poll period (default 500 ms). */
  pollMs?: number;
  clock?: Clock;
  log?: Logger;
}

/** Writes of the simulation (counted apart from ours). */
export interface DeploymentKubeletStats {
  statusWrites: number;
  writes: number;
}

/** Runs the Deployment simulation until stopped. */
export class DeploymentKubelet extends PolledSimulation {
  readonly stats: DeploymentKubeletStats = { statusWrites: 0, writes: 0 };
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly deployments: Informer<SimDeployment>;
  /** key → generation/replicas seen lagging, and when. */
  private readonly seen = new Map<string, { spec: string; at: number }>();
  protected readonly loop: PollLoop;

  constructor(private readonly opts: DeploymentKubeletOptions) {
    super();
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? getLogger("sim.kubelet");
    this.deployments = new Informer<SimDeployment>(opts.client, AppsV1.deployments, {
      clock: this.clock,
      log: this.log,
    });
    this.deployments.addEventHandler({ onDelete: (d) => this.seen.delete(objectKey(d)) });
    this.loop = new PollLoop({
      clock: this.clock,
      periodMs: this.opts.pollMs ?? 500,
      caches: [this.deployments],
      pass: () => this.runPass(),
    });
  }

  private async runPass(): Promise<void> {
    const now = this.clock.now();
    const delay = this.opts.delayMs ?? 1000;
    for (const d of this.deployments.list()) {
      const ns = d.metadata.namespace ?? "";
      if (this.opts.namespaces && !this.opts.namespaces(ns)) continue;
      const status = availableStatus(d, new Date(now).toISOString());
      const key = objectKey(d);
      if (!status) {
        this.seen.delete(key);
        continue;
      }
      const spec = `${d.metadata.generation}/${d.spec?.replicas ?? 1}`;
      const seen = this.seen.get(key);
      if (!seen || seen.spec !== spec) {
        this.seen.set(key, { spec, at: now });
        if (delay > 0) continue;
      } else if (now - seen.at < delay) continue;
      this.stats.writes++;
      try {
        await this.opts.client.updateStatus(AppsV1.deployments, { ...d, status }, { namespace: ns });
        this.stats.statusWrites++;
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e) && !this.stopped) {
          this.log.info("Deployment simulation step failed; retrying next pass", { deployment: key, error: e });
        }
      }
    }
  }
}
