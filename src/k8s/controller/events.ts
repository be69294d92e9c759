/**
 * Records core/v1 Events about objects. Repeats of the same (object, type, reason, message) are aggregated into one
 * Event whose count and lastTimestamp grow, as client-go does. Messages pass through `redact()`. Recording never
 * throws and never blocks the caller: writes are queued and sent one after another in the background.
 */
import type { KubeClient } from "../client/client.ts";
import { isAlreadyExists, isNotFound } from "../api/errors.ts";
import type { KubeObject } from "../api/objects.ts";
import { CoreV1 } from "../api/resources.ts";
import type { Event } from "../api/builtin_types.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { counter } from "../../observability/metrics.ts";
import { redact } from "../../observability/redact.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  /** `source.component`, e.g. `machine-controller`. */
  component: string;
  host?: string;
  clock?: Clock;
  log?: Logger;
}

/** The API server rejects longer messages (validation limit of Event.message). */
export const MAX_MESSAGE_LENGTH = 1024;
/** Aggregation entries kept (client-go's LRU size). */
const CACHE_SIZE = 4096;
/** Queued writes beyond this are dropped (the API server is down; events are best effort). */
const MAX_PENDING = 1000;

const eventsTotal = counter({
  name: "events_recorded_total",
  help: "Kubernetes Events by outcome (created, aggregated, failed, dropped).",
  labelNames: ["component", "outcome"],
});

interface Aggregate {
  namespace: string;
  name: string;
  count: number;
}

/** Event timestamps have second precision (meta/v1 Time). */
function timeString(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** Truncates a message to the API limit, marking the cut. */
export function truncateMessage(message: string): string {
  return message.length <= MAX_MESSAGE_LENGTH ? message : message.slice(0, MAX_MESSAGE_LENGTH - 3) + "...";
}

/** Writes core/v1 Events for one component, aggregating repeats. */
export class EventRecorder {
  private readonly cache = new Map<string, Aggregate>();
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private seq = 0;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(readonly client: KubeClient, readonly options: EventRecorderOptions) {
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? getLogger("events").with({ component: options.component });
  }

  /** Records an event about `obj` (fire and forget). */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    try {
      if (this.pending >= MAX_PENDING) {
        eventsTotal.inc({ component: this.options.component, outcome: "dropped" });
        return;
      }
      const at = this.clock.now();
      const safeMessage = truncateMessage(redact(message));
      const m = obj.metadata;
      const involvedObject = {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
      };
      const key = [m.uid ?? `${obj.kind}/${m.namespace}/${m.name}`, type, reason, safeMessage].join("\u0000");
      this.pending++;
      this.chain = this.chain
        .then(() => this.write(key, involvedObject, type, reason, safeMessage, at))
        .catch((e) => {
          eventsTotal.inc({ component: this.options.component, outcome: "failed" });
          this.log.warn("Could not record event", { reason, object: `${m.namespace ?? ""}/${m.name}`, error: e });
        })
        .finally(() => this.pending--);
    } catch (e) {
      this.log.warn("Could not record event", { reason, error: e });
    }
  }

  /** Resolves when every pending write has been sent (tests, shutdown). */
  async flush(): Promise<void> {
    for (;;) {
      const current = this.chain;
      await current;
      if (current === this.chain) return;
    }
  }

  private async write(
    key: string,
    involvedObject: Event["involvedObject"],
    type: EventType,
    reason: string,
    message: string,
    at: number,
  ): Promise<void> {
    const existing = this.cache.get(key);
    if (existing) {
      try {
        await this.client.patch(
          CoreV1.events,
          existing.name,
          {
            count: existing.count + 1,
            lastTimestamp: timeString(at),
          },
          "merge",
          { namespace: existing.namespace },
        );
        existing.count++;
        this.touch(key, existing);
        eventsTotal.inc({ component: this.options.component, outcome: "aggregated" });
        return;
      } catch (e) {
        // The Event expired (events have a TTL on the server): start a new one.
        if (!isNotFound(e)) throw e;
        this.cache.delete(key);
      }
    }
    const namespace = involvedObject.namespace || "default";
    for (let attempt = 0;; attempt++) {
      const name = `${involvedObject.name ?? "event"}.${this.suffix(at)}`;
      const ev: Event = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace },
        involvedObject,
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: timeString(at),
        lastTimestamp: timeString(at),
        source: { component: this.options.component, host: this.options.host },
        reportingComponent: this.options.component,
        reportingInstance: this.options.host ?? this.options.component,
      };
      try {
        await this.client.create(CoreV1.events, ev);
        this.touch(key, { namespace, name, count: 1 });
        eventsTotal.inc({ component: this.options.component, outcome: "created" });
        return;
      } catch (e) {
        if (!isAlreadyExists(e) || attempt >= 2) throw e;
      }
    }
  }

  /** 16 hex digits from the time in nanoseconds, like client-go, plus a sequence to keep names unique. */
  private suffix(at: number): string {
    const nanos = BigInt(Math.floor(at)) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    return nanos.toString(16).padStart(16, "0").slice(-16);
  }

  private touch(key: string, value: Aggregate): void {
    this.cache.delete(key);
    this.cache.set(key, value);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
  }
}
