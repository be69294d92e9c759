/**
 * Runs a component like controller-runtime's Manager — informers, controllers and other runnables, gated by leader
 * election, with the probe server (ready once caches are synced) and graceful shutdown that lets in-flight
 * reconciles finish within a deadline.
 *
 * Shutdown order: stop runnables (they finish in-flight work) → release the lease → stop informers → stop the probe
 * server. If the runnables do not finish within the deadline the lease is *not* released, so that no successor can
 * start while our work may still be running; it expires on its own.
 */
import { KubeClient } from "../client/client.ts";
import { InformerFactory } from "../cache/informer.ts";
import { LeaderElectionLostError, type LeaderElectionOptions, runLeaderElection } from "./leader_election.ts";
import { Checks, type ProbeServer, startProbeServer } from "../../observability/probes.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";

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

/** Why `start` returned. */
/** Leader election of a manager, as far as a component configures it. */
export type ManagerLeaderElection = NonNullable<ManagerOptions["leaderElection"]>;

/**
 * The lease a component's `--leader-election*` flags ask for (undefined when off): its namespace defaults to the
 * kubeconfig's; on without either is an error naming the flag.
 */
export function leaderElectionOf(
  flags: { id: string; namespace?: string } | undefined,
  defaultNamespace: string | undefined,
  identity?: string,
): ManagerLeaderElection | undefined {
  if (!flags) return undefined;
  const namespace = flags.namespace || defaultNamespace;
  if (!namespace) {
    throw new Error("--leader-election-namespace: required with --leader-election (or set LEADER_ELECTION_NAMESPACE)");
  }
  return { namespace, name: flags.id, identity };
}

/** `namespace/name` of a lease for the start-up log; false without leader election. */
export function leaseText(le: ManagerLeaderElection | undefined): string | false {
  return le ? `${le.namespace}/${le.name}` : false;
}

export type StopReason = "signal" | "leadership-lost" | "runnable-failed";

class GracefulShutdownTimeout extends Error {
  constructor(ms: number) {
    super(`in-flight work did not finish within the graceful shutdown period of ${ms} ms`);
    this.name = "GracefulShutdownTimeout";
  }
}

/** Resolves true if `work` settles within `ms` on the clock. */
async function settlesWithin(work: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
  let timer: ReturnType<Clock["setTimeout"]> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = clock.setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const, () => true as const), timeout]);
  } finally {
    if (timer) clock.clearTimeout(timer);
  }
}

function abortedPromise(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** Owns the informers, runnables, leader election and probe server of one component. */
export class Manager {
  private readonly factory: InformerFactory;
  private readonly healthChecks = new Checks();
  private readonly readinessChecks = new Checks();
  private readonly leaderRunnables: Runnable[] = [];
  private readonly otherRunnables: Runnable[] = [];
  private readonly log: Logger;
  private readonly clock: Clock;
  private started = false;
  /** Signals of the running phases, for runnables added after start. */
  private runSignal?: AbortSignal;
  private leaderSignal?: AbortSignal;
  private readonly running: Promise<void>[] = [];
  private readonly leaderRunning: Promise<void>[] = [];
  private failure?: unknown;
  private stopRun?: () => void;
  private reason?: StopReason;
  private probe?: ProbeServer;

  constructor(readonly options: ManagerOptions) {
    this.log = options.log ?? getLogger("manager");
    this.clock = options.clock ?? realClock;
    this.factory = new InformerFactory(options.client, { log: this.log.child("informer"), clock: this.clock });
    this.healthChecks.add("ping", () => true);
    this.readinessChecks.add("informers-synced", () => this.factory.hasSynced() || "informer caches are not synced");
  }

  /** Shared informers of the primary client. */
  get informers(): InformerFactory {
    return this.factory;
  }
  /** Health checks served at /healthz. */
  get health(): Checks {
    return this.healthChecks;
  }
  /** Readiness checks served at /readyz (cache sync is added automatically). */
  get readiness(): Checks {
    return this.readinessChecks;
  }
  /** Why the last `start` returned (undefined while running). */
  get stopReason(): StopReason | undefined {
    return this.reason;
  }
  /** True after `start` returned because the lease could not be renewed (the process should exit non-zero). */
  get lostLeadership(): boolean {
    return this.reason === "leadership-lost";
  }
  /** The bound probe server URLs while running. */
  get probeUrls(): string[] {
    return this.probe?.urls ?? [];
  }

  /** Adds a runnable; by default it only runs while this process is the leader. */
  add(runnable: Runnable, opts: { needLeaderElection?: boolean } = {}): void {
    const needsLeader = (opts.needLeaderElection ?? true) && !!this.options.leaderElection;
    if (needsLeader) {
      this.leaderRunnables.push(runnable);
      if (this.leaderSignal && !this.leaderSignal.aborted) {
        this.leaderRunning.push(this.launch(runnable, this.leaderSignal));
      }
    } else {
      this.otherRunnables.push(runnable);
      if (this.runSignal && !this.runSignal.aborted) this.running.push(this.launch(runnable, this.runSignal));
    }
  }

  /** Starts everything and resolves after a graceful stop (signal aborted or leadership lost). */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error("manager was already started");
    this.started = true;
    const grace = this.options.gracefulShutdownMs ?? 30_000;
    if (this.options.probeAddresses?.length) {
      this.probe = await startProbeServer({
        addresses: this.options.probeAddresses,
        health: this.healthChecks,
        readiness: this.readinessChecks,
        log: this.log,
      });
    }
    const informers = new AbortController();
    this.factory.start(informers.signal);
    const run = new AbortController();
    this.stopRun = () => run.abort();
    const onSignal = () => {
      this.reason ??= "signal";
      run.abort(signal.reason);
    };
    signal.addEventListener("abort", onSignal, { once: true });
    if (signal.aborted) onSignal();
    this.runSignal = run.signal;

    for (const r of this.otherRunnables) this.running.push(this.launch(r, run.signal));
    const leaderDone = this.options.leaderElection ? this.runAsLeader(run.signal, grace) : Promise.resolve();

    await abortedPromise(run.signal);
    this.log.info("Shutting down", { reason: this.reason, gracefulShutdownMs: grace });
    const all = Promise.all([leaderDone, ...this.running]);
    if (!(await settlesWithin(all, grace, this.clock))) {
      this.log.error("Graceful shutdown period over; in-flight work is abandoned", { gracefulShutdownMs: grace });
    }
    informers.abort();
    await settlesWithin(this.factory.stopped(), 5_000, this.clock);
    signal.removeEventListener("abort", onSignal);
    await this.probe?.shutdown();
    this.probe = undefined;
    this.log.info("Stopped", { reason: this.reason });
    if (this.reason === "runnable-failed") throw this.failure;
  }

  private runAsLeader(runSignal: AbortSignal, grace: number): Promise<void> {
    const le = this.options.leaderElection!;
    // Its own client, as controller-runtime's resource lock has: lease renewals never wait behind the controllers'
    // requests in the client-side rate limiter or connection pool (a burst of work must not cost the lease).
    const main = this.options.client;
    const leaseClient = new KubeClient(main.connection, { ...main.options, qps: undefined, burst: undefined });
    return runLeaderElection(
      { ...le, client: leaseClient, clock: this.clock, log: this.log.child("leader-election") },
      runSignal,
      async (leaderSignal) => {
        this.leaderSignal = leaderSignal;
        for (const r of this.leaderRunnables) this.leaderRunning.push(this.launch(r, leaderSignal));
        await abortedPromise(leaderSignal);
        // Releasing the lease while our reconciles still run would let a successor work concurrently.
        if (!(await settlesWithin(Promise.all(this.leaderRunning), grace, this.clock))) {
          throw new GracefulShutdownTimeout(grace);
        }
      },
    ).catch((e) => {
      if (e instanceof LeaderElectionLostError) {
        this.reason ??= "leadership-lost";
        this.log.error("Leadership lost; stopping", { error: e });
      } else if (e instanceof GracefulShutdownTimeout) {
        this.log.error("Not releasing the lease: work may still be running", { error: e });
      } else {
        this.reason ??= "runnable-failed";
        this.failure ??= e;
        this.log.error("Leader election failed", { error: e });
      }
      this.stopRun?.();
    }).finally(() => leaseClient.close());
  }

  private launch(r: Runnable, signal: AbortSignal): Promise<void> {
    return (async () => await r.start(signal))().catch((e) => {
      // A runnable that fails is a bug or a fatal condition: stop the whole component, as controller-runtime does.
      this.log.error("Runnable failed; stopping the manager", { error: e });
      this.reason ??= "runnable-failed";
      this.failure ??= e;
      this.stopRun?.();
    });
  }
}
