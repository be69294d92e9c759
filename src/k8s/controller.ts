/**
 * CONTRACT STUB (implemented by the k8s-runtime work): controllers as in controller-runtime. A work queue with key
 * de-duplication, at most one reconcile per key at a time, per-item exponential backoff plus an overall rate limit,
 * requeueAfter, configurable concurrency, predicates, watches that map other objects to keys, and recovery from
 * exceptions in a reconcile.
 */
import type { KubeObject, ObjectRef } from "./objects.ts";
import type { Informer } from "./informer.ts";
import type { Predicate } from "./predicates.ts";
import type { Clock } from "../runtime/clock.ts";
import type { Logger } from "../observability/log.ts";

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

/** A controller: a work queue fed by informer events, drained by `concurrency` workers. */
export class Controller {
  constructor(readonly options: ControllerOptions) {}

  /** Feeds events of an informer into the queue. */
  watch<T extends KubeObject>(_informer: Informer<T>, _opts?: WatchOptions<T>): this {
    throw new Error("not implemented yet: src/k8s/controller.ts");
  }
  /** Adds a request now (de-duplicated). */
  enqueue(_req: Request): void {
    throw new Error("not implemented yet");
  }
  /** Adds a request after a delay. */
  enqueueAfter(_req: Request, _delayMs: number): void {
    throw new Error("not implemented yet");
  }
  /** Runs workers until the signal aborts, then waits for in-flight reconciles to finish. */
  start(_signal: AbortSignal): Promise<void> {
    throw new Error("not implemented yet");
  }
  /** Number of keys waiting or in flight (for tests and metrics). */
  queueLength(): number {
    throw new Error("not implemented yet");
  }
}
