/**
 * The HTTP layer under the Kubernetes client. A server with a CA (kubeconfig or service account) is reached through
 * `node:https` with `ca`, which replaces the default roots: the connection trusts that CA alone, as kubectl does.
 * (`Deno.createHttpClient({ caCerts })` would only add the CA to the default roots, so any publicly trusted
 * certificate for the server's name would be accepted.) `insecure-skip-tls-verify` also goes through `node:https`.
 * Plain `http://` servers and HTTPS servers without a CA (verified against the system roots) use native `fetch`.
 */
import https from "node:https";
import http from "node:http";
import tls from "node:tls";
import type { ClientRequestArgs, IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { ClusterConnection } from "./kubeconfig.ts";
import { encodeBase64 } from "../../runtime/base64.ts";
import { describeProxy, type ProxyEnv, proxyFromEnvironment, readProxyEnv, tunnelProxy } from "./proxy.ts";

/** What the client sends. */
export interface TransportRequest {
  method: string;
  headers: Headers;
  body?: string;
  signal?: AbortSignal;
}

/** Sends requests to one API server. */
export interface Transport {
  fetch(url: string, req: TransportRequest): Promise<Response>;
  close(): void;
}

interface TlsMaterial {
  certPem?: string;
  keyPem?: string;
}

/** Settings of `createTransport` that tests change. */
export interface TransportOptions {
  /** Proxy variables (default: read from the process environment when permitted). */
  env?: ProxyEnv;
  /** Idle pooled connections are closed after this long (default `IDLE_SOCKET_TIMEOUT_MS`). */
  idleSocketTimeoutMs?: number;
}

/**
 * Idle kept-alive connections are closed after 30 s: well before kube-apiserver closes idle connections itself
 * (90 s), so a request is not sent on a connection the server is closing at that moment.
 */
export const IDLE_SOCKET_TIMEOUT_MS = 30_000;

/** How long the proxy may take to answer a CONNECT. */
const PROXY_CONNECT_TIMEOUT_MS = 30_000;

/** Creates the transport for a connection (clients are created lazily and reused). */
export function createTransport(conn: ClusterConnection, opts: TransportOptions = {}): Transport {
  const server = new URL(conn.server);
  if (server.protocol !== "https:" || !(conn.caPem || conn.insecureSkipTlsVerify)) return new FetchTransport(conn);
  const rawProxy = conn.proxyUrl ?? proxyFromEnvironment(server, opts.env ?? readProxyEnv());
  let proxy: URL | undefined;
  if (rawProxy) {
    const t = tunnelProxy(rawProxy);
    if ("problem" in t) {
      const what = conn.proxyUrl ? "proxy-url" : "HTTPS_PROXY";
      throw new Error(`${conn.source ?? conn.server}: ${what} ${t.problem}`);
    }
    proxy = t.url;
  }
  const trust: TrustOptions = conn.insecureSkipTlsVerify
    ? { rejectUnauthorized: false }
    : { rejectUnauthorized: true, ca: conn.caPem };
  return new NodeTransport(conn, trust, proxy, opts.idleSocketTimeoutMs ?? IDLE_SOCKET_TIMEOUT_MS);
}

async function currentTls(conn: ClusterConnection): Promise<TlsMaterial> {
  const dynamic = await conn.clientCertificate?.();
  if (dynamic) return dynamic;
  return { certPem: conn.clientCertPem, keyPem: conn.clientKeyPem };
}

/** Plain http:// servers and HTTPS servers verified against the system roots: native fetch. */
class FetchTransport implements Transport {
  /** One HTTP client per client certificate (exec plugins may rotate it). */
  private readonly clients = new Map<string, Deno.HttpClient | undefined>();

  constructor(private readonly conn: ClusterConnection) {}

  private async client(): Promise<Deno.HttpClient | undefined> {
    const tls = await currentTls(this.conn);
    const key = tls.certPem ?? "";
    if (this.clients.has(key)) return this.clients.get(key);
    const { proxyUrl } = this.conn;
    let client: Deno.HttpClient | undefined;
    if (tls.certPem || proxyUrl) {
      const options: Deno.CreateHttpClientOptions = proxyUrl ? { proxy: { url: proxyUrl } } : {};
      client = tls.certPem && tls.keyPem
        ? Deno.createHttpClient({ ...options, cert: tls.certPem, key: tls.keyPem })
        : Deno.createHttpClient(options);
    }
    this.clients.set(key, client);
    return client;
  }

  async fetch(url: string, req: TransportRequest): Promise<Response> {
    const client = await this.client();
    return await fetch(url, { method: req.method, headers: req.headers, body: req.body, signal: req.signal, client });
  }

  close(): void {
    for (const c of this.clients.values()) c?.close();
    this.clients.clear();
  }
}

/** How the server certificate is checked: against `ca` alone, or not at all (insecure-skip-tls-verify). */
type TrustOptions = { rejectUnauthorized: true; ca?: string } | { rejectUnauthorized: false };

/** TLS options of one connection: trust plus the client certificate. */
type TlsOptions = TrustOptions & { cert?: string; key?: string };

/** `node:https` with keep-alive; through an HTTP CONNECT tunnel when a proxy is configured. */
/** Connections per API server (requests beyond wait for a free one) and how many of them may stay open idle. */
const MAX_SOCKETS_PER_HOST = 24;
const MAX_IDLE_SOCKETS_PER_HOST = 8;

class NodeTransport implements Transport {
  /** One agent (connection pool) per client certificate (exec plugins may rotate it). */
  private readonly agents = new Map<string, https.Agent>();

  constructor(
    private readonly conn: ClusterConnection,
    private readonly trust: TrustOptions,
    private readonly proxy: URL | undefined,
    private readonly idleSocketTimeoutMs: number,
  ) {}

  private async agent(): Promise<https.Agent> {
    const material = await currentTls(this.conn);
    const key = material.certPem ?? "";
    let agent = this.agents.get(key);
    if (!agent) {
      const options: TlsOptions = { ...this.trust, cert: material.certPem, key: material.keyPem };
      // `timeout` closes pooled connections that stayed idle that long; it does not cut responses in progress. Every
      // HTTP/1.1 connection holds its own TLS state and buffers: with 50 workers a pool without bound opened dozens
      // (machine controller at 1,000 machines: peak RSS 113 → 109 MB with the bound). A controller's watches (a few
      // informers per client) hold a connection each, so the bound leaves room for them and for its requests; client-go
      // keeps 25 idle connections per host.
      const poolOptions = {
        keepAlive: true,
        timeout: this.idleSocketTimeoutMs,
        maxSockets: MAX_SOCKETS_PER_HOST,
        maxFreeSockets: MAX_IDLE_SOCKETS_PER_HOST,
      };
      agent = this.proxy
        ? new TunnelAgent(this.proxy, options, poolOptions)
        : new https.Agent({ ...poolOptions, ...options });
      this.agents.set(key, agent);
    }
    return agent;
  }

  async fetch(url: string, req: TransportRequest): Promise<Response> {
    const agent = await this.agent();
    const signal = req.signal;
    signal?.throwIfAborted();
    return await new Promise<Response>((resolve, reject) => {
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => (headers[k] = v));
      if (req.body !== undefined) headers["content-length"] = String(new TextEncoder().encode(req.body).length);
      const r = https.request(url, { method: req.method, headers, agent }, (res: IncomingMessage) => {
        resolve(toResponse(res, signal));
      });
      const onAbort = () => r.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      signal?.addEventListener("abort", onAbort, { once: true });
      r.on("error", (e: Error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(e);
      });
      r.on("close", () => signal?.removeEventListener("abort", onAbort));
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}

/** An agent whose connections are TLS sessions opened inside an HTTP CONNECT tunnel through `proxy`. */
class TunnelAgent extends https.Agent {
  constructor(private readonly proxy: URL, private readonly tlsOptions: TlsOptions, poolOptions: https.AgentOptions) {
    super(poolOptions);
  }

  /**
   * Called by the pool for each new connection. The pool also accepts an answer through `done` and no return value
   * (node's type declarations only describe the synchronous form, hence the cast).
   */
  override createConnection(
    options: ClientRequestArgs,
    done?: (err: Error | null, socket: Duplex) => void,
  ): Duplex {
    if (!done) throw new Error("TunnelAgent: connections through a proxy are created asynchronously");
    const host = String(options.hostname ?? options.host ?? "").replace(/^\[(.*)\]$/, "$1");
    const port = Number(options.port ?? 443);
    openTunnel(this.proxy, host, port).then(
      (raw) => {
        const secure = tls.connect({
          ...this.tlsOptions,
          socket: raw,
          host,
          // SNI carries names only, never IP addresses.
          servername: /^[\d.]+$|:/.test(host) ? undefined : host,
        });
        const onError = (e: Error) => {
          secure.destroy();
          done(e, secure);
        };
        secure.once("error", onError);
        secure.once("secureConnect", () => {
          secure.off("error", onError);
          done(null, secure);
        });
      },
      (e: Error) => done(e, undefined as unknown as Duplex),
    );
    return undefined as unknown as Duplex;
  }
}

/** Asks an HTTP proxy for a tunnel to `host:port`; resolves with the raw socket once the proxy answered 200. */
function openTunnel(proxy: URL, host: string, port: number): Promise<Socket> {
  const target = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  const headers: Record<string, string> = { host: target };
  if (proxy.username || proxy.password) {
    const user = decodeURIComponent(proxy.username);
    const password = decodeURIComponent(proxy.password);
    headers["proxy-authorization"] = `Basic ${encodeBase64(`${user}:${password}`)}`;
  }
  return new Promise<Socket>((resolve, reject) => {
    const req = http.request({
      host: proxy.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: Number(proxy.port || 80),
      method: "CONNECT",
      path: target,
      headers,
      agent: false,
    });
    req.setTimeout(PROXY_CONNECT_TIMEOUT_MS, () => {
      req.destroy(new Error(`proxy ${describeProxy(proxy)} did not answer CONNECT ${target} in time`));
    });
    req.once("connect", (res: IncomingMessage, socket: Socket) => {
      req.setTimeout(0);
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`proxy ${describeProxy(proxy)} refused CONNECT ${target}: HTTP ${res.statusCode}`));
        return;
      }
      resolve(socket);
    });
    req.once("error", (e: Error) => {
      reject(new Error(`proxy ${describeProxy(proxy)}: ${e.message}`, { cause: e }));
    });
    req.end();
  });
}

/** Chunks queued ahead of the reader before the socket is paused (backpressure towards the server). */
const QUEUED_CHUNKS = 16;

/**
 * A web `Response` over a node response. The body streams as it arrives; it ends exactly once, whether the server
 * finishes, the connection breaks, the signal aborts or the reader cancels (late events are ignored).
 */
function toResponse(res: IncomingMessage, signal?: AbortSignal): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : String(v));
  }
  const status = res.statusCode ?? 500;
  if (status === 204 || status === 304) {
    res.resume();
    return new Response(null, { status, headers });
  }
  let finished = false;
  const onAbort = () => res.destroy();
  const finish = (end: () => void) => {
    if (finished) return;
    finished = true;
    signal?.removeEventListener("abort", onAbort);
    end();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      signal?.addEventListener("abort", onAbort, { once: true });
      res.on("data", (chunk: Uint8Array) => {
        if (finished) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 1) <= 0) res.pause();
      });
      res.on("end", () => finish(() => controller.close()));
      res.on("error", (e: Error) => finish(() => controller.error(e)));
      // A destroyed response never emits "end": end the stream with an error so readers do not hang.
      res.on(
        "close",
        () =>
          finish(() =>
            res.complete
              ? controller.close()
              : controller.error(new Error("connection closed before the response was complete"))
          ),
      );
    },
    pull() {
      res.resume();
    },
    cancel() {
      finish(() => res.destroy());
    },
  }, { highWaterMark: QUEUED_CHUNKS });
  return new Response(body, { status, headers });
}
