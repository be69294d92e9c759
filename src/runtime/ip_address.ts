/** Parsing of literal IP addresses and the loopback test shared by the Kubernetes and Metal clients (pure). */

/** Parses dotted-quad IPv4; undefined if malformed. */
export function parseIpv4(s: string): number | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}

/** Parses an IPv6 address (with optional `::`); undefined if malformed. */
export function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(s)) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

/** A literal address as family and value; a URL's bracketed IPv6 hostname (`[::1]`) is accepted. */
export function parseIp(host: string): { family: 4; value: number } | { family: 6; value: bigint } | undefined {
  const v4 = parseIpv4(host);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const v6 = parseIpv6(bare);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/**
 * Whether a URL hostname names this machine: `localhost`, 127.0.0.0/8, `::1`, or 127.0.0.0/8 written as an
 * IPv4-mapped IPv6 address. Names that merely resolve to loopback do not count (DNS could change that).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost") return true;
  const ip = parseIp(host);
  if (!ip) return false;
  if (ip.family === 4) return ip.value >>> 24 === 127;
  if (ip.value === 1n) return true;
  return ip.value >> 32n === 0xffffn && Number(ip.value & 0xffffffffn) >>> 24 === 127;
}

/** A CIDR block: family, prefix length, and the address as written (host bits may be set) and its network. */
export interface CidrBlock {
  family: 4 | 6;
  prefix: number;
  address: bigint;
  network: bigint;
}

/** Parses `address/prefix` of either family; undefined if malformed. */
export function parseCidrBlock(text: string): CidrBlock | undefined {
  const parts = text.split("/");
  if (parts.length !== 2 || !/^\d{1,3}$/.test(parts[1])) return undefined;
  const ip = parseIp(parts[0]);
  if (!ip || parts[0].startsWith("[")) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = Number(parts[1]);
  if (prefix > bits) return undefined;
  const address = BigInt(ip.value);
  const hostBits = BigInt(bits - prefix);
  const network = (address >> hostBits) << hostBits;
  return { family: ip.family, prefix, address, network };
}

/** True if two blocks of the same family share an address. */
export function cidrsOverlap(a: CidrBlock, b: CidrBlock): boolean {
  if (a.family !== b.family) return false;
  const bits = a.family === 4 ? 32 : 128;
  const shift = BigInt(bits - Math.min(a.prefix, b.prefix));
  return a.network >> shift === b.network >> shift;
}
