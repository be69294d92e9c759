/**
 * The HTTP layer under the Kubernetes client: native `fetch` with a `Deno.HttpClient` for the cluster's CA, client
 * certificate and proxy. `insecure-skip-tls-verify` over HTTPS is the one thing `Deno.createHttpClient` cannot do,
 * so only that case goes through `node:https` with `rejectUnauthorized: false`.
 */
import https from "node:https";
import type { IncomingMessage } from "node:http";
import type { ClusterConnection } from "./kubeconfig.ts";

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

/** Creates the transport for a connection (clients are created lazily and reused). */
export function createTransport(conn: ClusterConnection): Transport {
  const https_ = conn.server.startsWith("https:");
  if (https_ && conn.insecureSkipTlsVerify) {
    if (conn.proxyUrl) {
      throw new Error(`${conn.source ?? conn.server}: proxy-url cannot be combined with insecure-skip-tls-verify`);
    }
    return new InsecureNodeTransport(conn);
  }
  return new FetchTransport(conn);
}

async function currentTls(conn: ClusterConnection): Promise<TlsMaterial> {
  const dynamic = await conn.clientCertificate?.();
  if (dynamic) return dynamic;
  return { certPem: conn.clientCertPem, keyPem: conn.clientKeyPem };
}

class FetchTransport implements Transport {
  /** One HTTP client per client certificate (exec plugins may rotate it). */
  private readonly clients = new Map<string, Deno.HttpClient | undefined>();

  constructor(private readonly conn: ClusterConnection) {}

  private async client(): Promise<Deno.HttpClient | undefined> {
    const tls = await currentTls(this.conn);
    const key = tls.certPem ?? "";
    if (this.clients.has(key)) return this.clients.get(key);
    const { caPem, proxyUrl } = this.conn;
    let client: Deno.HttpClient | undefined;
    if (caPem || tls.certPem || proxyUrl) {
      const options: Deno.CreateHttpClientOptions = {};
      if (caPem) options.caCerts = [caPem];
      if (proxyUrl) options.proxy = { url: proxyUrl };
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

class InsecureNodeTransport implements Transport {
  private readonly agents = new Map<string, https.Agent>();

  constructor(private readonly conn: ClusterConnection) {}

  private async agent(): Promise<https.Agent> {
    const tls = await currentTls(this.conn);
    const key = tls.certPem ?? "";
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false, cert: tls.certPem, key: tls.keyPem });
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
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const onAbort = () => res.destroy();
      signal?.addEventListener("abort", onAbort, { once: true });
      res.on("data", (chunk: Uint8Array) => controller.enqueue(new Uint8Array(chunk)));
      res.on("end", () => {
        signal?.removeEventListener("abort", onAbort);
        controller.close();
      });
      res.on("error", (e: Error) => {
        signal?.removeEventListener("abort", onAbort);
        controller.error(e);
      });
      res.on("close", () => {
        signal?.removeEventListener("abort", onAbort);
        // A destroyed response never emits "end": end the stream with an error so readers do not hang.
        if (!res.complete) {
          try {
            controller.error(new Error("connection closed before the response was complete"));
          } catch {
            // already closed
          }
        }
      });
    },
    cancel() {
      res.destroy();
    },
  });
  return new Response(body, { status, headers });
}
