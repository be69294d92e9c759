/**
 * Gardener error codes for `status.lastError.codes[]`, derived from our typed errors (the table is in
 * docs/decisions.md). gardenlet fails the Shoot at once on a non-retryable code, so such codes are only given when a
 * retry cannot help: rejected credentials and configuration problems. Transient conditions (rate limits, outages,
 * capacity) get retryable codes or none; Kubernetes API errors of the seed get none (the work queue retries them).
 * Pure.
 *
 * An error that already carries codes (`CodedError`) keeps them, as Gardener's `DetermineError` does. The chain of
 * `cause`s is searched, so wrapping an error keeps its codes.
 */
import { ErrorCode } from "../../apis/core/error_codes.ts";
import { FieldValidationError } from "../../apis/decode.ts";
import { MachineImageNotFoundError } from "../../apis/equinixmetal/helper.ts";
import { ApiError } from "../../k8s/api/errors.ts";
import {
  MetalApiError,
  MetalBadResponseError,
  MetalCapacityExhaustedError,
  MetalInputError,
  MetalInvalidError,
  MetalNetworkError,
  MetalNotFoundError,
  MetalPermissionDeniedError,
  MetalRateLimitedError,
  MetalReservationUnavailableError,
  MetalServerError,
  MetalTimeoutError,
  MetalUnauthenticatedError,
} from "../../metal/errors.ts";

/** An error that knows its Gardener codes. */
export class CodedError extends Error {
  constructor(message: string, readonly codes: readonly ErrorCode[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The user's configuration is wrong (a missing secret key, an unknown image, a zone outside the region): retrying
 * cannot help, so gardenlet fails the Shoot with ERR_CONFIGURATION_PROBLEM. The message names the object and field.
 */
export class ConfigurationError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, [ErrorCode.ConfigurationProblem], options);
  }
}

/** A configuration problem that may resolve itself (e.g. a secret gardenlet has not written yet). */
export class RetryableConfigurationError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, [ErrorCode.RetryableConfigurationProblem], options);
  }
}

/** Texts of a 422 that report an exhausted quota rather than a wrong request. */
const QUOTA = /insufficient public ipv4 space|quota|limit (?:has been )?(?:reached|exceeded)/i;
/** A locked device refuses deletion until someone unlocks it: a retry helps once that happened. */
const LOCKED = /locked item/i;
/** Requests that address a project: a 404 there means the configured projectID is wrong. */
const PROJECT_PATH = /^\/projects\/[^/]+(?:\/|$)/;

/** Codes of one error (not its causes); undefined when the error type says nothing about codes. */
function codesOf(err: unknown): readonly ErrorCode[] | undefined {
  if (err instanceof CodedError) return err.codes;
  if (err instanceof FieldValidationError || err instanceof MachineImageNotFoundError) {
    return [ErrorCode.ConfigurationProblem];
  }
  if (err instanceof MetalInputError) return [ErrorCode.ConfigurationProblem];
  if (err instanceof MetalApiError) return metalCodes(err);
  // Seed API errors (Forbidden from RBAC, conflicts, throttling) are ours to retry, never the user's to fix.
  if (err instanceof ApiError) return [];
  return undefined;
}

function metalCodes(err: MetalApiError): readonly ErrorCode[] {
  if (err instanceof MetalUnauthenticatedError) return [ErrorCode.InfraUnauthenticated];
  if (err instanceof MetalPermissionDeniedError) return [ErrorCode.InfraUnauthorized];
  if (err instanceof MetalCapacityExhaustedError || err instanceof MetalReservationUnavailableError) {
    return [ErrorCode.InfraResourcesDepleted];
  }
  // The client already retried with backoff; a rate limit is still transient, and gardenlet's own retry period
  // (24 h) bounds it. ERR_INFRA_RATE_LIMITS_EXCEEDED would fail the Shoot at once, so it is never reported.
  if (err instanceof MetalRateLimitedError) return [ErrorCode.RetryableInfraDependencies];
  if (
    err instanceof MetalServerError || err instanceof MetalNetworkError || err instanceof MetalTimeoutError ||
    err instanceof MetalBadResponseError
  ) {
    return [ErrorCode.RetryableInfraDependencies];
  }
  const text = err.messages.join(" ");
  if (err instanceof MetalInvalidError) {
    if (QUOTA.test(text)) return [ErrorCode.InfraQuotaExceeded];
    if (LOCKED.test(text)) return [ErrorCode.RetryableInfraDependencies];
    return [ErrorCode.ConfigurationProblem];
  }
  if (err instanceof MetalNotFoundError) return PROJECT_PATH.test(err.path) ? [ErrorCode.ConfigurationProblem] : [];
  return [];
}

/** Codes of the outermost typed error; the members of an AggregateError each contribute theirs. */
function collect(err: unknown, depth: number, into: Set<ErrorCode>): void {
  if (err === undefined || err === null || depth > 8) return;
  const own = codesOf(err);
  if (own !== undefined) {
    // A typed error decides for its whole chain: a CodedError wrapping a Metal error overrides the Metal mapping.
    for (const c of own) into.add(c);
    return;
  }
  if (err instanceof AggregateError) { for (const e of err.errors) collect(e, depth + 1, into); }
  if (err instanceof Error) collect(err.cause, depth + 1, into);
}

/** Gardener codes for an error (sorted, de-duplicated); empty when nothing is known about it. */
export function determineErrorCodes(err: unknown): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  collect(err, 0, codes);
  return [...codes].sort();
}

/** True if the error means the operation was cancelled (shutdown), not that it failed. */
export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return err instanceof DOMException && err.name === "AbortError";
}
