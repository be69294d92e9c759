/**
 * Which proxy carries a connection to the API server, for the transport that opens its own TLS connections (a server
 * with a CA, or insecure-skip-tls-verify): kubeconfig `proxy-url`, else `HTTPS_PROXY` unless `NO_PROXY` excludes the
 * server, following the rules of Go's `ProxyFromEnvironment` that kubectl uses. Native fetch applies the environment
 * itself; this module exists because `node:https` does not. Pure functions, except `readProxyEnv`.
 */
import { isLoopbackHost, parseIp } from "../../runtime/ip_address.ts";

/** The variables consulted, in Go's order of precedence (upper case first). */
export const PROXY_ENV_VARS = ["HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"] as const;

/** Environment as far as proxies are concerned. */
export type ProxyEnv = Partial<Record<(typeof PROXY_ENV_VARS)[number], string>>;

/** Reads the proxy variables this process may read; a variable it may not read counts as unset. */
export function readProxyEnv(): ProxyEnv {
  const env: ProxyEnv = {};
  for (const name of PROXY_ENV_VARS) {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") continue;
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  return env;
}

/** The proxy for an HTTPS request to `target` according to the environment, or undefined for a direct connection. */
export function proxyFromEnvironment(target: URL, env: ProxyEnv): string | undefined {
  const proxy = env.HTTPS_PROXY || env.https_proxy;
  if (!proxy) return undefined;
  return bypassesProxy(target, env.NO_PROXY || env.no_proxy || "") ? undefined : proxy;
}

function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (isLoopbackHost(host)) return true;
  const port = target.port || (target.protocol === "http:" ? "80" : "443");
  const ip = parseIp(host);
  for (const raw of noProxy.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    if (entry.includes("/")) {
      if (ip && inCidr(ip, entry)) return true;
      continue;
    }
    const { name, entryPort } = splitEntry(entry);
    if (entryPort && entryPort !== port) continue;
    const entryIp = parseIp(name);
    if (entryIp) {
      if (ip && ip.family === entryIp.family && ip.value === entryIp.value) return true;
      continue;
    }
    const domain = name.startsWith("*.") ? name.slice(1) : name;
    if (domain.startsWith(".") ? host.endsWith(domain) : host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function splitEntry(entry: string): { name: string; entryPort?: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1], entryPort: bracketed[2] };
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  return withPort ? { name: withPort[1], entryPort: withPort[2] } : { name: entry };
}

function inCidr(ip: NonNullable<ReturnType<typeof parseIp>>, cidr: string): boolean {
  const [addr, bitsText] = cidr.split("/");
  const net = parseIp(addr);
  const bits = Number(bitsText);
  if (!net || net.family !== ip.family || !/^\d+$/.test(bitsText)) return false;
  const width = ip.family === 4 ? 32 : 128;
  if (bits > width) return false;
  const shift = BigInt(width - bits);
  return BigInt(ip.value) >> shift === BigInt(net.value) >> shift;
}

/**
 * The proxy as a URL usable for an HTTP CONNECT tunnel, or a reason why it is not: a server that must be verified
 * against its own CA alone is reached by a TLS connection this client opens inside the tunnel, and only `http://`
 * proxies (or a bare `host:port`, read as http) are implemented for that.
 */
export function tunnelProxy(raw: string): { url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw.includes("://") ? raw : `http://${raw}`);
  } catch {
    return { problem: "is not a URL" };
  }
  if (url.protocol !== "http:") {
    return {
      problem: `${url.protocol}// proxies are not supported for servers verified against their own CA ` +
        "(or with insecure-skip-tls-verify); use an http:// proxy (HTTP CONNECT)",
    };
  }
  return { url };
}

/** The proxy's address for messages, without credentials. */
export function describeProxy(url: URL): string {
  return `${url.protocol}//${url.host}`;
}
