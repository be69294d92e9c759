/**
 * CONTRACT STUB (implemented by the k8s-runtime work): leader election on a coordination.k8s.io/v1 Lease — acquire,
 * renew, release on shutdown, and stop working (abort the leader's signal) when renewal fails past the deadline.
 */
import type { KubeClient } from "./client.ts";
import type { Clock } from "../runtime/clock.ts";
import type { Logger } from "../observability/log.ts";

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  /** Lease name, e.g. `provider-equinix-metal-leader-election` or `machine-controller`. */
  name: string;
  /** Holder identity; default `<hostname>_<random>`. */
  identity?: string;
  /** client-go defaults: 15 s / 10 s / 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Release the lease when stopping (so a successor takes over at once). Default true. */
  releaseOnCancel?: boolean;
  clock?: Clock;
  log?: Logger;
}

/**
 * Runs `lead` while holding the lease. `lead` gets a signal that aborts when leadership is lost or `signal` aborts.
 * Resolves after `lead` returned and the lease was released. Rejects if leadership was lost (callers usually exit).
 */
export function runLeaderElection(
  _opts: LeaderElectionOptions,
  _signal: AbortSignal,
  _lead: (leaderSignal: AbortSignal) => Promise<void>,
): Promise<void> {
  throw new Error("not implemented yet: src/k8s/leader_election.ts");
}
