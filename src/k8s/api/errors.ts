/**
 * Typed Kubernetes API errors, built from the `Status` bodies the API server returns. The fake API server produces
 * its error bodies with `statusBody` so that client and server agree on the wire format.
 */

/** One cause of an Invalid (422) error, e.g. `{ type: "FieldValueRequired", field: "spec.foo" }`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** meta/v1 Status. */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, unknown>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** Base class of every error answered by a Kubernetes API server. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details?: StatusDetails;
  constructor(readonly status: Status) {
    super(status.message ?? `${status.reason ?? "Unknown"} (${status.code ?? 0})`);
    this.name = new.target.name;
    this.code = status.code ?? 0;
    this.reason = status.reason ?? "Unknown";
    this.details = status.details;
  }
  /** Seconds the server asked us to wait before retrying, if any. */
  get retryAfterSeconds(): number | undefined {
    return this.details?.retryAfterSeconds;
  }
}

export class BadRequestError extends ApiError {}
export class UnauthorizedError extends ApiError {}
export class ForbiddenError extends ApiError {}
export class NotFoundError extends ApiError {}
export class MethodNotAllowedError extends ApiError {}
/** 409 with reason Conflict: the resourceVersion (or a precondition) is stale. */
export class ConflictError extends ApiError {}
/** 409 with reason AlreadyExists. */
export class AlreadyExistsError extends ApiError {}
/** 410 Gone / reason Expired: the requested resourceVersion was compacted; re-list. */
export class GoneError extends ApiError {}
/** 422 Invalid, with field causes. */
export class InvalidError extends ApiError {
  get causes(): StatusCause[] {
    return this.details?.causes ?? [];
  }
}
export class TooManyRequestsError extends ApiError {}
export class InternalError extends ApiError {}
export class ServiceUnavailableError extends ApiError {}
export class TimeoutError extends ApiError {}

/** Reason strings as the real API server uses them. */
export const StatusReason = {
  BadRequest: "BadRequest",
  Unauthorized: "Unauthorized",
  Forbidden: "Forbidden",
  NotFound: "NotFound",
  MethodNotAllowed: "MethodNotAllowed",
  Conflict: "Conflict",
  AlreadyExists: "AlreadyExists",
  Gone: "Gone",
  Expired: "Expired",
  Invalid: "Invalid",
  TooManyRequests: "TooManyRequests",
  InternalError: "InternalError",
  ServiceUnavailable: "ServiceUnavailable",
  Timeout: "Timeout",
  UnsupportedMediaType: "UnsupportedMediaType",
} as const;

/** Builds a Failure Status body. */
export function statusBody(code: number, reason: string, message: string, details?: StatusDetails): Status {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, details, code };
}

function isStatus(body: unknown): body is Status {
  return typeof body === "object" && body !== null && (body as { kind?: unknown }).kind === "Status";
}

/** Turns an HTTP error response (status, parsed body, Retry-After header) into the matching typed error. */
export function apiErrorFrom(httpStatus: number, body: unknown, retryAfterHeader?: string | null): ApiError {
  const status: Status = isStatus(body)
    ? { ...body, code: body.code ?? httpStatus }
    : statusBody(httpStatus, reasonForCode(httpStatus), typeof body === "string" && body ? body : `HTTP ${httpStatus}`);
  if (retryAfterHeader && status.details?.retryAfterSeconds === undefined) {
    const seconds = Number(retryAfterHeader);
    if (Number.isFinite(seconds)) status.details = { ...status.details, retryAfterSeconds: seconds };
  }
  switch (httpStatus) {
    case 400:
      return new BadRequestError(status);
    case 401:
      return new UnauthorizedError(status);
    case 403:
      return new ForbiddenError(status);
    case 404:
      return new NotFoundError(status);
    case 405:
      return new MethodNotAllowedError(status);
    case 409:
      return status.reason === StatusReason.AlreadyExists ? new AlreadyExistsError(status) : new ConflictError(status);
    case 410:
      return new GoneError(status);
    case 422:
      return new InvalidError(status);
    case 429:
      return new TooManyRequestsError(status);
    case 500:
      return new InternalError(status);
    case 503:
      return new ServiceUnavailableError(status);
    case 504:
      return new TimeoutError(status);
    default:
      return new ApiError(status);
  }
}

function reasonForCode(code: number): string {
  const reasons: Record<number, string> = {
    400: StatusReason.BadRequest,
    401: StatusReason.Unauthorized,
    403: StatusReason.Forbidden,
    404: StatusReason.NotFound,
    405: StatusReason.MethodNotAllowed,
    409: StatusReason.Conflict,
    410: StatusReason.Gone,
    415: StatusReason.UnsupportedMediaType,
    422: StatusReason.Invalid,
    429: StatusReason.TooManyRequests,
    500: StatusReason.InternalError,
    503: StatusReason.ServiceUnavailable,
    504: StatusReason.Timeout,
  };
  return reasons[code] ?? "Unknown";
}

export const isNotFound = (e: unknown): e is NotFoundError => e instanceof NotFoundError;
export const isConflict = (e: unknown): e is ConflictError => e instanceof ConflictError;
export const isAlreadyExists = (e: unknown): e is AlreadyExistsError => e instanceof AlreadyExistsError;
export const isGone = (e: unknown): e is GoneError => e instanceof GoneError;
export const isInvalid = (e: unknown): e is InvalidError => e instanceof InvalidError;
export const isForbidden = (e: unknown): e is ForbiddenError => e instanceof ForbiddenError;
export const isUnauthorized = (e: unknown): e is UnauthorizedError => e instanceof UnauthorizedError;
export const isTooManyRequests = (e: unknown): e is TooManyRequestsError => e instanceof TooManyRequestsError;

/** The read's object, or undefined when the API server answers NotFound (any other error is thrown). */
export async function undefinedIfNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** The client gave up waiting for a response (no answer from the server within the request timeout). */
export class RequestTimeoutError extends Error {
  constructor(readonly method: string, readonly url: string, readonly timeoutMs: number) {
    super(`${method} ${url}: no response within ${timeoutMs} ms`);
    this.name = "RequestTimeoutError";
  }
}
