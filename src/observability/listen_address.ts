/** Listen addresses in Go's `host:port` form, as the `--*-bind-address` and `--address`/`--port` flags take them. */

/** Parses `host:port`, `:port` or `port` into hostname and port. */
export function parseListenAddress(address: string): { hostname: string; port: number } {
  const text = address.trim();
  const colon = text.lastIndexOf(":");
  const host = colon < 0 ? "" : text.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const portText = colon < 0 ? text : text.slice(colon + 1);
  if (!/^\d+$/.test(portText)) throw new Error(`invalid listen address "${address}": expected host:port`);
  const port = Number(portText);
  if (port > 65535) throw new Error(`invalid listen address "${address}": port out of range`);
  return { hostname: host || "0.0.0.0", port };
}
