/**
 * The error answers of the fake API server, worded like kube-apiserver's (`configmaps "x" not found`,
 * `Operation cannot be fulfilled on ...`). Handlers throw `StatusError`; the router turns it into a `Status` body.
 */
import { type Status, statusBody, type StatusCause, StatusReason } from "../../k8s/api/errors.ts";

/** A failure answered with a kube `Status` body (and optional extra headers such as Retry-After). */
export class StatusError extends Error {
  constructor(readonly status: Status, readonly headers: Record<string, string> = {}) {
    super(status.message);
    this.name = "StatusError";
  }
  get code(): number {
    return this.status.code ?? 500;
  }
}

/** Identifies the object an error is about: plural resource and group, as the real server reports them. */
export interface ErrorTarget {
  resource: string;
  group: string;
  name?: string;
}

function qualified(t: ErrorTarget): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

function details(t: ErrorTarget): { name?: string; group?: string; kind: string } {
  return { name: t.name, ...(t.group ? { group: t.group } : {}), kind: t.resource };
}

/** 404 `<resource>.<group> "<name>" not found`. */
export function notFound(t: ErrorTarget): StatusError {
  return new StatusError(
    statusBody(404, StatusReason.NotFound, `${qualified(t)} "${t.name ?? ""}" not found`, details(t)),
  );
}

/** 404 for a URL that names no served resource. */
export function pathNotFound(path: string): StatusError {
  return new StatusError(statusBody(404, StatusReason.NotFound, `the server could not find the requested resource`, {
    causes: [{ reason: "UnexpectedServerResponse", message: `404 page not found: ${path}` }],
  }));
}

/** 409 AlreadyExists. */
export function alreadyExists(t: ErrorTarget): StatusError {
  return new StatusError(
    statusBody(409, StatusReason.AlreadyExists, `${qualified(t)} "${t.name ?? ""}" already exists`, details(t)),
  );
}

/** 409 Conflict with kube's wording; `detail` defaults to the stale-resourceVersion sentence. */
export function conflict(t: ErrorTarget, detail?: string): StatusError {
  const why = detail ??
    "the object has been modified; please apply your changes to the latest version and try again";
  return new StatusError(
    statusBody(
      409,
      StatusReason.Conflict,
      `Operation cannot be fulfilled on ${qualified(t)} "${t.name ?? ""}": ${why}`,
      {
        ...details(t),
      },
    ),
  );
}

/** 422 Invalid: `<Kind> "<name>" is invalid: <field>: <message>` with one cause per field error. */
export function invalid(
  target: { kind: string; group: string; name?: string },
  causes: Array<{ type: string; field: string; message: string }>,
): StatusError {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  // kube qualifies the kind with its group: `Deployment.apps "x" is invalid`, `ConfigMap "x" is invalid`.
  const qualifiedKind = target.group ? `${target.kind}.${target.group}` : target.kind;
  const statusCauses: StatusCause[] = causes.map((c) => ({ reason: c.type, message: c.message, field: c.field }));
  return new StatusError(
    statusBody(422, StatusReason.Invalid, `${qualifiedKind} "${target.name ?? ""}" is invalid: ${summary}`, {
      name: target.name,
      ...(target.group ? { group: target.group } : {}),
      kind: target.kind,
      causes: statusCauses,
    }),
  );
}

/** 400 BadRequest. */
export function badRequest(message: string): StatusError {
  return new StatusError(statusBody(400, StatusReason.BadRequest, message));
}

/** 401 Unauthorized. */
export function unauthorized(): StatusError {
  return new StatusError(statusBody(401, StatusReason.Unauthorized, "Unauthorized"));
}

/** 403 Forbidden. */
export function forbidden(t: ErrorTarget, message: string, causes?: StatusCause[]): StatusError {
  return new StatusError(statusBody(403, StatusReason.Forbidden, message, { ...details(t), causes }));
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(message = "the server does not allow this method on the requested resource") {
  return new StatusError(statusBody(405, StatusReason.MethodNotAllowed, message));
}

/** 410 Expired (too old resourceVersion). */
export function expired(message: string): StatusError {
  return new StatusError(statusBody(410, StatusReason.Expired, message));
}

/** 415 UnsupportedMediaType for a patch type the resource does not support. */
export function unsupportedMediaType(contentType: string, accepted: string[]): StatusError {
  return new StatusError(
    statusBody(
      415,
      StatusReason.UnsupportedMediaType,
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
      { causes: [{ reason: "UnsupportedMediaType", message: `unsupported content type ${contentType}` }] },
    ),
  );
}

/** 429 TooManyRequests, with Retry-After when given. */
export function tooManyRequests(message: string, retryAfterSeconds?: number, causes?: StatusCause[]): StatusError {
  const status = statusBody(429, StatusReason.TooManyRequests, message, {
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(causes ? { causes } : {}),
  });
  return new StatusError(status, retryAfterSeconds !== undefined ? { "retry-after": String(retryAfterSeconds) } : {});
}

/** 500 InternalError. */
export function internalError(message: string): StatusError {
  return new StatusError(statusBody(500, StatusReason.InternalError, message));
}

/** Any other status code (used by fault injection). */
export function withCode(code: number, message: string): StatusError {
  const reasons: Record<number, string> = {
    400: StatusReason.BadRequest,
    401: StatusReason.Unauthorized,
    403: StatusReason.Forbidden,
    404: StatusReason.NotFound,
    405: StatusReason.MethodNotAllowed,
    409: StatusReason.Conflict,
    410: StatusReason.Expired,
    422: StatusReason.Invalid,
    429: StatusReason.TooManyRequests,
    500: StatusReason.InternalError,
    503: StatusReason.ServiceUnavailable,
    504: StatusReason.Timeout,
  };
  return new StatusError(statusBody(code, reasons[code] ?? "Unknown", message));
}
