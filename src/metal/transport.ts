/**
 * The HTTP layer of the Metal client: one call = one or more attempts. Each attempt sends the request with the
 * auth headers and a per-attempt timeout, reads the whole body (at most `maxResponseBytes`, else
 * `MetalResponseTooLargeError`), and turns the answer into a value or a typed error.
 * Retries follow `retry_policy.ts`: idempotent calls are retried on 429/5xx/network/timeout; a POST is sent again
 * only when the failed attempt certainly had no effect, or after the caller's `dedupe` lookup found nothing.
 */
import type { z } from "zod";
import type { Clock } from "../runtime/clock.ts";
import type { Logger } from "../observability/log.ts";
import { BodyTooLargeError, readTextLimited } from "../runtime/http_body.ts";
import type { MetalApiMetrics } from "./api_metrics.ts";
import {
  errorFromResponse,
  MetalApiError,
  MetalBadResponseError,
  type MetalErrorDetails,
  MetalNetworkError,
  MetalNotFoundError,
  MetalResponseTooLargeError,
  MetalTimeoutError,
  parseErrorBody,
  scrubMessages,
} from "./errors.ts";
import {
  certainlyNotApplied,
  retryAllowed,
  retryDelayMs,
  type RetryPolicy,
  retryReason,
  serverRetryDelayMs,
} from "./retry_policy.ts";
import { encodeQuery, fillPath, joinUrl, type QueryParams } from "./request_url.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** Everything the transport needs, resolved from the client options. */
export interface TransportConfig {
  token: string;
  baseUrl: string;
  userAgent: string;
  timeoutMs: number;
  /** Larger response bodies are cancelled and fail the call. */
  maxResponseBytes: number;
  retry: RetryPolicy;
  clock: Clock;
  log: Logger;
  fetch: typeof fetch;
  metrics: MetalApiMetrics;
}

/** One logical API call. */
export interface CallSpec {
  method: HttpMethod;
  /** Path template below the base URL, e.g. `/devices/{id}`; also the metrics label. */
  endpoint: string;
  params?: Record<string, string>;
  query?: QueryParams;
  /** Repeat array query parameters (`include=a&include=b`) instead of joining include/exclude with commas. */
  explodeQuery?: boolean;
  /** JSON request body. */
  body?: unknown;
  signal?: AbortSignal;
  /** Safe to send twice; defaults to true for GET, PUT, DELETE and false for POST. */
  idempotent?: boolean;
  /** DELETE: a 404 after an earlier attempt failed means that attempt (or someone else) deleted it. */
  notFoundOnRetryIsSuccess?: boolean;
  /** Values that must not appear in error messages even if the API echoes them (user data). */
  secrets?: string[];
  /** The request names a specific hardware reservation (reservation-shaped 4xx answers are about it). */
  specificReservation?: boolean;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: MetalApiError; serverDelayMs?: number };

/** Substrings of fetch errors raised before any byte of the request left (connection refused, DNS). */
const NOT_SENT = /client error \(Connect\)|tcp connect error|connection refused|dns error|failed to lookup address/i;

function errorText(e: unknown): string {
  let out = "";
  for (let cur = e, depth = 0; cur && depth < 5; depth++) {
    out += ` ${cur instanceof Error ? cur.message : String(cur)}`;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return out;
}

/** Performs Metal API calls with retries, timeouts, metrics and typed errors. */
export class MetalTransport {
  private readonly deprecationWarned = new Set<string>();

  constructor(private readonly cfg: TransportConfig) {}

  /** A call whose 2xx answer is a JSON body matching `schema`. */
  json<S extends z.ZodType>(
    spec: CallSpec,
    schema: S,
    dedupe?: () => Promise<z.output<S> | undefined>,
  ): Promise<z.output<S>> {
    return this.call(spec, (res, text, details) => parseBody(schema, res, text, details, spec), dedupe);
  }

  /** A call whose 2xx answer has no body we need (204, 202). */
  async noContent(spec: CallSpec): Promise<void> {
    await this.call(spec, () => undefined);
  }

  private async call<T>(
    spec: CallSpec,
    parse: (res: Response, text: string, details: MetalErrorDetails) => T,
    dedupe?: () => Promise<T | undefined>,
  ): Promise<T> {
    const { clock, retry, log, metrics } = this.cfg;
    const start = clock.now();
    const path = fillPath(spec.endpoint, spec.params);
    const url = joinUrl(this.cfg.baseUrl, path + encodeQuery(spec.query, spec.explodeQuery));
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const idempotent = spec.idempotent ?? spec.method !== "POST";
    for (let attempt = 1;; attempt++) {
      const outcome = await this.attempt(spec, path, url, body, idempotent, attempt, parse);
      if (outcome.ok) return outcome.value;
      const err = outcome.error;
      if (attempt > 1 && spec.notFoundOnRetryIsSuccess && err instanceof MetalNotFoundError) {
        return undefined as T;
      }
      const reason = retryReason(err);
      if (!reason || !(idempotent || dedupe || certainlyNotApplied(err))) throw err;
      const delay = retryDelayMs(retry, attempt - 1, outcome.serverDelayMs);
      if (!retryAllowed(retry, attempt, clock.now() - start, delay)) throw err;
      metrics.retries.inc({ endpoint: spec.endpoint, reason });
      log.debug("Retrying Metal API request", {
        method: spec.method,
        endpoint: spec.endpoint,
        attempt,
        reason,
        delayMs: delay,
      });
      await clock.sleep(delay, spec.signal);
      if (dedupe) {
        // The failed POST may have created the object: look for it before sending the POST again.
        let found: T | undefined;
        try {
          found = await dedupe();
        } catch (lookupErr) {
          log.warn("Lookup before retrying a Metal API request failed; not retrying", {
            method: spec.method,
            endpoint: spec.endpoint,
            error: lookupErr,
          });
          throw err;
        }
        if (found !== undefined) {
          log.debug("Found the object of a failed Metal API request; not retrying", { endpoint: spec.endpoint });
          return found;
        }
      }
    }
  }

  private async attempt<T>(
    spec: CallSpec,
    path: string,
    url: string,
    body: string | undefined,
    idempotent: boolean,
    attempt: number,
    parse: (res: Response, text: string, details: MetalErrorDetails) => T,
  ): Promise<Outcome<T>> {
    const { clock, timeoutMs } = this.cfg;
    const signal = spec.signal;
    if (signal?.aborted) throw signal.reason;
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError"));
    }, timeoutMs);
    const t0 = clock.now();
    const base: MetalErrorDetails = { status: 0, method: spec.method, path, endpoint: spec.endpoint, messages: [] };
    let res: Response | undefined;
    let text: string;
    try {
      const headers: Record<string, string> = {
        "X-Auth-Token": this.cfg.token,
        "User-Agent": this.cfg.userAgent,
        "Accept": "application/json",
      };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      // Redirects are not followed: the token header would travel to wherever the Location points.
      res = await this.cfg.fetch(url, {
        method: spec.method,
        headers,
        body: body !== undefined && !idempotent ? oneShotBody(body) : body,
        signal: controller.signal,
        redirect: "manual",
      });
      text = await readTextLimited(res, this.cfg.maxResponseBytes);
    } catch (e) {
      if (e instanceof BodyTooLargeError && res) {
        const requestId = res.headers.get("x-request-id") ?? undefined;
        this.record(spec, "response_too_large", clock.now() - t0, attempt, requestId);
        const details = { ...base, status: res.status, requestId };
        return { ok: false, error: new MetalResponseTooLargeError({ ...details, limitBytes: e.limitBytes }) };
      }
      if (signal?.aborted) {
        this.record(spec, "canceled", clock.now() - t0, attempt);
        throw signal.reason;
      }
      const requestId = res?.headers.get("x-request-id") ?? undefined;
      if (timedOut) {
        this.record(spec, "timeout", clock.now() - t0, attempt, requestId);
        return { ok: false, error: new MetalTimeoutError({ ...base, requestId, outcomeUnknown: true, timeoutMs }) };
      }
      // A failure after the status line arrived (body cut off) means the API did process the request.
      const outcomeUnknown = res !== undefined || !NOT_SENT.test(errorText(e));
      this.record(spec, "network_error", clock.now() - t0, attempt, requestId);
      const messages = scrubMessages([errorText(e).trim()], this.secrets(spec));
      return { ok: false, error: new MetalNetworkError({ ...base, messages, requestId, outcomeUnknown }) };
    } finally {
      clock.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
    return this.interpret(spec, res, text, base, attempt, clock.now() - t0, parse);
  }

  private interpret<T>(
    spec: CallSpec,
    res: Response,
    text: string,
    base: MetalErrorDetails,
    attempt: number,
    durationMs: number,
    parse: (res: Response, text: string, details: MetalErrorDetails) => T,
  ): Outcome<T> {
    const requestId = res.headers.get("x-request-id") ?? undefined;
    this.record(spec, String(res.status), durationMs, attempt, requestId);
    if (res.headers.has("deprecation") || res.headers.has("sunset")) this.warnDeprecated(spec, res.headers);
    const details = { ...base, status: res.status, requestId };
    if (res.status >= 200 && res.status < 300) {
      const value = parse(res, text, details);
      return { ok: true, value };
    }
    const messages = scrubMessages(parseErrorBody(text, res.headers.get("content-type")), this.secrets(spec));
    const serverDelayMs = res.status === 429 || res.status >= 500
      ? serverRetryDelayMs(res.headers, res.status, this.cfg.clock.now())
      : undefined;
    const error = errorFromResponse({ ...details, messages }, {
      retryAfterMs: serverDelayMs,
      specificReservation: spec.specificReservation,
    });
    return { ok: false, error, serverDelayMs };
  }

  private secrets(spec: CallSpec): string[] {
    return spec.secrets?.length ? [this.cfg.token, ...spec.secrets] : [this.cfg.token];
  }

  private record(spec: CallSpec, code: string, durationMs: number, attempt: number, requestId?: string): void {
    const { metrics, log } = this.cfg;
    metrics.requests.inc({ method: spec.method, endpoint: spec.endpoint, code });
    metrics.duration.observe({ method: spec.method, endpoint: spec.endpoint }, durationMs / 1000);
    if (log.enabled("debug")) {
      log.debug("Metal API request", {
        method: spec.method,
        endpoint: spec.endpoint,
        status: code,
        durationMs,
        requestId,
        attempt,
      });
    }
  }

  private warnDeprecated(spec: CallSpec, headers: Headers): void {
    if (this.deprecationWarned.has(spec.endpoint)) return;
    this.deprecationWarned.add(spec.endpoint);
    this.cfg.log.warn("Metal API endpoint is deprecated", {
      endpoint: spec.endpoint,
      deprecation: headers.get("deprecation") ?? undefined,
      sunset: headers.get("sunset") ?? undefined,
    });
  }
}

const encoder = new TextEncoder();

/**
 * The body of a non-idempotent request as a stream. Deno 2.9.3's fetch silently sends a request a second time when
 * a fresh connection is reset after the server received it (denoland/deno#35610, fixed after our pinned version);
 * it does so only for bodies it can replay, so a stream makes the runtime send a POST exactly once.
 */
function oneShotBody(body: string): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(body);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

function parseBody<S extends z.ZodType>(
  schema: S,
  _res: Response,
  text: string,
  details: MetalErrorDetails,
  spec: CallSpec,
): z.output<S> {
  const what = `${spec.method} ${spec.endpoint}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const messages = [text.trim() ? `body is not JSON (${text.length} bytes)` : "body is empty"];
    throw new MetalBadResponseError({ ...details, messages }, `unexpected response body for ${what}`);
  }
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const messages = r.error.issues.slice(0, 5).map((i) => `${formatPath(i.path)}: ${i.message}`);
  if (r.error.issues.length > 5) messages.push(`… ${r.error.issues.length - 5} more`);
  throw new MetalBadResponseError({ ...details, messages }, `response does not match the schema of ${what}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (!path.length) return "(body)";
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}
