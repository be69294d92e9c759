/**
 * When and how long the Metal client waits before trying a request again. Pure functions: the transport supplies
 * the clock's time and the failed attempt, these decide.
 */
import { backoffDelay, type BackoffPolicy } from "../runtime/backoff.ts";
import {
  type MetalApiError,
  MetalNetworkError,
  MetalRateLimitedError,
  MetalServerError,
  MetalTimeoutError,
} from "./errors.ts";

/** Bounds of the retry loop of one client call. */
export interface RetryPolicy {
  /** Attempts in total, the first included (1 disables retries). */
  maxAttempts: number;
  /** No retry starts once this much time (clock) has passed since the call began, waits included. */
  maxElapsedMs: number;
  /** Delays when the server does not say how long to wait. */
  backoff: BackoffPolicy;
  /** Source of jitter (tests pass a constant). */
  random?: () => number;
}

/** 5 attempts within 2 minutes, 1 s doubling to at most 30 s, ±20 % jitter. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxElapsedMs: 120_000,
  backoff: { initialMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.2 },
};

/** Label of `metal_api_retries_total{reason}`. */
export type RetryReason = "rate_limited" | "server_error" | "network_error" | "timeout";

/** Why an error may be worth another attempt, or undefined if it is final (4xx, capacity, bad response). */
export function retryReason(err: MetalApiError): RetryReason | undefined {
  if (err instanceof MetalRateLimitedError) return "rate_limited";
  // 501 Not Implemented will not change on a second try.
  if (err instanceof MetalServerError) return err.status === 501 ? undefined : "server_error";
  if (err instanceof MetalTimeoutError) return "timeout";
  if (err instanceof MetalNetworkError) return "network_error";
  return undefined;
}

/** True when the failed request certainly had no effect, so even a non-idempotent call may be sent again. */
export function certainlyNotApplied(err: MetalApiError): boolean {
  if (err instanceof MetalRateLimitedError) return true;
  if (err instanceof MetalNetworkError) return !err.outcomeUnknown;
  return false;
}

/**
 * How long the server asked us to wait: `Retry-After` (delta seconds or HTTP date), else `X-RateLimit-Reset`
 * (epoch seconds) when the answer is 429 or the remaining quota is 0. Undefined when the server said nothing usable.
 */
export function serverRetryDelayMs(headers: Headers, status: number, nowMs: number): number | undefined {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  const reset = headers.get("x-ratelimit-reset")?.trim();
  const remaining = headers.get("x-ratelimit-remaining")?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset) && (status === 429 || remaining === "0")) {
    return Math.max(0, Math.round(Number(reset) * 1000) - nowMs);
  }
  return undefined;
}

/** The wait before retry number `retry` (0-based): what the server asked for, else jittered backoff. */
export function retryDelayMs(policy: RetryPolicy, retry: number, serverDelayMs: number | undefined): number {
  if (serverDelayMs !== undefined) return serverDelayMs;
  return Math.round(backoffDelay(policy.backoff, retry, policy.random));
}

/** Whether another attempt fits the policy: attempts left and the wait ending inside the time budget. */
export function retryAllowed(
  policy: RetryPolicy,
  attemptsMade: number,
  elapsedMs: number,
  delayMs: number,
): boolean {
  return attemptsMade < policy.maxAttempts && elapsedMs + delayMs <= policy.maxElapsedMs;
}
