/**
 * Raw HTTP access to the fake API server for its own tests: JSON requests with the bearer token over the server's
 * CA, and a line reader for watch streams. Every client and stream is closed by `close()`.
 */
import { type ApiServer, type ApiServerOptions, startApiServer } from "../../../src/sim/apiserver/mod.ts";

/** A parsed response. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** One watch event as received. */
export interface ReceivedEvent {
  type: string;
  object: Record<string, unknown> & { metadata?: { name?: string; resourceVersion?: string } };
}

/** An open watch: read events one by one. */
export class WatchReader {
  private buffer = "";
  private readonly decoder = new TextDecoder();
  private done = false;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** The next event, or undefined once the server closed the stream. */
  async next(): Promise<ReceivedEvent | undefined> {
    for (;;) {
      const nl = this.buffer.indexOf("\n");
      if (nl >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line.trim()) return JSON.parse(line) as ReceivedEvent;
        continue;
      }
      if (this.done) return undefined;
      const { value, done } = await this.reader.read();
      if (done) this.done = true;
      else this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** Reads `n` events (fails if the stream ends first). */
  async take(n: number): Promise<ReceivedEvent[]> {
    const out: ReceivedEvent[] = [];
    while (out.length < n) {
      const e = await this.next();
      if (!e) throw new Error(`watch ended after ${out.length} of ${n} events`);
      out.push(e);
    }
    return out;
  }

  /** Reads until the server closes the stream; returns the remaining events. */
  async rest(): Promise<ReceivedEvent[]> {
    const out: ReceivedEvent[] = [];
    for (let e = await this.next(); e; e = await this.next()) out.push(e);
    return out;
  }

  /** Cancels the stream (client side). */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.reader.cancel().catch(() => {});
    }
  }
}

/** A test's handle on one running server. */
export class TestApi {
  private readonly client?: Deno.HttpClient;
  private readonly watches: WatchReader[] = [];

  constructor(readonly server: ApiServer, private readonly sendToken = true) {
    if (server.caPem) this.client = Deno.createHttpClient({ caCerts: [server.caPem] });
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.sendToken ? { authorization: `Bearer ${this.server.token}` } : {}), ...extra };
  }

  /** Sends a request; the body is JSON unless `contentType` says otherwise and a string is given. */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    opts: { contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(this.server.url + path, {
      method,
      headers: this.headers({ "content-type": opts.contentType ?? "application/json", ...opts.headers }),
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      client: this.client,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (e.g. /healthz)
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = Record<string, unknown>>(path: string) {
    return this.request<T>("GET", path);
  }
  post<T = Record<string, unknown>>(path: string, body: unknown) {
    return this.request<T>("POST", path, body);
  }
  put<T = Record<string, unknown>>(path: string, body: unknown) {
    return this.request<T>("PUT", path, body);
  }
  patch<T = Record<string, unknown>>(path: string, body: unknown, contentType: string) {
    return this.request<T>("PATCH", path, body, { contentType });
  }
  delete<T = Record<string, unknown>>(path: string, body?: unknown) {
    return this.request<T>("DELETE", path, body);
  }

  /** Opens a watch (GET with watch=true appended). */
  async watch(path: string): Promise<WatchReader> {
    const sep = path.includes("?") ? "&" : "?";
    const res = await fetch(`${this.server.url}${path}${sep}watch=true`, {
      headers: this.headers(),
      client: this.client,
    });
    if (res.status !== 200 || !res.body) throw new Error(`watch ${path}: HTTP ${res.status}: ${await res.text()}`);
    const w = new WatchReader(res.body.getReader());
    this.watches.push(w);
    return w;
  }

  /** Closes watches, the HTTP client and the server. */
  async close(): Promise<void> {
    for (const w of this.watches) await w.close();
    await this.server.stop();
    this.client?.close();
  }
}

/** Starts a server, runs `fn`, and always cleans up. */
export async function withApi(fn: (api: TestApi) => Promise<void>, opts: ApiServerOptions = {}): Promise<void> {
  const api = new TestApi(await startApiServer(opts));
  try {
    await fn(api);
  } finally {
    await api.close();
  }
}

/** A ConfigMap manifest. */
export function configMap(name: string, data: Record<string, string> = {}, labels?: Record<string, string>) {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...(labels ? { labels } : {}) }, data };
}
