/**
 * CONTRACT STUB (implemented by the k8s-runtime work): records core/v1 Events about objects. Repeats of the same
 * (object, type, reason, message) are aggregated into one Event whose count and lastTimestamp grow, as client-go
 * does. Messages pass through `redact()`. Recording never throws and never blocks the caller.
 */
import type { KubeClient } from "./client.ts";
import type { KubeObject } from "./objects.ts";
import type { Clock } from "../runtime/clock.ts";
import type { Logger } from "../observability/log.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  /** `source.component`, e.g. `machine-controller`. */
  component: string;
  host?: string;
  clock?: Clock;
  log?: Logger;
}

export class EventRecorder {
  constructor(readonly client: KubeClient, readonly options: EventRecorderOptions) {}

  /** Records an event about `obj` (fire and forget). */
  event(_obj: KubeObject, _type: EventType, _reason: string, _message: string): void {
    throw new Error("not implemented yet: src/k8s/events.ts");
  }
  /** Resolves when every pending write has been sent (tests, shutdown). */
  flush(): Promise<void> {
    throw new Error("not implemented yet");
  }
}
