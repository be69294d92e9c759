/**
 * The simulators' one listener: serves a web-standard `(Request) => Response` handler on loopback and a free port
 * unless told otherwise. A server that speaks TLS or streams responses (watches) is served through `node:https` /
 * `node:http`, plain request/response HTTP through `Deno.serve`.
 *
 * Why two engines behind one function: `Deno.serve` leaves Nagle's algorithm on, so a TLS response larger than about
 * 1 KB waits ~40 ms for the client's delayed ACK (measured: 22 sequential requests/s), and the small chunks of a watch
 * stream are held back the same way (the MachineDeployment simulation then acts on older caches: 2.6 instead of 1.8
 * writes per machine in its benchmark); Node's servers set TCP_NODELAY. For whole responses over plain HTTP
 * `Deno.serve` costs a third less per request than `node:http` (the Metal simulator's GET: 335 µs against 690 µs on
 * the benchmark machine).
 *
 * On the Node engine, streaming responses are written as the stream yields and respect the socket's backpressure; a
 * client that disconnects cancels its stream and aborts its request's signal. On both, a response whose body errors
 * (`lostResponse`) sends its status line and headers, then drops the connection.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { Logger } from "../../observability/log.ts";

/** The error a lost response's body fails with (a simulated fault, not a simulator bug: never logged as one). */
export class LostResponseError extends Error {
  constructor() {
    super("simulated lost response");
    this.name = "LostResponseError";
  }
}

/** Statuses whose responses cannot carry a body (a Response with one cannot even be constructed). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * `res` lost on its way back: the client gets the status line and headers, then the connection drops. A lost 204
 * (a DELETE) is sent as a 200 whose body breaks, so that the client's read still fails.
 */
export function lostResponse(res: Response): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.error(new LostResponseError());
    },
  });
  const status = NULL_BODY_STATUSES.has(res.status) ? 200 : res.status;
  return new Response(body, { status, headers: res.headers });
}

/** Responses whose body is an open-ended stream (watches): headers go out at once, chunks as they come. */
const streaming = new WeakSet<Response>();

/** Marks a response as streaming and returns it. */
export function streamingResponse(body: ReadableStream<Uint8Array>, init: ResponseInit): Response {
  const res = new Response(body, init);
  streaming.add(res);
  return res;
}

/** A listening server. */
export interface HttpListener {
  readonly hostname: string;
  readonly port: number;
  /** Stops accepting, closes every open connection, resolves when the server is closed. */
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk as Uint8Array;
    chunks.push(bytes);
    size += bytes.length;
  }
  if (size === 0) return undefined;
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function toRequest(
  req: IncomingMessage,
  scheme: string,
  body: Uint8Array<ArrayBuffer> | undefined,
  signal: AbortSignal,
): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) { for (const item of v) headers.append(k, item); }
    else headers.set(k, v);
  }
  const host = req.headers.host ?? "localhost";
  const method = req.method ?? "GET";
  return new Request(`${scheme}://${host}${req.url ?? "/"}`, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : body,
    signal,
  });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, key) => res.setHeader(key, value));
  if (!response.body) {
    res.end();
    return;
  }
  if (!streaming.has(response)) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch {
      // The body broke (a lost response): the client gets the head, then the connection drops.
      res.flushHeaders();
      res.destroy();
      return;
    }
    res.setHeader("content-length", String(bytes.length));
    res.end(bytes);
    return;
  }
  // While a write is pending, the watcher queues further events and hands them over as one chunk on the next
  // read: busy resources with many watchers cost few socket writes.
  const reader = response.body.getReader();
  res.on("close", () => void reader.cancel().catch(() => {}));
  res.flushHeaders();
  for (;;) {
    const { value, done } = await reader.read();
    if (done || res.destroyed) break;
    if (!res.write(value)) {
      await new Promise<void>((resolve) => {
        const finish = () => {
          res.off("drain", finish);
          res.off("close", finish);
          resolve();
        };
        res.on("drain", finish);
        res.on("close", finish);
      });
    }
  }
  if (!res.destroyed) res.end();
}

/** The base URL of a listener: a wildcard address is reached through loopback (which serving certificates name). */
export function listenerUrl(listener: HttpListener, scheme: "http" | "https"): string {
  const reachable = listener.hostname === "0.0.0.0"
    ? "127.0.0.1"
    : listener.hostname === "::"
    ? "::1"
    : listener.hostname;
  const host = reachable.includes(":") ? `[${reachable}]` : reachable;
  return `${scheme}://${host}:${listener.port}`;
}

/** Where and how to listen. */
export interface ListenOptions {
  hostname: string;
  port: number;
  tls?: { cert: string; key: string };
  /** The handler answers with open-ended streams (`streamingResponse`), whose chunks must go out at once. */
  streams?: boolean;
}

/** Starts serving; resolves once the port is bound. */
export async function listenHttp(
  opts: ListenOptions,
  handler: (req: Request) => Promise<Response>,
  log: Logger,
): Promise<HttpListener> {
  return opts.tls || opts.streams ? await listenNode(opts, handler, log) : listenDeno(opts, handler, log);
}

/** Plain HTTP through `Deno.serve`. */
function listenDeno(
  opts: { hostname: string; port: number },
  handler: (req: Request) => Promise<Response>,
  log: Logger,
): HttpListener {
  const server = Deno.serve({
    hostname: opts.hostname,
    port: opts.port,
    onListen() {},
    onError: (e) => {
      if (!(e instanceof LostResponseError)) log.error("failed to serve a request", { error: e });
      return new Response(null, { status: 500 });
    },
  }, handler);
  const addr = server.addr as Deno.NetAddr;
  let closed: Promise<void> | undefined;
  return {
    hostname: addr.hostname,
    port: addr.port,
    close(): Promise<void> {
      closed ??= server.shutdown();
      return closed;
    },
  };
}

/** TLS or streams through `node:https` / `node:http`. */
async function listenNode(
  opts: ListenOptions,
  handler: (req: Request) => Promise<Response>,
  log: Logger,
): Promise<HttpListener> {
  const scheme = opts.tls ? "https" : "http";
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const disconnected = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) disconnected.abort(new DOMException("the client disconnected", "AbortError"));
    });
    (async () => {
      const body = await readBody(req);
      const response = await handler(toRequest(req, scheme, body, disconnected.signal));
      await writeResponse(res, response);
    })().catch((e) => {
      // A client that went away (a watch it stopped before the first byte) is not a failure of the server.
      if (disconnected.signal.aborted || req.destroyed || res.destroyed) {
        log.debug("client disconnected", { method: req.method, path: req.url });
      } else log.error("failed to serve a request", { method: req.method, path: req.url, error: e });
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy();
    });
  };
  const server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key, noDelay: true }, onRequest)
    : createHttpServer({ noDelay: true }, onRequest);
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error(`unexpected listen address ${address}`);
  let closed: Promise<void> | undefined;
  return {
    hostname: address.address,
    port: address.port,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        // Ending (not destroying) lets responses in flight finish; destroying a TLS socket with a pending write
        // panics Deno 2.9.3 ("RefCell already mutably borrowed"). Clients that do not hang up are cut off later.
        const straggler = setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, 2_000);
        server.close(() => {
          clearTimeout(straggler);
          resolve();
        });
        for (const s of sockets) s.end();
      });
      return closed;
    },
  };
}
