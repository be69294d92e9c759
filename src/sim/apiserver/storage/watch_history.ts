/**
 * The bounded history of one resource's changes (the watch cache): a ring buffer of the last `capacity` events.
 * A watch can resume from resourceVersion R only if every event after R is still here; otherwise it gets 410.
 */
import type { ChangeEvent } from "./change_event.ts";

/** Ring buffer of change events, ordered by resourceVersion. */
export class WatchHistory {
  private readonly buf: Array<ChangeEvent | undefined>;
  private head = 0;
  private count = 0;
  /** Every event with rv > startRv is retained. */
  private startRv: number;

  constructor(readonly capacity: number, startRv: number) {
    this.buf = new Array(Math.max(1, capacity));
    this.startRv = startRv;
  }

  /** Appends an event, evicting the oldest when full. */
  push(e: ChangeEvent): void {
    if (this.count === this.buf.length) {
      const evicted = this.buf[this.head]!;
      this.startRv = evicted.rv;
      this.buf[this.head] = e;
      this.head = (this.head + 1) % this.buf.length;
      return;
    }
    this.buf[(this.head + this.count) % this.buf.length] = e;
    this.count++;
  }

  /** Forgets everything up to `rv` (compaction). */
  compact(rv: number): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.startRv = Math.max(this.startRv, rv);
  }

  /** The oldest resourceVersion a watch can resume from. */
  oldestResumable(): number {
    return this.startRv;
  }

  /** Events with rv > `rv`, or undefined if some of them were evicted (410 Gone). */
  since(rv: number): ChangeEvent[] | undefined {
    if (rv < this.startRv) return undefined;
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    const out: ChangeEvent[] = [];
    for (let i = lo; i < this.count; i++) out.push(this.at(i));
    return out;
  }

  private at(i: number): ChangeEvent {
    return this.buf[(this.head + i) % this.buf.length]!;
  }
}
