/**
 * A stateful, fault-injecting simulator of the Equinix Metal API (v1), faithful to the real API's shapes, texts
 * and asynchronous behaviour. It is the product's embedded default since the real
 * service was shut down, and the ground truth of every test.
 *
 *   const sim = new MetalSimulator({ clock, randomSeed: 1 });
 *   const client = new MetalClient({ token: sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: sim.fetch });
 *   const { url, stop } = await sim.serve();        // the same API over loopback HTTP
 *   sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", loseResponse: true, times: 1 });
 *   sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", loseResponse: true, lateCommitMs: 15_000 });
 *   await clock.advance(60_000);                     // queued → provisioning → active, no timers involved
 *
 * Decisions (see docs/decisions.md): devices being deprovisioned stay listed; a busy/spare reservation answers
 * 422 "Server is not provisionable"; capacity returns when a device is gone; meta links are API-root-relative.
 */
import { getLogger, type Logger } from "../../observability/log.ts";
import { counter } from "../../observability/metrics.ts";
import { registerSecret } from "../../observability/redact.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { entropySeed, listenerUrl, listenHttp, lostResponse, Rng, Tally } from "../kernel/mod.ts";
import { authenticate } from "./access.ts";
import { ApiError, TEXT } from "./api_errors.ts";
import { findFacility, findMetro, findPlan } from "./catalog.ts";
import type { RequestContext } from "./context.ts";
import { FACILITY_DEPRECATION_HEADERS } from "./catalog_routes.ts";
import { type FaultDecision, MetalFaults } from "./faults.ts";
import { randomUuid } from "./ids.ts";
import { type DeviceState, type DeviceTimings, ipsVisibleAt, isVanished, stateAt } from "./lifecycle.ts";
import { API_PREFIX, iso } from "./render.ts";
import { formatAddress, hostAndGateway } from "./render_ip.ts";
import { matchRoute, UNMATCHED } from "./routes.ts";
import { DEFAULT_SEED, type ResolvedSeed, resolveSeed, type SeedData, validateSeed } from "./seed.ts";
import { type DeviceRecord, World } from "./world.ts";

export type { DeviceState, DeviceTimings, ProvisionOutcome } from "./lifecycle.ts";
export { DEFAULT_TIMINGS } from "./lifecycle.ts";
export type { MetalFaultProfile, MetalFaultRule, RateLimitOptions } from "./faults.ts";
export { DEFAULT_LATE_COMMIT_MS, MetalFaults, profileRules } from "./faults.ts";
export type { ReservationRequest, ResolvedSeed, SeedData } from "./seed.ts";
export {
  DEFAULT_SEED,
  parseSeedText,
  resolveSeed,
  SeedDataSchema,
  validateSeed,
  withHardwareReservations,
} from "./seed.ts";
export type { CapacityCount } from "./capacity.ts";

/** Base URL to give a client that uses the simulator's in-process `fetch` (any scheme and host work). */
export const IN_PROCESS_BASE_URL = "https://metal-simulator.invalid/metal/v1";

/** Options of a simulator. */
export interface MetalSimulatorOptions {
  /** Time source of the lifecycle, latency faults and timestamps (default: the wall clock). */
  clock?: Clock;
  /** Organisations, projects, tokens, reservations, capacity, timings (default: `DEFAULT_SEED`). */
  seed?: SeedData;
  /** Overrides of the seed's timings. */
  timings?: Partial<DeviceTimings>;
  /** Makes ids, tokens and fault decisions reproducible. */
  randomSeed?: number;
  log?: Logger;
}

/** A device as tests and the playground inspect it. */
export interface SimDevice {
  readonly id: string;
  readonly projectId: string;
  readonly hostname: string;
  /** State now; `deleted` once the device is gone. */
  readonly state: DeviceState;
  /** True while the device hides behind 403 after a failed provisioning. */
  readonly vanished: boolean;
  readonly tags: readonly string[];
  readonly plan: string;
  readonly metro: string;
  readonly facility: string;
  readonly operatingSystem: string;
  readonly billingCycle: string;
  readonly locked: boolean;
  readonly hardwareReservationId?: string;
  readonly userdata: string;
  readonly ipxeScriptUrl?: string;
  readonly sshKeyIds: readonly string[];
  /** Addresses assigned (visible or not yet), as `address/cidr`. */
  readonly addresses: readonly string[];
  readonly ipsVisible: boolean;
  readonly createdAt: string;
  readonly deletedAt?: string;
}

type Outcome =
  | { kind: "response"; response: Response }
  | { kind: "lost"; response: Response }
  | { kind: "hung" };

const JSON_TYPE = "application/json; charset=utf-8";

const requestsTotal = counter({
  name: "metal_simulator_requests_total",
  help: "Requests served by the Metal API simulator, by method, endpoint template and status.",
  labelNames: ["method", "endpoint", "code"] as const,
});

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** The simulated Equinix Metal API. */
export class MetalSimulator {
  /** In-process `fetch`: the whole API without sockets. A lost response rejects with a TypeError after the effect. */
  readonly fetch: typeof fetch;
  readonly faults: MetalFaults;
  readonly counters: Tally = new Tally();
  /**
   * Project device listings without a `hostname` filter, a subset of `counters` (a machine's lookup filters by
   * hostname; a listing of a whole cluster's devices, as orphan collection does, does not).
   */
  readonly unfilteredDeviceListings: Tally = new Tally();
  /** A user token of the first user (sees the projects of its organisations). */
  readonly defaultToken: string;
  /** The first project of the seed. */
  readonly defaultProjectId: string;
  /** The resolved seed: every organisation, project, token and reservation with its id. */
  readonly seed: ResolvedSeed;

  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly world: World;
  private readonly requestIds: Rng;
  /** Aborted by `close()`: releases every hanging request. */
  private readonly closing = new AbortController();

  constructor(opts: MetalSimulatorOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? getLogger("metal-simulator");
    const root = new Rng(opts.randomSeed ?? entropySeed());
    const idRng = root.fork(1);
    this.requestIds = root.fork(2);
    this.faults = new MetalFaults(root.fork(3).uint32());
    this.seed = resolveSeed(opts.seed ? validateSeed(opts.seed) : DEFAULT_SEED, idRng);
    this.seed.timings = { ...this.seed.timings, ...opts.timings };
    this.world = new World(idRng, this.seed, this.clock.now());
    for (const t of this.seed.tokens) registerSecret(t.token);
    this.defaultToken = (this.seed.tokens.find((t) => t.userId) ?? this.seed.tokens[0]).token;
    this.defaultProjectId = this.seed.projects[0].id;
    this.fetch = (input: RequestInfo | URL, init?: RequestInit) => this.fetchInProcess(new Request(input, init));
  }

  /** Serves one request (lost responses come back as a Response whose body errors). */
  async handle(req: Request): Promise<Response> {
    const outcome = await this.process(req, () => AbortSignal.any([req.signal, this.closing.signal]));
    if (outcome.kind === "hung") return new Response(null, { status: 504 });
    if (outcome.kind === "lost") return lostResponse(outcome.response);
    return outcome.response;
  }

  /** Serves the API over HTTP on loopback (port 0 picks a free port). `url` ends in `/metal/v1`. */
  async serve(opts: { hostname?: string; port?: number } = {}): Promise<{ url: string; stop(): Promise<void> }> {
    const release = new AbortController();
    const listener = await listenHttp(
      { hostname: opts.hostname ?? "127.0.0.1", port: opts.port ?? 0 },
      async (req) => {
        const outcome = await this.process(
          req,
          () => AbortSignal.any([req.signal, release.signal, this.closing.signal]),
        );
        if (outcome.kind === "hung") return new Response(null, { status: 504 });
        if (outcome.kind === "lost") return lostResponse(outcome.response);
        return outcome.response;
      },
      this.log,
    );
    return {
      url: `${listenerUrl(listener, "http")}${API_PREFIX}`,
      stop: async () => {
        release.abort();
        // Let the released requests answer before their connections are ended.
        await new Promise((resolve) => setTimeout(resolve, 0));
        await listener.close();
      },
    };
  }

  /** Releases every request hanging in a timeout fault (in-process ones reject with an AbortError). */
  close(): void {
    this.closing.abort(new DOMException("the Metal simulator was closed", "AbortError"));
  }

  /** Devices as they are now; `includeDeleted` adds those being deprovisioned and those gone. */
  devices(filter: { projectId?: string; includeDeleted?: boolean } = {}): SimDevice[] {
    const now = this.clock.now();
    this.world.sweep(now);
    const records = [...this.world.devices.values()];
    if (filter.includeDeleted) records.push(...this.world.goneDevices);
    return records
      .filter((d) => !filter.projectId || d.projectId === filter.projectId)
      .filter((d) => filter.includeDeleted || d.lifecycle.deletedAt === undefined)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((d) => this.snapshotOf(d, now));
  }

  /** Changes the lifecycle timings of devices created (or deleted) from now on. */
  setTimings(t: Partial<DeviceTimings>): void {
    for (const [k, v] of Object.entries(t)) {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new Error(`timings.${k} must be a number >= 0`);
    }
    this.world.timings = { ...this.world.timings, ...t };
  }

  /** Makes the next `n` creates end in `failed` or vanish behind 403 once provisioning ends. */
  failNextCreates(n: number, outcome: "failed" | "vanish-403"): void {
    for (let i = 0; i < n; i++) this.world.pendingOutcomes.push(outcome);
  }

  /** Sets the on-demand capacity of a plan in a metro or facility (code). */
  setCapacity(metro: string, plan: string, count: number | "unlimited"): void {
    const location = findMetro(metro)?.code ?? findFacility(metro)?.code;
    if (!location) throw new Error(`setCapacity: unknown metro or facility "${metro}"`);
    if (!findPlan(plan)) throw new Error(`setCapacity: unknown plan "${plan}"`);
    if (count !== "unlimited" && (!Number.isInteger(count) || count < 0)) {
      throw new Error(`setCapacity: count must be a non-negative integer or "unlimited", got ${count}`);
    }
    this.world.capacity.setLimit(location, findPlan(plan)!.slug, count);
  }

  /** Locks or unlocks a device (a locked device refuses deletion). */
  lockDevice(id: string, locked: boolean): void {
    const d = this.world.devices.get(id);
    if (!d) throw new Error(`lockDevice: no device ${id}`);
    d.locked = locked;
  }

  private snapshotOf(d: DeviceRecord, now: number): SimDevice {
    const state = stateAt(d.lifecycle, now);
    return {
      id: d.id,
      projectId: d.projectId,
      hostname: d.hostname,
      state: state === "gone" ? "deleted" : state,
      vanished: isVanished(d.lifecycle, now),
      tags: [...d.tags],
      plan: d.plan,
      metro: d.metro,
      facility: d.facility,
      operatingSystem: d.operatingSystem,
      billingCycle: d.billingCycle,
      locked: d.locked,
      hardwareReservationId: d.hardwareReservationId,
      userdata: d.userdata,
      ipxeScriptUrl: d.ipxeScriptUrl,
      sshKeyIds: [...d.sshKeyIds],
      addresses: d.ipAssignmentIds.map((id) => this.world.ipAssignments.get(id)).filter((a) => a !== undefined).map(
        (a) => `${formatAddress(a.family, hostAndGateway(a.family, a.network, a.cidr).address)}/${a.cidr}`,
      ),
      ipsVisible: ipsVisibleAt(d.lifecycle, now),
      createdAt: iso(d.createdAt),
      deletedAt: d.lifecycle.deletedAt !== undefined ? iso(d.lifecycle.deletedAt) : undefined,
    };
  }

  private async fetchInProcess(req: Request): Promise<Response> {
    // Like fetch: an already aborted signal rejects before anything is sent.
    if (req.signal.aborted) throw req.signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
    let signal: AbortSignal | undefined;
    const signalOf = () => (signal ??= AbortSignal.any([req.signal, this.closing.signal]));
    const outcome = await this.process(req, signalOf);
    if (outcome.kind === "lost") {
      throw new TypeError("error sending request: connection closed before message completed (simulated)");
    }
    if (outcome.kind === "hung") {
      throw signalOf().reason ?? new DOMException("The operation was aborted.", "AbortError");
    }
    return outcome.response;
  }

  /** Serves one request; `signalOf` gives the signal that ends a hanging request (built only when needed). */
  private async process(req: Request, signalOf: () => AbortSignal): Promise<Outcome> {
    const url = new URL(req.url);
    const method = req.method.toUpperCase();
    const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) || "/" : undefined;
    let match: ReturnType<typeof matchRoute>;
    try {
      match = path === undefined ? { template: UNMATCHED } : matchRoute(method, path);
    } catch {
      match = { template: UNMATCHED };
    }
    const template = match.route ? match.route.template : match.template;
    const requestId = randomUuid(this.requestIds);
    if (method === "GET" && template === "/projects/{id}/devices" && !url.searchParams.get("hostname")) {
      this.unfilteredDeviceListings.record(`${method} ${template}`);
    }

    const decision: FaultDecision = this.faults.decide(method, template);
    if (decision.latencyMs > 0) {
      try {
        await this.clock.sleep(decision.latencyMs, signalOf());
      } catch {
        this.count(method, template, "aborted", requestId);
        return { kind: "hung" };
      }
    }
    if (decision.outcome?.kind === "status") {
      const res = this.faultResponse(decision.outcome.status, decision.outcome.retryAfterSeconds, requestId);
      this.count(method, template, String(res.status), requestId);
      return { kind: "response", response: res };
    }
    if (decision.outcome?.kind === "timeout" && !decision.outcome.afterEffect) {
      this.count(method, template, "timeout", requestId);
      await waitForAbort(signalOf());
      return { kind: "hung" };
    }

    const late = decision.outcome?.kind === "lost" || decision.outcome?.kind === "timeout"
      ? decision.outcome.lateCommitMs
      : undefined;
    const response = await this.serveRequest(req, url, method, path, match, template, requestId, late);
    if (decision.outcome?.kind === "timeout") {
      this.count(method, template, "timeout", requestId);
      await waitForAbort(signalOf());
      return { kind: "hung" };
    }
    if (decision.outcome?.kind === "lost") {
      this.count(method, template, "lost", requestId);
      return { kind: "lost", response };
    }
    this.count(method, template, String(response.status), requestId);
    return { kind: "response", response };
  }

  private async serveRequest(
    req: Request,
    url: URL,
    method: string,
    path: string | undefined,
    match: ReturnType<typeof matchRoute>,
    template: string,
    requestId: string,
    commitDelayMs?: number,
  ): Promise<Response> {
    const text = req.body ? await req.text() : "";
    const now = this.clock.now();
    this.world.sweep(now);
    let rateHeaders: Record<string, string> = {};
    try {
      if (!match.route || path === undefined) throw new ApiError(404, [TEXT.notFound]);
      const token = req.headers.get("X-Auth-Token");
      const principal = authenticate(this.world, token);
      const rate = this.faults.consume(token!, now);
      rateHeaders = rate.headers;
      if (rate.limited) {
        throw new ApiError(429, ["Rate limit exceeded"], "errors", { "Retry-After": String(rate.retryAfterSeconds) });
      }
      let body: unknown;
      if (text.trim() !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          throw new ApiError(422, [`${method} ${template}: the request body is not valid JSON`]);
        }
      }
      const ctx: RequestContext = {
        world: this.world,
        now,
        principal,
        method,
        template,
        params: match.params,
        query: url.searchParams,
        path,
        body,
        commitDelayMs,
      };
      const result = match.route.handler(ctx);
      const headers = new Headers({ "X-Request-Id": requestId, ...rateHeaders, ...result.headers });
      if (result.body === undefined) return new Response(null, { status: result.status, headers });
      headers.set("Content-Type", JSON_TYPE);
      return new Response(JSON.stringify(result.body), { status: result.status, headers });
    } catch (e) {
      const err = e instanceof ApiError ? e : this.internalError(e, method, template, requestId);
      const headers = new Headers({ "X-Request-Id": requestId, "Content-Type": JSON_TYPE, ...rateHeaders });
      for (const [k, v] of Object.entries(err.headers)) headers.set(k, v);
      return new Response(JSON.stringify(err.body()), { status: err.status, headers });
    }
  }

  private internalError(e: unknown, method: string, template: string, requestId: string): ApiError {
    this.log.error("simulator handler failed", { method, endpoint: template, requestId, error: e });
    return new ApiError(500, [TEXT.ohSnap]);
  }

  private faultResponse(status: number, retryAfterSeconds: number | undefined, requestId: string): Response {
    const headers = new Headers({ "X-Request-Id": requestId });
    if (status === 429) {
      const retry = retryAfterSeconds ?? 1;
      const limit = this.faults.configuredLimit ?? 5000;
      headers.set("Retry-After", String(retry));
      headers.set("X-RateLimit-Limit", String(limit));
      headers.set("X-RateLimit-Remaining", "0");
      headers.set("X-RateLimit-Reset", String(Math.ceil(this.clock.now() / 1000) + retry));
      headers.set("Content-Type", JSON_TYPE);
      return new Response(JSON.stringify({ errors: ["Rate limit exceeded"] }), { status, headers });
    }
    if (status === 500) {
      headers.set("Content-Type", JSON_TYPE);
      return new Response(JSON.stringify({ errors: [TEXT.ohSnap] }), { status, headers });
    }
    // 502/503/504 come from the load balancer in front of the API: HTML, and no request id of the API.
    headers.delete("X-Request-Id");
    if (retryAfterSeconds !== undefined) headers.set("Retry-After", String(retryAfterSeconds));
    headers.set("Content-Type", "text/html");
    const title = status === 502
      ? "502 Bad Gateway"
      : status === 503
      ? "503 Service Unavailable"
      : "504 Gateway Time-out";
    return new Response(
      `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center></body></html>\n`,
      {
        status,
        headers,
      },
    );
  }

  private count(method: string, template: string, status: string, requestId: string): void {
    this.counters.record(`${method} ${template} ${status}`);
    requestsTotal.inc({ method, endpoint: template, code: status });
    this.log.debug("request", { method, endpoint: template, status, requestId });
  }
}

/** Headers sent on facility endpoints (for tests). */
export { FACILITY_DEPRECATION_HEADERS };
