/** IPv4/IPv6 address arithmetic for the simulator's address pools (pure functions). */
import { parseIpv4, parseIpv6 } from "../../runtime/ip_address.ts";

/** Formats an IPv4 address held as an unsigned 32-bit number. */
export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** The dotted netmask of an IPv4 prefix length. */
export function ipv4Netmask(cidr: number): string {
  return formatIpv4(cidr === 0 ? 0 : (0xffffffff << (32 - cidr)) >>> 0);
}

/** Number of addresses in an IPv4 prefix. */
export function ipv4Size(cidr: number): number {
  return 2 ** (32 - cidr);
}

/** Formats a 128-bit IPv6 address in RFC 5952 form (lowercase, longest zero run compressed). */
export function formatIpv6(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  const head = hex.slice(0, bestStart).join(":");
  const tail = hex.slice(bestStart + bestLen).join(":");
  return `${head}::${tail}`;
}

/** The netmask of an IPv6 prefix length, formatted as the API does (full groups). */
export function ipv6Netmask(cidr: number): string {
  const mask = cidr === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - cidr)) - 1n);
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((mask >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(":");
}

/** Parses `address[/cidr]` of either family. */
export function parseCidr(s: string): { family: 4 | 6; value: bigint; cidr?: number } | undefined {
  const [addr, len, ...rest] = s.trim().split("/");
  if (rest.length) return undefined;
  const cidr = len === undefined ? undefined : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (Number.isNaN(cidr)) return undefined;
  const v4 = parseIpv4(addr);
  if (v4 !== undefined) return cidr !== undefined && cidr > 32 ? undefined : { family: 4, value: BigInt(v4), cidr };
  const v6 = parseIpv6(addr);
  if (v6 !== undefined) return cidr !== undefined && cidr > 128 ? undefined : { family: 6, value: v6, cidr };
  return undefined;
}
