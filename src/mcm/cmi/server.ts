/**
 * The CMI gRPC server: connect-node's adapter on `node:http2` without TLS (h2c), gRPC protocol only, on TCP or a unix
 * socket. Every call is logged (method, machine, code, duration; never secrets) and counted; driver errors become gRPC
 * statuses (`status.ts`).
 */
import * as http2 from "node:http2";
import type { ServiceImpl } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Code } from "@connectrpc/connect";
import type { Driver } from "../driver/driver.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { counter, histogram } from "../../observability/metrics.ts";
import { type Clock, realClock, type Timer } from "../../runtime/clock.ts";
import { type CmiEndpoint, formatEndpoint, parseEndpoint } from "./endpoint.ts";
import { Identity, Machine } from "./gen/cmi_pb.ts";
import { identityService } from "./identity_service.ts";
import { canShutDown, machineService } from "./machine_service.ts";
import { toConnectError } from "./status.ts";

export interface CmiServerOptions {
  driver: Driver;
  /** `tcp://host:port` (port 0 picks a free port) or `unix:///path`. */
  endpoint: string | CmiEndpoint;
  log?: Logger;
  clock?: Clock;
  /** Readiness reported by Probe; absent means ready. */
  ready?: () => boolean;
  /** How long `close()` lets running calls finish before cutting connections. */
  drainTimeoutMs?: number;
  /** Largest accepted request message (default 4 MiB). */
  readMaxBytes?: number;
}

/** A running server. */
export interface CmiServer {
  /** The bound endpoint (with the real port when 0 was requested). */
  readonly endpoint: string;
  /** Stops accepting calls, lets running calls finish (up to the drain timeout) and releases the socket. */
  close(): Promise<void>;
}

const requests = counter({
  name: "cmi_requests_total",
  help: "CMI gRPC calls by method and status code.",
  labelNames: ["method", "code"] as const,
});
const duration = histogram({
  name: "cmi_request_duration_seconds",
  help: "Duration of CMI gRPC calls.",
  labelNames: ["method"] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
});

function codeName(code: Code | 0): string {
  return code === 0 ? "OK" : Code[code];
}

type AnyImpl = Record<string, (req: unknown, ctx: { signal: AbortSignal }) => unknown>;

/** Wraps every method of a service implementation with logging, metrics and error translation. */
function instrument<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  log: Logger,
  clock: Clock,
): ServiceImpl<S> {
  const out: AnyImpl = {};
  for (const [name, fn] of Object.entries(impl as unknown as AnyImpl)) {
    const method = `${service.name}/${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    out[name] = async (req, ctx) => {
      const started = clock.now();
      const fields: Record<string, unknown> = { method };
      const r = req as { MachineName?: string; ProviderID?: string };
      if (r.MachineName) fields.machine = r.MachineName;
      if (r.ProviderID) fields.providerID = r.ProviderID;
      try {
        const res = await fn(req, ctx);
        requests.inc({ method, code: "OK" });
        log.debug("CMI call succeeded", { ...fields, durationMs: clock.now() - started });
        return res;
      } catch (err) {
        const status = toConnectError(err);
        requests.inc({ method, code: codeName(status.code) });
        log.info("CMI call failed", {
          ...fields,
          code: codeName(status.code),
          error: status.rawMessage,
          durationMs: clock.now() - started,
        });
        throw status;
      } finally {
        duration.observe({ method }, (clock.now() - started) / 1000);
      }
    };
  }
  return out as unknown as ServiceImpl<S>;
}

const PING_TIMEOUT_MS = 1_000;

function pingSession(session: http2.ServerHttp2Session): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      if (session.closed || session.destroyed || !session.ping(() => resolve(true))) resolve(false);
    } catch {
      resolve(false);
    }
  });
}

/** Resolves with the promise's value, or `false` once `ms` have passed. */
async function withTimeout(clock: Clock, p: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: Timer | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = clock.setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    if (timer) clock.clearTimeout(timer);
  }
}

async function removeStaleSocket(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (!info.isSocket) throw new Error(`cannot listen on unix socket ${path}: the path exists and is not a socket`);
  await Deno.remove(path);
}

/** Starts the CMI server and resolves once it accepts connections. */
export async function startCmiServer(opts: CmiServerOptions): Promise<CmiServer> {
  const log = opts.log ?? getLogger("cmi");
  const clock = opts.clock ?? realClock;
  const endpoint = typeof opts.endpoint === "string" ? parseEndpoint(opts.endpoint) : opts.endpoint;
  const handler = connectNodeAdapter({
    grpc: true,
    grpcWeb: false,
    connect: false,
    readMaxBytes: opts.readMaxBytes ?? 4 * 1024 * 1024,
    routes(router) {
      router.service(
        Identity,
        instrument(Identity, identityService({ shutDown: canShutDown(opts.driver), ready: opts.ready }), log, clock),
      );
      router.service(Machine, instrument(Machine, machineService(opts.driver), log, clock));
    },
  });
  // Deno's node:http2 cuts running streams on server.close(), so close() first waits for in-flight calls itself;
  // calls that arrive while draining are refused with UNAVAILABLE (retryable) by the gRPC status below.
  let inflight = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  const server = http2.createServer((req, res) => {
    if (draining) {
      res.writeHead(200, {
        "content-type": "application/grpc",
        "grpc-status": String(Code.Unavailable),
        "grpc-message": "CMI server is shutting down",
      });
      res.end();
      return;
    }
    inflight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (--inflight === 0) drained?.();
    };
    res.once("close", finish);
    handler(req, res);
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session: http2.ServerHttp2Session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    // A peer that vanishes mid-call must not take the process down.
    session.on("error", (err: Error) => log.debug("CMI connection error", { error: err.message }));
  });

  if (endpoint.kind === "unix") await removeStaleSocket(endpoint.path);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    const done = () => {
      server.off("error", onError);
      resolve();
    };
    if (endpoint.kind === "unix") server.listen(endpoint.path, done);
    else server.listen(endpoint.port, endpoint.host, done);
  });
  server.on("error", (err: Error) => log.error("CMI server error", { error: err.message }));

  let bound: CmiEndpoint = endpoint;
  if (endpoint.kind === "tcp") {
    const addr = server.address();
    if (addr && typeof addr === "object") bound = { kind: "tcp", host: endpoint.host, port: addr.port };
  }
  const boundText = formatEndpoint(bound);
  log.info("CMI server listening", { endpoint: boundText });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      draining = true;
      const drainMs = opts.drainTimeoutMs ?? 10_000;
      if (inflight > 0) {
        const idle = new Promise<boolean>((resolve) => (drained = () => resolve(true)));
        if (!await withTimeout(clock, idle, drainMs)) {
          log.info("CMI drain timeout reached; cutting running calls", { calls: inflight });
        }
      }
      // A PING answered by the client proves it has read every frame sent before it, including the last responses;
      // closing the session earlier can lose them ("premature close").
      await Promise.all([...sessions].map((s) => withTimeout(clock, pingSession(s), PING_TIMEOUT_MS)));
      const closed = new Promise<boolean>((resolve) => server.close(() => resolve(true)));
      for (const s of sessions) s.close();
      if (!await withTimeout(clock, closed, drainMs)) {
        for (const s of sessions) s.destroy();
        await closed;
      }
      if (endpoint.kind === "unix") await Deno.remove(endpoint.path).catch(() => {});
      log.info("CMI server stopped", { endpoint: boundText });
    })();
    return closing;
  };
  return { endpoint: boundText, close };
}
