/** An HTTP CONNECT proxy for tests: records each CONNECT and tunnels it to one fixed local port. */

/** One CONNECT as the proxy received it. */
export interface ProxiedConnect {
  target: string;
  proxyAuthorization?: string;
}

/** A running proxy. */
export interface TestConnectProxy {
  url: string;
  connects: ProxiedConnect[];
  close: () => void;
}

/**
 * Starts a proxy that tunnels every CONNECT to 127.0.0.1:`forwardPort` whatever host it names (so tests can use names
 * that do not resolve); with `requireAuthorization`, other requests get 407.
 */
export function startConnectProxy(
  forwardPort: number,
  opts: { requireAuthorization?: string } = {},
): TestConnectProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connects: ProxiedConnect[] = [];
  const open = new Set<Deno.Conn>();
  const encoder = new TextEncoder();
  const serve = async (conn: Deno.Conn) => {
    open.add(conn);
    let upstream: Deno.Conn | undefined;
    try {
      let head = "";
      const buf = new Uint8Array(4096);
      while (!head.includes("\r\n\r\n")) {
        const n = await conn.read(buf);
        if (n === null) return;
        head += new TextDecoder().decode(buf.subarray(0, n));
      }
      const [requestLine, ...headerLines] = head.split("\r\n");
      const target = /^CONNECT (\S+) HTTP/.exec(requestLine)?.[1];
      const auth = headerLines.find((l) => /^proxy-authorization:/i.test(l))?.replace(/^[^:]+:\s*/, "");
      if (!target) return;
      connects.push({ target, proxyAuthorization: auth });
      if (opts.requireAuthorization !== undefined && auth !== opts.requireAuthorization) {
        await conn.write(encoder.encode("HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n"));
        return;
      }
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: forwardPort });
      open.add(upstream);
      await conn.write(encoder.encode("HTTP/1.1 200 Connection established\r\n\r\n"));
      await Promise.allSettled([conn.readable.pipeTo(upstream.writable), upstream.readable.pipeTo(conn.writable)]);
    } catch {
      // a test closed the connection
    } finally {
      for (const c of upstream ? [conn, upstream] : [conn]) {
        open.delete(c);
        closeQuietly(c);
      }
    }
  };
  (async () => {
    try {
      for await (const conn of listener) serve(conn);
    } catch {
      // listener closed
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    connects,
    close: () => {
      listener.close();
      for (const c of open) closeQuietly(c);
    },
  };
}

function closeQuietly(c: Deno.Conn): void {
  try {
    c.close();
  } catch {
    // already closed (pipeTo closes the writable side)
  }
}
