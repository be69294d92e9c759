/**
 * The Equinix Metal API client: one object per API token, with one property per API area. Construction is cheap
 * (no I/O), so callers that get the token from a Secret per request can build a client per request.
 */
import { type Clock, realClock } from "../runtime/clock.ts";
import { getLogger, type Logger } from "../observability/log.ts";
import type { Registry } from "../observability/metrics.ts";
import { registerSecret } from "../observability/redact.ts";
import { USER_AGENT } from "../runtime/version.ts";
import { metalApiMetrics } from "./api_metrics.ts";
import { CapacityApi } from "./capacity.ts";
import { DevicesApi } from "./devices.ts";
import { MetalInputError } from "./errors.ts";
import { HardwareReservationsApi } from "./hardware_reservations.ts";
import { LocationsApi } from "./locations.ts";
import { OperatingSystemsApi } from "./operating_systems.ts";
import { PlansApi } from "./plans.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry_policy.ts";
import { SshKeysApi } from "./ssh_keys.ts";
import { MetalTransport } from "./transport.ts";
import { DEFAULT_METAL_API_URL, metalApiUrlProblem } from "./api_url.ts";

export type { RetryPolicy };
export { DEFAULT_RETRY_POLICY };

export { DEFAULT_METAL_API_URL };
/** Per-request timeout unless configured. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Largest response body read (64 MiB). The largest answer the client asks for is a page of 1,000 devices: 5.7 MB from
 * the simulator with 2 KiB of user data per device, 20 MB with 16 KiB (see docs/decisions.md, Metal API client).
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface MetalClientOptions {
  /** Sent as `X-Auth-Token`; registered as a secret so no log line shows it. */
  token: string;
  /** Default `https://api.equinix.com/metal/v1` (`DEFAULT_METAL_API_URL`); http:// only for loopback hosts. */
  baseUrl?: string;
  /** Accept a plain http:// `baseUrl` on a host that is not loopback (`--metal-api-allow-plain-http`). */
  allowPlainHttp?: boolean;
  /** Bodies larger than this fail with `MetalResponseTooLargeError` (default `DEFAULT_MAX_RESPONSE_BYTES`). */
  maxResponseBytes?: number;
  /** Default `provider-equinix-metal/<version>`. */
  userAgent?: string;
  /** Per request attempt, body included (default 30 s). */
  timeoutMs?: number;
  /** Bounded attempts and total time, jittered exponential backoff (default `DEFAULT_RETRY_POLICY`). */
  retry?: RetryPolicy;
  clock?: Clock;
  log?: Logger;
  /** Injectable (the simulator offers an in-process fetch). */
  fetch?: typeof fetch;
  /** Registry of the `metal_api_*` metrics (default: the process registry). */
  metricsRegistry?: Registry;
}

const OP = "MetalClient";

function checkOptions(
  opts: MetalClientOptions,
): { baseUrl: string; timeoutMs: number; retry: RetryPolicy; maxResponseBytes: number } {
  if (typeof opts.token !== "string" || opts.token.trim() === "") {
    throw new MetalInputError(OP, "token", "must be a non-empty API token");
  }
  const baseUrl = opts.baseUrl ?? DEFAULT_METAL_API_URL;
  const problem = metalApiUrlProblem(baseUrl, opts.allowPlainHttp);
  if (problem) throw new MetalInputError(OP, "baseUrl", problem);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new MetalInputError(OP, "timeoutMs", `must be a positive number, got ${timeoutMs}`);
  }
  const retry = opts.retry ?? DEFAULT_RETRY_POLICY;
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new MetalInputError(OP, "retry.maxAttempts", `must be an integer >= 1, got ${retry.maxAttempts}`);
  }
  if (!(retry.maxElapsedMs >= 0)) {
    throw new MetalInputError(OP, "retry.maxElapsedMs", `must be >= 0, got ${retry.maxElapsedMs}`);
  }
  const maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!Number.isInteger(maxResponseBytes) || maxResponseBytes < 1) {
    throw new MetalInputError(OP, "maxResponseBytes", `must be a positive integer, got ${maxResponseBytes}`);
  }
  return { baseUrl: baseUrl.replace(/\/+$/, ""), timeoutMs, retry, maxResponseBytes };
}

/** Typed access to the Equinix Metal API v1. */
export class MetalClient {
  readonly devices: DevicesApi;
  readonly sshKeys: SshKeysApi;
  readonly hardwareReservations: HardwareReservationsApi;
  readonly locations: LocationsApi;
  readonly plans: PlansApi;
  readonly operatingSystems: OperatingSystemsApi;
  readonly capacity: CapacityApi;
  /** Base URL without trailing slash. */
  readonly baseUrl: string;

  constructor(opts: MetalClientOptions) {
    const { baseUrl, timeoutMs, retry, maxResponseBytes } = checkOptions(opts);
    registerSecret(opts.token);
    this.baseUrl = baseUrl;
    const f = opts.fetch ?? globalThis.fetch;
    const transport = new MetalTransport({
      token: opts.token,
      baseUrl,
      userAgent: opts.userAgent ?? USER_AGENT,
      timeoutMs,
      maxResponseBytes,
      retry,
      clock: opts.clock ?? realClock,
      log: opts.log ?? getLogger("metal-client"),
      fetch: (input, init) => f(input, init),
      metrics: metalApiMetrics(opts.metricsRegistry),
    });
    this.devices = new DevicesApi(transport);
    this.sshKeys = new SshKeysApi(transport);
    this.hardwareReservations = new HardwareReservationsApi(transport);
    this.locations = new LocationsApi(transport);
    this.plans = new PlansApi(transport);
    this.operatingSystems = new OperatingSystemsApi(transport);
    this.capacity = new CapacityApi(transport);
  }
}
