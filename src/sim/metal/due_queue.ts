/** A min-heap of things that fall due at an instant; the simulator drains it lazily on each request. */

/** One entry: `key` identifies what is due (the caller checks it still applies when it pops). */
export interface DueEntry<K> {
  readonly at: number;
  readonly key: K;
}

/** Priority queue ordered by `at`, ties in insertion order. */
export class DueQueue<K> {
  private heap: Array<DueEntry<K> & { seq: number }> = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, key: K): void {
    this.heap.push({ at, key, seq: this.seq++ });
    this.up(this.heap.length - 1);
  }

  /** Removes and returns every entry due at or before `now`, earliest first. */
  popDue(now: number): DueEntry<K>[] {
    const out: DueEntry<K>[] = [];
    while (this.heap.length && this.heap[0].at <= now) {
      const top = this.heap[0];
      const last = this.heap.pop()!;
      if (this.heap.length) {
        this.heap[0] = last;
        this.down(0);
      }
      out.push({ at: top.at, key: top.key });
    }
    return out;
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i];
    const b = this.heap[j];
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    [this.heap[i], this.heap[j]] = [this.heap[j], this.heap[i]];
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.heap.length && this.less(l, m)) m = l;
      if (r < this.heap.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}
