/**
 * Address pools and sub-allocation. Blocks come from simulated provider pools (private 10/8, public IPv4 ranges
 * formerly used by Equinix Metal, IPv6 2604:1380::/32); devices get sub-blocks carved from their project's blocks.
 */

/** A contiguous address range of one family. */
export interface Block {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly cidr: number;
}

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/** Number of addresses in a block of that prefix length. */
export function blockSize(family: 4 | 6, cidr: number): bigint {
  return 1n << BigInt(bits(family) - cidr);
}

/** Hands out aligned blocks from a list of provider ranges, in order. Blocks are never reused (the pools are vast). */
export class ProviderPool {
  private rangeIndex = 0;
  private cursor: bigint;

  constructor(private readonly family: 4 | 6, private readonly ranges: readonly Block[], startOffset = 0n) {
    this.cursor = ranges[0].network + startOffset;
  }

  /** The next free aligned block of the given prefix length, or undefined when the pool is exhausted. */
  allocate(cidr: number): Block | undefined {
    const size = blockSize(this.family, cidr);
    while (this.rangeIndex < this.ranges.length) {
      const range = this.ranges[this.rangeIndex];
      const end = range.network + blockSize(this.family, range.cidr);
      const aligned = ((this.cursor + size - 1n) / size) * size;
      if (aligned >= range.network && aligned + size <= end) {
        this.cursor = aligned + size;
        return { family: this.family, network: aligned, cidr };
      }
      this.rangeIndex++;
      if (this.rangeIndex < this.ranges.length) this.cursor = this.ranges[this.rangeIndex].network;
    }
    return undefined;
  }
}

/** Sub-allocations inside one parent block (a reservation): aligned, first-fit, with a fast path for sequential use. */
export class SubAllocator {
  /** offset → size of each allocated sub-block. */
  private used = new Map<bigint, bigint>();
  /** Every allocation made through the fast path ends at or before the cursor. */
  private cursor = 0n;
  /** Explicit claims may lie beyond the cursor; while there are any, the fast path checks for overlap. */
  private claims = 0;
  private readonly total: bigint;
  /** Addresses not handed out; lets a full parent answer at once instead of scanning. */
  private free: bigint;

  constructor(readonly parent: Block) {
    this.total = blockSize(parent.family, parent.cidr);
    this.free = this.total;
  }

  /** True if nothing is allocated. */
  get empty(): boolean {
    return this.used.size === 0;
  }

  private fits(offset: bigint, size: bigint): boolean {
    if (offset + size > this.total) return false;
    for (const [o, s] of this.used) if (o < offset + size && offset < o + s) return false;
    return true;
  }

  /** Allocates a sub-block of the prefix length; returns its network address or undefined when full. */
  allocate(cidr: number): bigint | undefined {
    const size = blockSize(this.parent.family, cidr);
    if (size > this.free) return undefined;
    const aligned = ((this.cursor + size - 1n) / size) * size;
    if (aligned + size <= this.total && (this.claims === 0 || this.fits(aligned, size))) {
      this.used.set(aligned, size);
      this.cursor = aligned + size;
      this.free -= size;
      return this.parent.network + aligned;
    }
    // First fit over the freed space before the cursor; bounded so that a huge IPv6 parent cannot stall a request.
    const candidates = this.total / size;
    const limit = candidates < 65536n ? candidates : 65536n;
    for (let i = 0n; i < limit; i++) {
      const o = i * size;
      if (this.fits(o, size)) {
        this.used.set(o, size);
        this.free -= size;
        return this.parent.network + o;
      }
    }
    return undefined;
  }

  /** Allocates exactly `network/cidr` if it lies in the parent and is free. */
  claim(network: bigint, cidr: number): boolean {
    const size = blockSize(this.parent.family, cidr);
    const offset = network - this.parent.network;
    if (offset < 0n || offset % size !== 0n || !this.fits(offset, size)) return false;
    this.used.set(offset, size);
    this.free -= size;
    this.claims++;
    return true;
  }

  /** Frees a sub-block given its network address. */
  release(network: bigint): void {
    const offset = network - this.parent.network;
    const size = this.used.get(offset);
    if (size === undefined) return;
    this.used.delete(offset);
    this.free += size;
  }
}

const V4 = (a: number, b: number, c: number, d: number) => BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);

/** The simulated provider pools. */
export function defaultPools(startBlock: number, publicStart = 0): {
  private4: ProviderPool;
  public4: ProviderPool;
  global4: ProviderPool;
  public6: ProviderPool;
} {
  return {
    // 10.0.0.0/8, starting at a seed-dependent /25 so that two simulators rarely hand out the same blocks.
    private4: new ProviderPool(
      4,
      [{ family: 4, network: V4(10, 0, 0, 0), cidr: 8 }],
      BigInt(startBlock % 65536) * 128n,
    ),
    public4: new ProviderPool(4, [
      { family: 4, network: V4(147, 75, 0, 0), cidr: 16 },
      { family: 4, network: V4(145, 40, 0, 0), cidr: 16 },
      { family: 4, network: V4(139, 178, 0, 0), cidr: 16 },
      { family: 4, network: V4(136, 144, 0, 0), cidr: 16 },
      { family: 4, network: V4(86, 109, 0, 0), cidr: 16 },
    ], BigInt(publicStart % 16384) * 4n),
    global4: new ProviderPool(4, [{ family: 4, network: V4(147, 28, 128, 0), cidr: 17 }]),
    public6: new ProviderPool(6, [{ family: 6, network: 0x26041380n << 96n, cidr: 32 }], 0x4000n << 80n),
  };
}
