/** Prometheus metrics of Metal API calls, labelled by path template (`/devices/{id}`), never by raw path. */
import { counter, histogram, type Registry, registry as defaultRegistry } from "../observability/metrics.ts";
import type { Counter, Histogram } from "../observability/metrics.ts";

/** The metrics one client writes to. */
export interface MetalApiMetrics {
  requests: Counter<"method" | "endpoint" | "code">;
  duration: Histogram<"method" | "endpoint">;
  retries: Counter<"endpoint" | "reason">;
}

/** Returns the Metal API metrics of a registry, registering them on first use. */
export function metalApiMetrics(reg: Registry = defaultRegistry): MetalApiMetrics {
  return {
    requests: counter({
      name: "metal_api_requests_total",
      help: "Metal API requests by method, endpoint template and HTTP status (or network_error, timeout, canceled).",
      labelNames: ["method", "endpoint", "code"],
    }, reg),
    duration: histogram({
      name: "metal_api_request_duration_seconds",
      help: "Duration of single Metal API requests (one attempt, body read included).",
      labelNames: ["method", "endpoint"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }, reg),
    retries: counter({
      name: "metal_api_retries_total",
      help: "Metal API requests sent again, by endpoint template and reason.",
      labelNames: ["endpoint", "reason"],
    }, reg),
  };
}
