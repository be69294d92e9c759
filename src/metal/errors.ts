/**
 * Typed errors of the Equinix Metal API client. Every error the client throws extends `MetalApiError`, so callers can
 * catch one class and branch on the subclass. Messages carry the API's own texts (callers such as the MCM driver
 * match on them), never the API token or user data.
 */

/** What every Metal API failure carries. */
export interface MetalErrorDetails {
  /** HTTP status; 0 when no response was received. */
  status: number;
  /** `X-Request-Id` of the response, if any. */
  requestId?: string;
  /** The API's messages (`errors[]` or `error`), or a summary of a non-JSON body. */
  messages: string[];
  method: string;
  /** Request path below the base URL, without query (e.g. `/devices/5d0e…`). */
  path: string;
  /** Path template (e.g. `/devices/{id}`), as used in metrics. */
  endpoint?: string;
  cause?: unknown;
}

function describe(d: MetalErrorDetails, summary: string): string {
  const head = `Metal API ${d.method} ${d.path}`;
  const status = d.status ? ` ${d.status}` : "";
  const msgs = d.messages.length ? `: ${d.messages.join("; ")}` : "";
  const id = d.requestId ? ` (request id ${d.requestId})` : "";
  return `${head}${status} ${summary}${msgs}${id}`;
}

/** Base class of every error of the Metal client. */
export class MetalApiError extends Error {
  readonly status: number;
  readonly requestId?: string;
  readonly messages: string[];
  readonly method: string;
  readonly path: string;
  readonly endpoint?: string;

  constructor(details: MetalErrorDetails, summary = "failed") {
    super(describe(details, summary), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.requestId = details.requestId;
    this.messages = details.messages;
    this.method = details.method;
    this.path = details.path;
    this.endpoint = details.endpoint;
  }
}

/** 401: missing or invalid API token. */
export class MetalUnauthenticatedError extends MetalApiError {}

/** 403: the object exists but the token may not see it (also devices that failed provisioning). */
export class MetalPermissionDeniedError extends MetalApiError {}

/** 404: unknown id. */
export class MetalNotFoundError extends MetalApiError {}

/** 422: validation or business-rule failure. */
export class MetalInvalidError extends MetalApiError {}

/** 429: too many requests; `retryAfterMs` is what the server asked for, if it said. */
export class MetalRateLimitedError extends MetalApiError {
  readonly retryAfterMs?: number;
  constructor(details: MetalErrorDetails & { retryAfterMs?: number }) {
    super(details, "rate limited");
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Why no server could be provisioned: no on-demand capacity, or no free hardware reservation. */
export type CapacityExhaustedReason = "capacity" | "reservations";

/** No on-demand capacity for the plan in the location, or no available hardware reservation (`next-available`). */
export class MetalCapacityExhaustedError extends MetalApiError {
  readonly reason: CapacityExhaustedReason;
  constructor(details: MetalErrorDetails & { reason: CapacityExhaustedReason }) {
    super(details, details.reason === "capacity" ? "no capacity" : "no available hardware reservations");
    this.reason = details.reason;
  }
}

/** A specific hardware reservation cannot be used: busy, being freed ("Server is not provisionable"), or unknown. */
export class MetalReservationUnavailableError extends MetalApiError {}

/** 5xx (other than the capacity answers above). */
export class MetalServerError extends MetalApiError {}

/** No usable response: connection failure or a body that could not be read. */
export class MetalNetworkError extends MetalApiError {
  /** True when the request may have reached the API and taken effect. */
  readonly outcomeUnknown: boolean;
  constructor(details: MetalErrorDetails & { outcomeUnknown: boolean }) {
    super(details, "network error");
    this.outcomeUnknown = details.outcomeUnknown;
  }
}

/** The per-request timeout elapsed before a complete response arrived. */
export class MetalTimeoutError extends MetalApiError {
  /** True when the request may have reached the API and taken effect (always, once it was sent). */
  readonly outcomeUnknown: boolean;
  readonly timeoutMs: number;
  constructor(details: MetalErrorDetails & { outcomeUnknown: boolean; timeoutMs: number }) {
    super(details, `timed out after ${details.timeoutMs} ms`);
    this.outcomeUnknown = details.outcomeUnknown;
    this.timeoutMs = details.timeoutMs;
  }
}

/** A 2xx response we cannot use: not JSON, not matching the schema, or incoherent pagination `meta`. */
export class MetalBadResponseError extends MetalApiError {}

/** The response body was larger than the client's limit; it was not read further (never retried). */
export class MetalResponseTooLargeError extends MetalBadResponseError {
  readonly limitBytes: number;
  constructor(details: MetalErrorDetails & { limitBytes: number }) {
    super(details, `response body larger than the limit of ${details.limitBytes} bytes`);
    this.limitBytes = details.limitBytes;
  }
}

/** Rejected before sending: a caller-supplied value is invalid. Names the field and the operation. */
export class MetalInputError extends Error {
  constructor(readonly operation: string, readonly field: string, problem: string) {
    super(`${operation}: ${field} ${problem}`);
    this.name = "MetalInputError";
  }
}

/** Messages of an error body: `{"errors":[...]}`, `{"error":"..."}`, or a short summary of a non-JSON body. */
export function parseErrorBody(body: string, contentType: string | null): string[] {
  const text = body.trim();
  if (!text) return [];
  const looksJson = text.startsWith("{") || text.startsWith("[") || /json/i.test(contentType ?? "");
  if (looksJson) {
    try {
      return messagesFromJson(JSON.parse(text));
    } catch {
      // not JSON after all (truncated or mislabelled); summarise it as text below
    }
  }
  return [summariseText(text)];
}

function messagesFromJson(value: unknown): string[] {
  if (value === null || typeof value !== "object") return [String(value)];
  const obj = value as Record<string, unknown>;
  const out: string[] = [];
  if (Array.isArray(obj.errors)) {
    for (const e of obj.errors) out.push(typeof e === "string" ? e : JSON.stringify(e));
  } else if (typeof obj.errors === "string") {
    out.push(obj.errors);
  }
  if (typeof obj.error === "string" && obj.error) out.push(obj.error);
  if (!out.length && typeof obj.message === "string") out.push(obj.message);
  return out;
}

const MAX_TEXT_SUMMARY = 200;

/** An HTML page from a load balancer becomes its <title> (or its text, shortened). */
function summariseText(text: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
  const plain = (title ?? text.replace(/<[^>]*>/g, " ")).replace(/\s+/g, " ").trim();
  return plain.length > MAX_TEXT_SUMMARY ? plain.slice(0, MAX_TEXT_SUMMARY) + "…" : plain;
}

const NO_RESERVATIONS = / no available hardware reservations /i;
const NO_CAPACITY = [
  /there aren'?t available servers/i,
  /has no provisionable .* servers/i,
  /no available servers with plan/i,
];
const RESERVATION_UNAVAILABLE = /server is not provisionable/i;
/**
 * With a specific reservation in the request, a 4xx answer about a hardware reservation is about that one (busy,
 * spare, other plan, other location, unknown).
 */
const RESERVATION_PROBLEM = [
  /hardware reservation/i,
  /reservation.*(not provisionable|not available|unavailable|in use|busy|spare|not found)/i,
];

/** Extra context for classifying an error response. */
export interface ErrorContext {
  /** Seconds/date the server asked us to wait, already converted (429). */
  retryAfterMs?: number;
  /** The request asked for a specific hardware reservation: reservation-shaped 4xx answers are about it. */
  specificReservation?: boolean;
}

/** Builds the typed error for an HTTP error response. */
export function errorFromResponse(d: MetalErrorDetails, ctx: ErrorContext = {}): MetalApiError {
  const joined = ` ${d.messages.join(" | ")} `;
  if (d.status === 401) return new MetalUnauthenticatedError(d, "unauthenticated");
  if (d.status === 403) return new MetalPermissionDeniedError(d, "permission denied");
  if (d.status === 429) return new MetalRateLimitedError({ ...d, retryAfterMs: ctx.retryAfterMs });
  // Capacity and reservation answers are recognised by text: their status codes vary (422, 503, 404).
  if (NO_RESERVATIONS.test(joined)) return new MetalCapacityExhaustedError({ ...d, reason: "reservations" });
  if (NO_CAPACITY.some((re) => re.test(joined))) return new MetalCapacityExhaustedError({ ...d, reason: "capacity" });
  const aboutReservation = ctx.specificReservation && d.status < 500 &&
    RESERVATION_PROBLEM.some((re) => re.test(joined));
  if (RESERVATION_UNAVAILABLE.test(joined) || aboutReservation) {
    return new MetalReservationUnavailableError(d, "hardware reservation unavailable");
  }
  if (d.status === 404) return new MetalNotFoundError(d, "not found");
  if (d.status === 422) return new MetalInvalidError(d, "invalid");
  if (d.status >= 500) return new MetalServerError(d, "server error");
  return new MetalApiError(d, "failed");
}

/** Replaces each secret value (token, user data) in the messages; the API may echo what it was sent. */
export function scrubMessages(messages: string[], secrets: readonly string[]): string[] {
  const real = secrets.filter((s) => s.length >= 4);
  if (!real.length) return messages;
  return messages.map((m) => real.reduce((acc, s) => acc.split(s).join("[REDACTED]"), m));
}
