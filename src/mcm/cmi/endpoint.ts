/**
 * CMI endpoints: `tcp://host:port` (the spec's `CMI_ENDPOINT` form) or `unix:///absolute/path` (two containers of a
 * Pod sharing a volume).
 */
/** A parsed endpoint. */
export type CmiEndpoint =
  | { kind: "tcp"; host: string; port: number }
  | { kind: "unix"; path: string };

/** Parses an endpoint; errors say which forms are accepted (the caller names the flag or variable). */
export function parseEndpoint(text: string): CmiEndpoint {
  const value = text.trim();
  const fail = (why: string): never => {
    throw new Error(`invalid CMI endpoint ${JSON.stringify(text)}: ${why} (expected tcp://host:port or unix:///path)`);
  };
  if (value.startsWith("unix://")) {
    const path = value.slice("unix://".length);
    if (!path.startsWith("/")) fail("a unix socket path must be absolute");
    return { kind: "unix", path };
  }
  if (!value.startsWith("tcp://")) fail("unknown scheme");
  const rest = value.slice("tcp://".length).replace(/\/$/, "");
  const m = /^(\[[^\]]+\]|[^:/[\]]*):(\d+)$/.exec(rest);
  if (!m) return fail("missing host:port");
  const host = m[1].replace(/^\[(.*)\]$/, "$1") || "0.0.0.0";
  const port = Number(m[2]);
  if (port > 65535) return fail(`port ${m[2]} is out of range`);
  return { kind: "tcp", host, port };
}

/** The endpoint as text, in the same form `parseEndpoint` reads. */
export function formatEndpoint(ep: CmiEndpoint): string {
  if (ep.kind === "unix") return `unix://${ep.path}`;
  const host = ep.host.includes(":") ? `[${ep.host}]` : ep.host;
  return `tcp://${host}:${ep.port}`;
}
