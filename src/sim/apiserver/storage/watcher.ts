/**
 * One open watch: filters change events, queues their shared encoded lines and hands them to the HTTP response
 * stream as the client reads. Writers never wait for a watcher: one whose queue exceeds its limit is closed, as
 * kube-apiserver terminates watchers that fall behind; the client resumes from the last resourceVersion it saw.
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";
import type { Clock, Timer } from "../../../runtime/clock.ts";
import type { ChangeEvent } from "./change_event.ts";

const encoder = new TextEncoder();
/** Bytes handed to the response stream per read, so many small events travel in few writes. */
const MAX_CHUNK_BYTES = 256 * 1024;

/** What a watch selects and how it behaves. */
export interface WatcherOptions {
  /** apiVersion the watch was opened under (custom resources may be served in several versions). */
  apiVersion: string;
  kind: string;
  matches: (obj: KubeObject) => boolean;
  /** Queued lines above which the watcher is dropped. */
  queueLimit: number;
  bookmarkIntervalMs?: number;
  timeoutMs?: number;
  clock: Clock;
  /** Current global resourceVersion, for bookmarks. */
  currentRv: () => number;
  onClose: (w: Watcher) => void;
}

/** An open watch stream. */
export class Watcher {
  readonly stream: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private wake?: () => void;
  private closed = false;
  private timers: Timer[] = [];
  /** Extra queue allowance for the initial burst (replayed history or synthetic ADDED events). */
  private initialAllowance = 0;
  /** Why the watcher was closed (for tests and logs). */
  closeReason?: "timeout" | "dropped" | "slow" | "client" | "error" | "stopped";

  constructor(private readonly opts: WatcherOptions) {
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      pull: () => {
        if (this.flush()) return;
        if (this.closed) return;
        return new Promise<void>((resolve) => (this.wake = resolve));
      },
      cancel: () => this.finish("client", false),
    }, { highWaterMark: 1 });
    if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) {
      this.timers.push(opts.clock.setTimeout(() => this.close("timeout"), opts.timeoutMs));
    }
    if (opts.bookmarkIntervalMs !== undefined && opts.bookmarkIntervalMs > 0) this.scheduleBookmark();
  }

  /** True once the stream was closed for any reason. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Queues the initial events (history replay or synthetic ADDED) without counting them against the limit. */
  sendInitial(lines: Uint8Array[]): void {
    this.initialAllowance = lines.length;
    for (const l of lines) this.enqueue(l);
  }

  /** Offers a committed change; queues the right line if the watch selects the object. */
  offer(e: ChangeEvent): void {
    if (this.closed) return;
    const type = this.typeFor(e);
    if (!type) return;
    if (this.pending.length >= this.opts.queueLimit + this.initialAllowance) {
      // Slow consumer: like kube-apiserver, stop this watch instead of blocking the writer.
      this.close("slow", true);
      return;
    }
    this.enqueue(e.line(type, this.opts.apiVersion));
  }

  /** The event type this watcher sees for a change, after selector transitions. */
  typeFor(e: ChangeEvent): "ADDED" | "MODIFIED" | "DELETED" | undefined {
    const now = this.opts.matches(e.object);
    if (e.type === "ADDED") return now ? "ADDED" : undefined;
    if (e.type === "DELETED") {
      return now || (e.previous !== undefined && this.opts.matches(e.previous)) ? "DELETED" : undefined;
    }
    const before = e.previous !== undefined && this.opts.matches(e.previous);
    if (now && before) return "MODIFIED";
    if (now) return "ADDED";
    if (before) return "DELETED";
    return undefined;
  }

  /** Sends a raw line (BOOKMARK, ERROR). */
  sendLine(obj: unknown): void {
    if (this.closed) return;
    this.enqueue(encoder.encode(JSON.stringify(obj) + "\n"));
  }

  /** Sends a BOOKMARK at the current resourceVersion (with the initial-events-end annotation if asked). */
  sendBookmark(initialEventsEnd = false): void {
    this.sendLine({
      type: "BOOKMARK",
      object: {
        kind: this.opts.kind,
        apiVersion: this.opts.apiVersion,
        metadata: {
          resourceVersion: String(this.opts.currentRv()),
          ...(initialEventsEnd ? { annotations: { "k8s.io/initial-events-end": "true" } } : {}),
        },
      },
    });
  }

  /** Ends the stream; queued lines are delivered first unless `discard`. */
  close(reason: NonNullable<Watcher["closeReason"]>, discard = false): void {
    if (this.closed) return;
    if (discard) {
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.finish(reason, true);
  }

  private finish(reason: NonNullable<Watcher["closeReason"]>, closeStream: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    for (const t of this.timers) this.opts.clock.clearTimeout(t);
    this.timers = [];
    if (closeStream) {
      try {
        if (this.pending.length) this.controller.enqueue(this.takeChunk(Infinity));
        this.controller.close();
      } catch {
        // the client already went away
      }
    }
    this.pending = [];
    this.wake?.();
    this.wake = undefined;
    this.opts.onClose(this);
  }

  private enqueue(bytes: Uint8Array): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.wake) {
      const wake = this.wake;
      this.wake = undefined;
      this.flush();
      wake();
    }
  }

  /** Moves queued lines into the stream; false if there was nothing to move. */
  private flush(): boolean {
    if (this.pending.length === 0 || this.closed) return false;
    this.controller.enqueue(this.takeChunk(MAX_CHUNK_BYTES));
    return true;
  }

  private takeChunk(maxBytes: number): Uint8Array {
    if (this.pending.length === 1 || this.pending[0].length >= maxBytes) {
      const one = this.pending.shift()!;
      this.pendingBytes -= one.length;
      this.initialAllowance = Math.max(0, this.initialAllowance - 1);
      return one;
    }
    let size = 0;
    let n = 0;
    while (n < this.pending.length && size + this.pending[n].length <= maxBytes) size += this.pending[n++].length;
    const out = new Uint8Array(size);
    let off = 0;
    for (let i = 0; i < n; i++) {
      out.set(this.pending[i], off);
      off += this.pending[i].length;
    }
    this.pending.splice(0, n);
    this.pendingBytes -= size;
    this.initialAllowance = Math.max(0, this.initialAllowance - n);
    return out;
  }

  private scheduleBookmark(): void {
    const t = this.opts.clock.setTimeout(() => {
      this.timers = this.timers.filter((x) => x !== t);
      if (this.closed) return;
      this.sendBookmark();
      this.scheduleBookmark();
    }, this.opts.bookmarkIntervalMs!);
    this.timers.push(t);
  }
}
