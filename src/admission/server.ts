/**
 * The admission's HTTPS server: one path per validating handler, AdmissionReviews in and out (`review.ts`), TLS 1.2 or
 * newer (Deno's TLS stack offers nothing older). Minimal on purpose and behind `ValidatingHandler`, so the generic
 * webhook server of the extension can replace it. Bodies are bounded; a body is never logged (a Secret's review
 * carries its data), only kind, operation, verdict and duration.
 */
import type { Logger } from "../observability/log.ts";
import { counter, histogram } from "../observability/metrics.ts";
import { parseListenAddress } from "../observability/listen_address.ts";
import { answerReview, MAX_REVIEW_BYTES, type ValidatingHandler } from "./review.ts";

/** PEM certificate chain and key of the server. */
export interface ServingTls {
  certPem: string;
  keyPem: string;
}

export interface WebhookServerOptions {
  /** `host:port`; port 0 picks a free one. */
  address: string;
  tls: ServingTls;
  /** Handler per path, e.g. `{ "/webhooks/validate": handler }`. */
  handlers: Record<string, ValidatingHandler>;
  log: Logger;
}

export interface WebhookServer {
  /** `https://host:port` as bound. */
  readonly url: string;
  shutdown(): Promise<void>;
}

const reviews = counter({
  name: "admission_webhook_requests_total",
  help: "AdmissionReviews answered by the admission, by path, kind and result (allowed, denied, bad_request).",
  labelNames: ["path", "kind", "result"] as const,
});
const latency = histogram({
  name: "admission_webhook_duration_seconds",
  help: "Time to answer one AdmissionReview.",
  labelNames: ["path"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5],
});

/** Reads at most `max` bytes of a request body; undefined if it is longer. */
async function boundedText(req: Request, max: number): Promise<string | undefined> {
  if (!req.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.byteLength;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** Starts the server; resolves once it listens. */
export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const { hostname, port } = parseListenAddress(opts.address);
  const shutdown = new AbortController();
  const handler = async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname;
    const validate = Object.hasOwn(opts.handlers, path) ? opts.handlers[path] : undefined;
    if (!validate) return new Response("not found\n", { status: 404 });
    if (req.method !== "POST") return new Response("only POST\n", { status: 405, headers: { allow: "POST" } });
    const started = performance.now();
    const text = await boundedText(req, MAX_REVIEW_BYTES);
    if (text === undefined) {
      reviews.inc({ path, kind: "", result: "bad_request" });
      return new Response(`request body larger than ${MAX_REVIEW_BYTES} bytes\n`, { status: 413 });
    }
    const answer = await answerReview(text, validate, shutdown.signal);
    const result = answer.status !== 200 ? "bad_request" : answer.verdict?.allowed ? "allowed" : "denied";
    reviews.inc({ path, kind: answer.kind ?? "", result });
    const seconds = (performance.now() - started) / 1000;
    latency.observe({ path }, seconds);
    opts.log.debug("Answered an AdmissionReview", { path, kind: answer.kind, result, seconds });
    if (answer.status !== 200) {
      opts.log.info("Refused a request that is not an AdmissionReview", { path, reason: answer.body });
      return new Response(`${answer.body}\n`, { status: answer.status, headers: { "content-type": "text/plain" } });
    }
    return Response.json(answer.body);
  };
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname,
    port,
    cert: opts.tls.certPem,
    key: opts.tls.keyPem,
    onListen: (addr) => listening.resolve(addr),
    onError: (e) => {
      opts.log.error("Webhook request failed", { error: e instanceof Error ? e.message : String(e) });
      return new Response("internal error\n", { status: 500 });
    },
  }, handler);
  const addr = await listening.promise;
  const host = addr.hostname === "0.0.0.0"
    ? "127.0.0.1"
    : addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  const url = `https://${host}:${addr.port}`;
  opts.log.info("Serving admission webhooks", {
    address: `${addr.hostname}:${addr.port}`,
    paths: Object.keys(opts.handlers),
  });
  return {
    url,
    async shutdown() {
      shutdown.abort();
      await server.shutdown();
    },
  };
}
