/**
 * Leader election on a coordination.k8s.io/v1 Lease — acquire, renew, release on shutdown, and stop working (abort
 * the leader's signal) when renewal fails past the deadline.
 *
 * Expiry is judged on this process's own clock from the moment it last saw the lease change (as client-go does),
 * never by comparing the holder's renewTime with our clock, so clock skew between candidates cannot cause two
 * leaders. Every write carries the resourceVersion that was read (optimistic concurrency).
 */
import type { KubeClient } from "../client/client.ts";
import { isAlreadyExists, isConflict, isNotFound } from "../api/errors.ts";
import { CoordinationV1 } from "../api/resources.ts";
import type { Lease, LeaseSpec } from "../api/builtin_types.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { gauge } from "../../observability/metrics.ts";

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

/** Thrown by `runLeaderElection` when this process lost the lease while leading. */
export class LeaderElectionLostError extends Error {
  constructor(readonly lease: string, readonly identity: string) {
    super(`leader election lost: lease ${lease} could not be renewed by ${identity}`);
    this.name = "LeaderElectionLostError";
  }
}

const JITTER = 1.2;

const leaderStatus = gauge({
  name: "leader_election_master_status",
  help: "1 while this process holds the named lease, 0 otherwise.",
  labelNames: ["name"],
});

/** RFC 3339 with microseconds, the MicroTime format of Lease times. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

function defaultIdentity(): string {
  let host = "unknown";
  try {
    host = Deno.hostname();
  } catch {
    // without sys permission the random part alone keeps identities unique
  }
  return `${host}_${crypto.randomUUID()}`;
}

/** One candidate for one lease. */
export class LeaderElector {
  readonly identity: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  /** The lease as last seen, and when (our clock) it last changed. */
  private observed?: { resourceVersion?: string; spec: LeaseSpec; at: number };
  private leading = false;

  constructor(readonly options: LeaderElectionOptions) {
    this.identity = options.identity ?? defaultIdentity();
    this.clock = options.clock ?? realClock;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.log = (options.log ?? getLogger("leader-election")).with({
      lease: `${options.namespace}/${options.name}`,
      identity: this.identity,
    });
    if (!options.namespace || !options.name) throw new Error("leader election: namespace and name are required");
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new Error("leader election: leaseDurationMs must be greater than renewDeadlineMs");
    }
    if (this.renewDeadlineMs <= JITTER * this.retryPeriodMs) {
      throw new Error(`leader election: renewDeadlineMs must be greater than ${JITTER} × retryPeriodMs`);
    }
  }

  /** True while this candidate holds the lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /** Acquires, leads, and releases; see `runLeaderElection`. */
  async run(signal: AbortSignal, lead: (leaderSignal: AbortSignal) => Promise<void>): Promise<void> {
    if (!(await this.acquire(signal))) return;
    this.leading = true;
    leaderStatus.set({ name: this.options.name }, 1);
    this.log.info("Acquired the lease; leading");
    const leader = new AbortController();
    const onAbort = () => leader.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let lost = false;
    const renewing = this.renewUntilLost(leader.signal).then((wasLost) => {
      if (!wasLost) return;
      lost = true;
      this.log.error("Lost the lease: renewal failed past the deadline; stopping work");
      leader.abort(new LeaderElectionLostError(this.options.name, this.identity));
    });
    let leadError: unknown;
    try {
      await lead(leader.signal);
    } catch (e) {
      leadError = e;
    }
    leader.abort();
    await renewing;
    signal.removeEventListener("abort", onAbort);
    this.leading = false;
    leaderStatus.set({ name: this.options.name }, 0);
    if (lost) throw new LeaderElectionLostError(this.options.name, this.identity);
    // A failed `lead` may still have work running: let the lease expire instead of inviting a successor now.
    if (leadError !== undefined) throw leadError;
    if (this.options.releaseOnCancel !== false) await this.release();
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.log.info("Trying to acquire the lease");
    while (!signal.aborted) {
      try {
        if (await this.tryAcquireOrRenew(signal)) return true;
      } catch (e) {
        if (signal.aborted) break;
        this.log.warn("Could not read or write the lease", { error: e });
      }
      await this.clock.sleep(this.retryPeriodMs * (1 + Math.random() * (JITTER - 1)), signal).catch(() => {});
    }
    return false;
  }

  /** Renews every retry period; resolves true when renewal failed for renewDeadline (leadership lost). */
  private async renewUntilLost(leaderSignal: AbortSignal): Promise<boolean> {
    let lastRenew = this.clock.now();
    while (!leaderSignal.aborted) {
      try {
        await this.clock.sleep(this.retryPeriodMs, leaderSignal);
      } catch {
        return false;
      }
      // Bound the attempt so that a hanging API server cannot keep us "leading" past the deadline.
      const attempt = new AbortController();
      const left = Math.max(0, lastRenew + this.renewDeadlineMs - this.clock.now());
      const timer = this.clock.setTimeout(() => attempt.abort(new Error("renew deadline reached")), left);
      const stop = () => attempt.abort(leaderSignal.reason);
      leaderSignal.addEventListener("abort", stop, { once: true });
      try {
        if (await this.tryAcquireOrRenew(attempt.signal)) {
          lastRenew = this.clock.now();
          continue;
        }
        this.log.warn("Lease is held by another candidate; cannot renew");
      } catch (e) {
        if (leaderSignal.aborted) return false;
        this.log.warn("Failed to renew the lease", { error: e });
      } finally {
        this.clock.clearTimeout(timer);
        leaderSignal.removeEventListener("abort", stop);
      }
      if (this.clock.now() - lastRenew >= this.renewDeadlineMs) return true;
    }
    return false;
  }

  private leaseDurationSeconds(): number {
    return Math.max(1, Math.round(this.leaseDurationMs / 1000));
  }

  /** One acquire-or-renew attempt: true if we hold the lease afterwards. */
  async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const { client, namespace, name } = this.options;
    const now = this.clock.now();
    let lease: Lease;
    try {
      lease = await client.get<Lease>(CoordinationV1.leases, name, { namespace, signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const spec: LeaseSpec = {
        holderIdentity: this.identity,
        leaseDurationSeconds: this.leaseDurationSeconds(),
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      };
      try {
        const created = await client.create<Lease>(CoordinationV1.leases, {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name, namespace },
          spec,
        }, { signal });
        this.observe(created, now);
        return true;
      } catch (err) {
        if (isAlreadyExists(err)) return false; // another candidate was faster
        throw err;
      }
    }
    this.observe(lease, now);
    const old = lease.spec ?? {};
    const mine = old.holderIdentity === this.identity;
    const durationMs = (old.leaseDurationSeconds ?? this.leaseDurationSeconds()) * 1000;
    if (old.holderIdentity && !mine && this.observed!.at + durationMs > now) return false;
    const spec: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseDurationSeconds(),
      acquireTime: mine && old.acquireTime ? old.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: mine ? old.leaseTransitions ?? 0 : (old.leaseTransitions ?? 0) + 1,
    };
    try {
      const updated = await client.update<Lease>(CoordinationV1.leases, { ...lease, spec }, { signal });
      this.observe(updated, now);
      if (!mine) this.log.info("Took over the lease", { previousHolder: old.holderIdentity ?? "" });
      return true;
    } catch (e) {
      if (isConflict(e)) return false; // someone else wrote it first; look again next round
      throw e;
    }
  }

  private observe(lease: Lease, now: number): void {
    const rv = lease.metadata.resourceVersion;
    if (!this.observed || this.observed.resourceVersion !== rv) {
      this.observed = { resourceVersion: rv, spec: lease.spec ?? {}, at: now };
    }
  }

  /** Clears holderIdentity so that a successor takes over at once (only if we still hold the lease). */
  async release(): Promise<void> {
    const { client, namespace, name } = this.options;
    const attempt = new AbortController();
    const timer = this.clock.setTimeout(() => attempt.abort(new Error("release timed out")), this.renewDeadlineMs);
    try {
      const lease = await client.get<Lease>(CoordinationV1.leases, name, { namespace, signal: attempt.signal });
      if (lease.spec?.holderIdentity !== this.identity) return;
      const now = this.clock.now();
      const spec: LeaseSpec = {
        leaseDurationSeconds: 1,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: lease.spec.leaseTransitions ?? 0,
      };
      await client.update<Lease>(CoordinationV1.leases, { ...lease, spec }, { signal: attempt.signal });
      this.log.info("Released the lease");
    } catch (e) {
      this.log.warn("Could not release the lease; it expires on its own", { error: e });
    } finally {
      this.clock.clearTimeout(timer);
    }
  }
}

/**
 * Runs `lead` while holding the lease. `lead` gets a signal that aborts when leadership is lost or `signal` aborts.
 * Resolves after `lead` returned and the lease was released. Rejects if leadership was lost (callers usually exit).
 */
export function runLeaderElection(
  opts: LeaderElectionOptions,
  signal: AbortSignal,
  lead: (leaderSignal: AbortSignal) => Promise<void>,
): Promise<void> {
  let elector: LeaderElector;
  try {
    elector = new LeaderElector(opts);
  } catch (e) {
    return Promise.reject(e);
  }
  return elector.run(signal, lead);
}
