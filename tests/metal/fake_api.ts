/**
 * Test doubles for the Metal client: an injected `fetch` that records every request and answers from a handler,
 * and fixtures of API objects. Tests stay independent of the simulator.
 */
import { FakeClock } from "../../src/runtime/clock.ts";
import { MetalClient, type MetalClientOptions } from "../../src/metal/client.ts";
import { Registry } from "../../src/observability/metrics.ts";

export const PROJECT_ID = "0b4f4c4e-8a57-4e23-9c7e-1f0b8f2a6d11";
export const TOKEN = "tok-7f3a9c2e5b1d4e8f9a0b";
export const BASE_URL = "https://metal.test/metal/v1";

/** A request as the fake saw it. */
export interface SeenRequest {
  method: string;
  url: URL;
  /** Path below the base URL. */
  path: string;
  headers: Headers;
  /** Parsed JSON body, if any. */
  body?: unknown;
  rawBody?: string;
  /** True when the body came as a stream (sent once, never replayed by the runtime). */
  streamed: boolean;
}

export type Handler = (req: SeenRequest, index: number) => Response | Promise<Response>;

/** A fetch that records requests and lets `handler` answer (or throw, or hang until aborted). */
export function fakeFetch(handler: Handler): { fetch: typeof fetch; requests: SeenRequest[] } {
  const requests: SeenRequest[] = [];
  const f = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    // Non-idempotent requests arrive as a stream (see transport.ts), the others as a string.
    const rawBody = init?.body === undefined || init.body === null
      ? undefined
      : typeof init.body === "string"
      ? init.body
      : await new Response(init.body).text();
    const req: SeenRequest = {
      method: init?.method ?? "GET",
      url,
      path: url.pathname.replace(/^\/metal\/v1/, ""),
      headers: new Headers(init?.headers),
      rawBody,
      streamed: init?.body instanceof ReadableStream,
      body: rawBody === undefined ? undefined : JSON.parse(rawBody),
    };
    requests.push(req);
    const signal = init?.signal;
    if (signal?.aborted) throw signal.reason;
    const answer = Promise.resolve().then(() => handler(req, requests.length - 1));
    if (!signal) return answer;
    return await new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      answer.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  };
  return { fetch: f as typeof fetch, requests };
}

/** A JSON response with the headers the real API sends. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "x-request-id": `req-${status}`, ...headers },
  });
}

/** A response without body. */
export function empty(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers: { "x-request-id": `req-${status}`, ...headers } });
}

/** A promise that never settles: the fake fetch then waits for the request's abort signal. */
export function hang(): Promise<Response> {
  return new Promise<Response>(() => {});
}

/** Deterministic UUID number `n`. */
export function uuid(n: number): string {
  const hex = n.toString(16).padStart(12, "0");
  return `5d0e6f6c-1a2b-4c3d-8e4f-${hex}`;
}

/** A device as the API returns it shortly after creation (nulls where the API sends them). */
export function device(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = uuid(n);
  return {
    id,
    short_id: id.slice(0, 8),
    href: `/metal/v1/devices/${id}`,
    hostname: `worker-${n}`,
    description: null,
    state: "active",
    tags: ["kubernetes.io/cluster/shoot--p--c", "kubernetes.io/role/node"],
    billing_cycle: "hourly",
    locked: false,
    always_pxe: false,
    ipxe_script_url: null,
    userdata: "",
    customdata: {},
    created_at: "2026-11-21T00:00:00Z",
    updated_at: "2026-11-21T00:00:00Z",
    plan: { id: uuid(900), slug: "c3.small.x86", name: "c3.small.x86", class: "c3.small.x86" },
    operating_system: { id: uuid(901), slug: "flatcar_stable", name: "Flatcar (stable)", distro: "flatcar" },
    metro: { id: uuid(902), code: "ny", name: "New York", country: "US" },
    facility: { id: uuid(903), code: "ny5", name: "NY5", features: ["baremetal"] },
    project: { href: `/metal/v1/projects/${PROJECT_ID}` },
    project_lite: { href: `/metal/v1/projects/${PROJECT_ID}` },
    hardware_reservation: null,
    ssh_keys: [{ href: `/metal/v1/ssh-keys/${uuid(904)}` }],
    ip_addresses: [],
    network_ports: [],
    volumes: [],
    spot_instance: false,
    spot_price_max: null,
    termination_time: null,
    some_future_field: { anything: true },
    ...overrides,
  };
}

/** `meta` of page `page` of `total` items with `perPage` per page. */
export function meta(page: number, perPage: number, total: number, path: string): Record<string, unknown> {
  const last = Math.max(1, Math.ceil(total / perPage));
  const href = (p: number) => ({ href: `${path}?page=${p}&per_page=${perPage}` });
  return {
    first: href(1),
    previous: page > 1 ? href(page - 1) : null,
    self: href(page),
    next: page < last ? href(page + 1) : null,
    last: href(last),
    total,
    current_page: page,
    last_page: last,
  };
}

/** A client on a fake fetch with a FakeClock, no jitter, and its own metrics registry. */
export function testClient(handler: Handler, opts: Partial<MetalClientOptions> = {}) {
  const fake = fakeFetch(handler);
  const clock = opts.clock instanceof FakeClock ? opts.clock : new FakeClock();
  const registry = new Registry();
  const client = new MetalClient({
    token: TOKEN,
    baseUrl: BASE_URL,
    fetch: fake.fetch,
    clock,
    metricsRegistry: registry,
    retry: {
      maxAttempts: 4,
      maxElapsedMs: 60_000,
      backoff: { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0 },
    },
    ...opts,
  });
  return { client, clock, requests: fake.requests, registry };
}

/** Lets pending promise callbacks and ready I/O run, `n` macrotask turns. */
export async function settle(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
}

/** Waits (real time, bounded) until `cond` holds. */
export async function until(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
