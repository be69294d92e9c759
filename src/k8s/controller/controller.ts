/**
 * Controllers as in controller-runtime: a work queue with key de-duplication, at most one reconcile per key at a
 * time, per-item exponential backoff plus an overall rate limit, requeueAfter, configurable concurrency, predicates,
 * watches that map other objects to keys, and recovery from exceptions in a reconcile.
 */
import { type KubeObject, objectKey, type ObjectRef, parseObjectKey } from "../api/objects.ts";
import type { Informer } from "../cache/informer.ts";
import { passes, type Predicate } from "./predicates.ts";
import { ApiError } from "../api/errors.ts";
import { defaultControllerRateLimiter } from "./rate_limiter.ts";
import { WorkQueue } from "./workqueue.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { counter, gauge, histogram } from "../../observability/metrics.ts";

/** What to reconcile. */
export type Request = ObjectRef;

/** What the reconciler wants next; throwing means "retry with backoff". */
export interface Result {
  /** Reconcile again after this delay (resets the key's backoff). */
  requeueAfterMs?: number;
  /** Reconcile again with rate-limited backoff. */
  requeue?: boolean;
}

export interface ReconcileContext {
  /** Aborted on shutdown; long waits should honour it. */
  signal: AbortSignal;
  log: Logger;
}

export interface Reconciler {
  reconcile(req: Request, ctx: ReconcileContext): Promise<Result | void>;
}

/** A Reconciler from a function (controller-runtime's `reconcile.Func`). */
export function reconcileFunc(fn: (req: Request, ctx: ReconcileContext) => Promise<Result | void>): Reconciler {
  return { reconcile: fn };
}

export interface RateLimiterOptions {
  /** Per-item exponential backoff: base and cap (controller-runtime: 5 ms and 1000 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Overall token bucket (controller-runtime: 10 qps, burst 100). */
  qps?: number;
  burst?: number;
}

export interface ControllerOptions {
  name: string;
  reconciler: Reconciler;
  /** Parallel reconciles (different keys); default 1. */
  concurrency?: number;
  rateLimiter?: RateLimiterOptions;
  /** Give up on a key after this many consecutive failures (undefined: never; MCM uses 15). */
  maxRetries?: number;
  log?: Logger;
  clock?: Clock;
}

export interface WatchOptions<T extends KubeObject> {
  predicates?: Predicate<T>[];
  /** Maps an event's object to the requests it affects (default: the object's own key). */
  map?: (obj: T) => Request[];
}

const reconcileTotal = counter({
  name: "controller_runtime_reconcile_total",
  help: "Total number of reconciliations per controller and result (success, error, requeue, requeue_after).",
  labelNames: ["controller", "result"],
});
const reconcileErrors = counter({
  name: "controller_runtime_reconcile_errors_total",
  help: "Total number of reconciliation errors per controller.",
  labelNames: ["controller"],
});
const reconcileTime = histogram({
  name: "controller_runtime_reconcile_time_seconds",
  help: "Length of time per reconciliation per controller.",
  labelNames: ["controller"],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
});
const activeWorkers = gauge({
  name: "controller_runtime_active_workers",
  help: "Number of currently used workers per controller.",
  labelNames: ["controller"],
});

/** A controller: a work queue fed by informer events, drained by `concurrency` workers. */
export class Controller {
  private readonly queue: WorkQueue;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly watched: Informer<KubeObject>[] = [];
  private readonly unregister: Array<() => void> = [];
  private started = false;

  constructor(readonly options: ControllerOptions) {
    if (!options.name) throw new Error("controller: name is required");
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(`controller ${options.name}: concurrency must be a positive integer, got ${concurrency}`);
    }
    this.clock = options.clock ?? realClock;
    this.log = (options.log ?? getLogger("controller")).with({ controller: options.name });
    this.queue = new WorkQueue({
      name: options.name,
      clock: this.clock,
      rateLimiter: defaultControllerRateLimiter(options.rateLimiter ?? {}, this.clock),
    });
  }

  /** Feeds events of an informer into the queue. */
  watch<T extends KubeObject>(informer: Informer<T>, opts: WatchOptions<T> = {}): this {
    const predicates = opts.predicates ?? [];
    const map = opts.map;
    const enqueueFor = (obj: T) => {
      if (!map) {
        this.enqueue({ namespace: obj.metadata.namespace, name: obj.metadata.name ?? "" });
        return;
      }
      let reqs: Request[];
      try {
        reqs = map(obj);
      } catch (e) {
        this.log.error("Watch map function threw; event dropped", { object: objectKey(obj), error: e });
        return;
      }
      for (const r of reqs) this.enqueue(r);
    };
    this.unregister.push(informer.addEventHandler({
      onAdd: (obj) => passes(predicates, { type: "create", obj }) && enqueueFor(obj),
      onUpdate: (oldObj, obj) => {
        if (!passes(predicates, { type: "update", oldObj, obj })) return;
        enqueueFor(obj);
        // A mapped object may have moved from one owner to another: both need a look.
        if (map) enqueueFor(oldObj);
      },
      onDelete: (obj) => passes(predicates, { type: "delete", obj }) && enqueueFor(obj),
    }));
    this.watched.push(informer as unknown as Informer<KubeObject>);
    return this;
  }

  /** Adds a request now (de-duplicated). */
  enqueue(req: Request): void {
    if (!req.name) return;
    this.queue.add(objectKey(req));
  }

  /** Adds a request after a delay. */
  enqueueAfter(req: Request, delayMs: number): void {
    if (!req.name) return;
    this.queue.addAfter(objectKey(req), delayMs);
  }

  /** Runs workers until the signal aborts, then waits for in-flight reconciles to finish. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`controller ${this.options.name} was already started`);
    this.started = true;
    const stop = () => this.queue.shutDown();
    signal.addEventListener("abort", stop, { once: true });
    try {
      // Reconciling against a half-filled cache would act on missing objects.
      await Promise.all(this.watched.map((i) => i.waitForSync(signal)));
    } catch {
      if (signal.aborted) {
        this.finish(stop, signal);
        return;
      }
    }
    const concurrency = this.options.concurrency ?? 1;
    this.log.info("Starting workers", { workers: concurrency });
    await Promise.all(Array.from({ length: concurrency }, () => this.worker(signal)));
    this.finish(stop, signal);
    this.log.info("All workers finished");
  }

  /** Number of keys waiting or in flight (for tests and metrics). */
  queueLength(): number {
    return this.queue.pending();
  }

  /** Keys waiting for a delayed or rate-limited retry. */
  delayedLength(): number {
    return this.queue.delayedLen();
  }

  private finish(stop: () => void, signal: AbortSignal): void {
    signal.removeEventListener("abort", stop);
    this.queue.shutDown();
    for (const u of this.unregister.splice(0)) u();
  }

  private async worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      activeWorkers.inc({ controller: this.options.name });
      try {
        await this.process(key, signal);
      } finally {
        activeWorkers.dec({ controller: this.options.name });
        this.queue.done(key);
      }
    }
  }

  private async process(key: string, signal: AbortSignal): Promise<void> {
    const name = this.options.name;
    const req = parseObjectKey(key);
    const log = this.log.with({ object: key });
    const started = this.clock.now();
    let result: "success" | "error" | "requeue" | "requeue_after";
    try {
      // Wrapped so that a reconciler that throws synchronously is handled like a rejected promise.
      const res = await (async () => await this.options.reconciler.reconcile(req, { signal, log }))();
      if (res?.requeueAfterMs !== undefined && res.requeueAfterMs > 0) {
        this.queue.forget(key);
        this.queue.addAfter(key, res.requeueAfterMs);
        result = "requeue_after";
      } else if (res?.requeue) {
        this.queue.addRateLimited(key);
        result = "requeue";
      } else {
        this.queue.forget(key);
        result = "success";
      }
    } catch (e) {
      result = "error";
      reconcileErrors.inc({ controller: name });
      const retries = this.queue.numRequeues(key);
      const max = this.options.maxRetries;
      if (signal.aborted) {
        log.info("Reconcile ended during shutdown", { error: e });
      } else if (max !== undefined && retries >= max) {
        this.queue.forget(key);
        log.error("Reconcile failed too often; dropping the key until its next change", { error: e, retries });
      } else {
        // The server's Retry-After is a floor for the backoff (429s from API priority and fairness).
        const floorMs = e instanceof ApiError && e.retryAfterSeconds ? e.retryAfterSeconds * 1000 : 0;
        const delayMs = this.queue.addRateLimited(key, floorMs);
        log.error("Reconcile failed; will retry", { error: e, retries: retries + 1, retryInMs: Math.round(delayMs) });
      }
    }
    reconcileTotal.inc({ controller: name, result });
    reconcileTime.observe({ controller: name }, Math.max(0, this.clock.now() - started) / 1000);
  }
}
