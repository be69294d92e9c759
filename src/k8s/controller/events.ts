/**
 * Records core/v1 Events about objects. Repeats of the same (object, type, reason, message) are aggregated into one
 * Event whose count and lastTimestamp grow, and similar events (same object, type and reason, other messages, e.g.
 * errors that quote a request id) are combined after ten distinct messages in ten minutes into one Event
 * "(combined from similar events): <latest message>", as client-go's event correlator does. Messages pass through `redact()`. Recording never
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
/** Distinct messages of one (object, type, reason) that get Events of their own within `SIMILAR_WINDOW_MS`. */
const SIMILAR_MAX = 10;
const SIMILAR_WINDOW_MS = 10 * 60_000;
/** The prefix of a combined Event's message (client-go's wording, which tools recognise). */
export const COMBINED_PREFIX = "(combined from similar events): ";
/** Queued writes beyond this are dropped (the API server is down; events are best effort). */
const MAX_PENDING = 1000;

const eventsTotal = counter({
  name: "events_recorded_total",
  help: "Kubernetes Events by outcome (created, aggregated, failed, dropped).",
  labelNames: ["component", "outcome"],
});

/** The distinct messages of one (object, type, reason) in the current window. */
interface Similar {
  since: number;
  messages: Set<string>;
}

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
  private readonly similar = new Map<string, Similar>();
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
      let safeMessage = truncateMessage(redact(message));
      const m = obj.metadata;
      const involvedObject = {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
      };
      const similarKey = [m.uid ?? `${obj.kind}/${m.namespace}/${m.name}`, type, reason].join("\u0000");
      const combined = this.isCombined(similarKey, safeMessage, at);
      if (combined) safeMessage = truncateMessage(COMBINED_PREFIX + safeMessage);
      const key = combined ? `${similarKey}\u0000combined` : `${similarKey}\u0000${safeMessage}`;
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
          // The message too: a combined Event shows the latest of the messages it stands for.
          { count: existing.count + 1, lastTimestamp: timeString(at), message },
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

  /** True once a (object, type, reason) had more than `SIMILAR_MAX` distinct messages in its window. */
  private isCombined(similarKey: string, message: string, at: number): boolean {
    let s = this.similar.get(similarKey);
    if (!s || at - s.since > SIMILAR_WINDOW_MS) {
      s = { since: at, messages: new Set() };
      keepRecent(this.similar, similarKey, s);
    }
    if (s.messages.has(message)) return false;
    if (s.messages.size >= SIMILAR_MAX) return true;
    s.messages.add(message);
    return false;
  }

  private touch(key: string, value: Aggregate): void {
    keepRecent(this.cache, key, value);
  }
}

/** Sets `key` as the most recent entry of an LRU map of at most `CACHE_SIZE` entries (client-go's cache size). */
function keepRecent<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > CACHE_SIZE) map.delete(map.keys().next().value!);
}
