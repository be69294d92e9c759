/**
 * CONTRACT STUB (implemented by the k8s-runtime work): runs a component like controller-runtime's Manager —
 * informers, controllers and other runnables, gated by leader election, with the probe server (ready once caches
 * are synced) and graceful shutdown that lets in-flight reconciles finish within a deadline.
 */
import type { KubeClient } from "./client.ts";
import type { InformerFactory } from "./informer.ts";
import type { LeaderElectionOptions } from "./leader_election.ts";
import type { Checks } from "../observability/probes.ts";
import type { Clock } from "../runtime/clock.ts";
import type { Logger } from "../observability/log.ts";

/** Anything with a lifetime: controllers, heartbeat, safety loops. */
export interface Runnable {
  /** Runs until the signal aborts; resolves when fully stopped. */
  start(signal: AbortSignal): Promise<void>;
}

export interface ManagerOptions {
  client: KubeClient;
  /** Leader election; runnables added with `needLeaderElection` (default) wait for the lease. */
  leaderElection?: Omit<LeaderElectionOptions, "client" | "clock" | "log">;
  /** Probe/metrics listen addresses; none: no probe server. */
  probeAddresses?: string[];
  /** Time allowed for in-flight work after shutdown begins (default 30 s). */
  gracefulShutdownMs?: number;
  log?: Logger;
  clock?: Clock;
}

export class Manager {
  constructor(readonly options: ManagerOptions) {}

  /** Shared informers of the primary client. */
  get informers(): InformerFactory {
    throw new Error("not implemented yet: src/k8s/manager.ts");
  }
  /** Health checks served at /healthz. */
  get health(): Checks {
    throw new Error("not implemented yet");
  }
  /** Readiness checks served at /readyz (cache sync is added automatically). */
  get readiness(): Checks {
    throw new Error("not implemented yet");
  }
  /** Adds a runnable; by default it only runs while this process is the leader. */
  add(_runnable: Runnable, _opts?: { needLeaderElection?: boolean }): void {
    throw new Error("not implemented yet");
  }
  /** Starts everything and resolves after a graceful stop (signal aborted or leadership lost). */
  start(_signal: AbortSignal): Promise<void> {
    throw new Error("not implemented yet");
  }
}
