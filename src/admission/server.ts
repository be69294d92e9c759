/**
 * The admission's HTTPS server: one path per validating handler, AdmissionReviews in and out (`review.ts`), TLS 1.2 or
 * newer. Minimal on purpose and behind `ValidatingHandler`, so the generic
 * webhook server of the extension can replace it. Bodies are bounded; a body is never logged (a Secret's review
 * carries its data), only kind, operation, verdict and duration.
 */
import { createServer } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Buffer } from "node:buffer";
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

/** Reads at most `max` bytes of a request body; undefined if it is longer (the rest is discarded). */
function boundedText(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > max) over = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(over ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/**
 * Starts the server; resolves once it listens. Served by `node:https` with TCP_NODELAY: `Deno.serve` leaves Nagle's
 * algorithm on, and over TLS a review then waits ~40 ms for the caller's delayed ACK.
 */
export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const { hostname, port } = parseListenAddress(opts.address);
  const shutdown = new AbortController();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "https://admission").pathname;
    const validate = Object.hasOwn(opts.handlers, path) ? opts.handlers[path] : undefined;
    if (!validate) return send(res, 404, "text/plain", "not found\n");
    if (req.method !== "POST") return send(res, 405, "text/plain", "only POST\n", { allow: "POST" });
    const started = performance.now();
    const text = await boundedText(req, MAX_REVIEW_BYTES);
    if (text === undefined) {
      reviews.inc({ path, kind: "", result: "bad_request" });
      return send(res, 413, "text/plain", `request body larger than ${MAX_REVIEW_BYTES} bytes\n`);
    }
    const answer = await answerReview(text, validate, shutdown.signal);
    const result = answer.status !== 200 ? "bad_request" : answer.verdict?.allowed ? "allowed" : "denied";
    reviews.inc({ path, kind: answer.kind ?? "", result });
    const seconds = (performance.now() - started) / 1000;
    latency.observe({ path }, seconds);
    opts.log.debug("Answered an AdmissionReview", { path, kind: answer.kind, result, seconds });
    if (answer.status !== 200) {
      opts.log.info("Refused a request that is not an AdmissionReview", { path, reason: answer.body });
      return send(res, answer.status, "text/plain", `${answer.body}\n`);
    }
    send(res, 200, "application/json", JSON.stringify(answer.body));
  };
  const server = createServer(
    { cert: opts.tls.certPem, key: opts.tls.keyPem, minVersion: "TLSv1.2", noDelay: true },
    (req, res) => {
      handle(req, res).catch((e) => {
        opts.log.error("Webhook request failed", { error: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
        else res.destroy();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname || undefined, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const bound = addr.address === "0.0.0.0" || addr.address === "::" ? "127.0.0.1" : addr.address;
  const url = `https://${bound.includes(":") ? `[${bound}]` : bound}:${addr.port}`;
  opts.log.info("Serving admission webhooks", {
    address: `${addr.address}:${addr.port}`,
    paths: Object.keys(opts.handlers),
  });
  return {
    url,
    async shutdown() {
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Callers keep connections alive between reviews: close them, or `close` waits for them forever.
      server.closeAllConnections();
      await closed;
    },
  };
}
