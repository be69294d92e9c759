/**
 * The webhook HTTPS server shared by the extension's mutating webhooks and the admission's validating ones: one path
 * per route (a route answers an AdmissionReview body; the extension's mutations and the admission's validations are
 * routes), TLS 1.2 or newer, AdmissionReview bodies up to a size limit, slow
 * clients cut off, and a serving certificate that can be swapped while requests are in flight (`node:https`'s
 * `setSecureContext`: new handshakes get the new certificate, open connections finish with the old one; Deno.serve
 * cannot change its certificate). A request never crashes the server: every failure is an answer or a closed
 * connection.
 */
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { getLogger, type Logger } from "../../observability/log.ts";
import { counter, histogram } from "../../observability/metrics.ts";
import { BodyTooLargeError, LimitedBody } from "../../runtime/http_body.ts";
import { type Clock, realClock, type Timer } from "../../runtime/clock.ts";

/** What a route answers: the HTTP status (200 unless told), the body (JSON, or text) and an outcome for metrics. */
export interface RouteAnswer {
  status?: number;
  body: unknown;
  outcome: string;
}

/** One path of the server and what answers its AdmissionReviews. */
export interface WebhookRoute {
  /** For metrics and logs. */
  name: string;
  path: string;
  /** Answers one request body; must not throw (a throw becomes a 500 and is logged). */
  answer(bodyText: string, opts: { signal: AbortSignal; log: Logger }): Promise<RouteAnswer>;
}

/** A serving certificate and its key, PEM. */
export interface ServingPair {
  certPem: string;
  keyPem: string;
}

/** How to start the webhook server. */
/**
 * Waits for the first serving certificate: asks `read` every second until it returns one (a failure is logged and
 * retried); undefined once `signal` aborts.
 */
export async function firstServingPair(
  read: (signal: AbortSignal) => Promise<ServingPair | undefined>,
  opts: { clock: Clock; log: Logger; signal: AbortSignal },
): Promise<ServingPair | undefined> {
  const { clock, log, signal } = opts;
  while (!signal.aborted) {
    const pair = await read(signal).catch((e) => {
      if (!signal.aborted) {
        log.error("Cannot read the webhook serving certificate", { error: e instanceof Error ? e.message : String(e) });
      }
      return undefined;
    });
    if (pair) return pair;
    await clock.sleep(1000, signal).catch(() => {});
  }
  return undefined;
}

export interface WebhookServerOptions {
  /** Listen host (`--webhook-config-server-host`; empty: all interfaces). */
  host?: string;
  /** Listen port (`--webhook-config-server-port`; 0: any free port). */
  port: number;
  routes: WebhookRoute[];
  certificate: ServingPair;
  /** Largest accepted body (default 7 MiB, controller-runtime's limit; kube-apiserver objects are ≤ 3 MiB). */
  maxBodyBytes?: number;
  /** Time a new connection has to send its first request's headers (default 10 s). */
  headerTimeoutMs?: number;
  /** Time a request has to deliver its body (default 10 s, the webhooks' `timeoutSeconds`). */
  bodyTimeoutMs?: number;
  /** Time an idle keep-alive connection stays open (default 90 s). */
  idleTimeoutMs?: number;
  clock?: Clock;
  log?: Logger;
}

/** A running webhook server. */
export interface WebhookServer {
  /** The bound port. */
  readonly port: number;
  /** Serves new TLS handshakes with this certificate; connections already open keep theirs. */
  setCertificate(pair: ServingPair): void;
  /** The certificate new handshakes get. */
  readonly certificate: ServingPair;
  /** Stops accepting, lets in-flight requests finish, closes idle connections. */
  shutdown(): Promise<void>;
}

const MIN_TLS = "TLSv1.2";
const DEFAULT_MAX_BODY = 7 * 1024 * 1024;

const requests = counter({
  name: "webhook_requests_total",
  help: "AdmissionReview requests answered by the webhook server, by webhook and outcome.",
  labelNames: ["webhook", "outcome"],
});
const latency = histogram({
  name: "webhook_request_duration_seconds",
  help: "Time from a request's headers to its answer, by webhook.",
  labelNames: ["webhook"],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 10],
});

function send(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
    "content-length": String(new TextEncoder().encode(text).byteLength),
    ...(close ? { connection: "close" } : {}),
  });
  res.end(text);
}

/** Reads a request body up to the limit (events: iterating a `node:http` request is slower in Deno). */
function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = new LimitedBody(limitBytes);
    const onData = (chunk: Uint8Array) => {
      try {
        body.push(chunk);
      } catch (e) {
        req.off("data", onData);
        req.pause();
        reject(e);
      }
    };
    req.on("data", onData);
    req.once("end", () => resolve(body.text()));
    req.once("error", reject);
    req.once("close", () => reject(new Error("connection closed before the body ended")));
  });
}

/** Starts the server; resolves once it listens. */
export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const log = opts.log ?? getLogger("webhook.server");
  const clock = opts.clock ?? realClock;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const headerTimeout = opts.headerTimeoutMs ?? 10_000;
  const bodyTimeout = opts.bodyTimeoutMs ?? 10_000;
  const idleTimeout = opts.idleTimeoutMs ?? 90_000;
  const byPath = new Map<string, WebhookRoute>();
  for (const w of opts.routes) {
    if (byPath.has(w.path)) throw new Error(`webhooks ${byPath.get(w.path)!.name} and ${w.name} share path ${w.path}`);
    byPath.set(w.path, w);
  }
  let current = opts.certificate;
  const stopping = new AbortController();
  const sockets = new Map<Socket, { timer?: Timer; busy: boolean }>();
  const inFlight = new Set<Promise<void>>();

  const arm = (socket: Socket, ms: number, why: string) => {
    const state = sockets.get(socket);
    if (!state) return;
    if (state.timer) clock.clearTimeout(state.timer);
    state.timer = clock.setTimeout(() => {
      log.debug("Closing a connection", { reason: why });
      socket.destroy();
    }, ms);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket;
    const state = sockets.get(socket);
    if (state) {
      state.busy = true;
      if (state.timer) clock.clearTimeout(state.timer);
      state.timer = undefined;
    }
    res.on("finish", () => {
      if (!state) return;
      state.busy = false;
      if (stopping.signal.aborted) socket.end();
      else arm(socket, idleTimeout, "idle");
    });
    const path = (req.url ?? "/").split("?")[0];
    const webhook = byPath.get(path);
    if (!webhook) {
      req.resume();
      send(res, 404, `no webhook at ${path}\n`);
      return;
    }
    if (req.method !== "POST") {
      req.resume();
      send(res, 405, "webhooks accept POST only\n");
      return;
    }
    const started = performance.now();
    const bodyTimer = clock.setTimeout(() => {
      log.info("Closing a connection whose request body is too slow", { webhook: webhook.name });
      socket.destroy();
    }, bodyTimeout);
    let text: string;
    try {
      text = await readBody(req, maxBody);
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        requests.inc({ webhook: webhook.name, outcome: "too-large" });
        send(res, 413, `request body larger than ${maxBody} bytes\n`, true);
        socket.end();
      } else socket.destroy();
      return;
    } finally {
      clock.clearTimeout(bodyTimer);
    }
    const { status, body, outcome } = await webhook.answer(text, { signal: stopping.signal, log });
    requests.inc({ webhook: webhook.name, outcome });
    latency.observe({ webhook: webhook.name }, (performance.now() - started) / 1000);
    if (!socket.destroyed) send(res, status ?? 200, body);
  }

  const server = https.createServer(
    { cert: current.certPem, key: current.keyPem, minVersion: MIN_TLS },
    (req, res) => {
      const p = handle(req, res).catch((e) => {
        log.error("Webhook request failed", { error: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent && !req.socket.destroyed) send(res, 500, "internal error\n", true);
        else req.socket.destroy();
      });
      inFlight.add(p);
      p.finally(() => inFlight.delete(p));
    },
  );
  server.on("secureConnection", (socket: Socket) => {
    sockets.set(socket, { busy: false });
    arm(socket, headerTimeout, "no request headers in time");
    socket.on("close", () => {
      const state = sockets.get(socket);
      if (state?.timer) clock.clearTimeout(state.timer);
      sockets.delete(socket);
    });
    socket.on("error", () => {});
  });
  server.on("tlsClientError", (e: Error) => log.debug("TLS handshake failed", { error: e.message }));
  server.on("clientError", (_e: Error, socket: Socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host || undefined, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (e: Error) => log.error("Webhook server error", { error: e.message }));
  const port = (server.address() as { port: number }).port;
  log.info("Webhook server listening", { host: opts.host || "", port, paths: [...byPath.keys()] });

  return {
    port,
    get certificate() {
      return current;
    },
    setCertificate(pair: ServingPair) {
      server.setSecureContext({ cert: pair.certPem, key: pair.keyPem, minVersion: MIN_TLS });
      current = pair;
    },
    async shutdown() {
      stopping.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const [socket, state] of sockets) if (!state.busy) socket.end();
      await Promise.allSettled([...inFlight]);
      for (const socket of sockets.keys()) socket.destroy();
      await closed;
    },
  };
}
