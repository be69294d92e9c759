/**
 * The one small HTTP server each process runs: `/healthz`, `/readyz` (ready only once every registered check,
 * e.g. "informer caches synced", passes) and `/metrics` in Prometheus text format.
 */
import { registerProcessMetrics, type Registry, registry as defaultRegistry } from "./metrics.ts";
import type { Logger } from "./log.ts";
import { parseListenAddress } from "./listen_address.ts";
import { redact } from "./redact.ts";

/** A named check: returns true when healthy/ready, or a string that explains why not. */
export type Check = () => boolean | string | Promise<boolean | string>;

/** A set of named checks, evaluated on every probe request. */
export class Checks {
  private readonly checks = new Map<string, Check>();

  /** Adds or replaces a check. */
  add(name: string, check: Check): void {
    this.checks.set(name, check);
  }

  /** Removes a check. */
  remove(name: string): void {
    this.checks.delete(name);
  }

  /** Runs every check; `ok` only if all pass. */
  async evaluate(): Promise<{ ok: boolean; failures: string[] }> {
    const failures: string[] = [];
    for (const [name, check] of this.checks) {
      try {
        const r = await check();
        if (r !== true) failures.push(`${name}: ${r === false ? "not ready" : r}`);
      } catch (e) {
        failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return { ok: failures.length === 0, failures };
  }
}

export interface ProbeServerOptions {
  /** `host:port` addresses, e.g. `:8080` or `127.0.0.1:0`; each serves all three paths. */
  addresses: string[];
  health?: Checks;
  readiness?: Checks;
  registry?: Registry;
  log?: Logger;
}

export interface ProbeServer {
  /** The bound addresses (with the actual port when 0 was requested). */
  readonly urls: string[];
  shutdown(): Promise<void>;
}

async function respond(check: Checks | undefined, verbose: boolean): Promise<Response> {
  const { ok, failures } = check ? await check.evaluate() : { ok: true, failures: [] };
  // A check's failure text may quote an error that carries a secret: it leaves only through the redactor.
  const body = ok ? "ok" : verbose ? redact(failures.join("\n")) : "not ok";
  return new Response(body + "\n", { status: ok ? 200 : 503, headers: { "content-type": "text/plain" } });
}

/** Starts the probe server on every address. */
export async function startProbeServer(opts: ProbeServerOptions): Promise<ProbeServer> {
  const reg = opts.registry ?? defaultRegistry;
  registerProcessMetrics(reg);
  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const verbose = url.searchParams.has("verbose");
    switch (url.pathname) {
      case "/healthz":
      case "/livez":
        return await respond(opts.health, verbose);
      case "/readyz":
        return await respond(opts.readiness, verbose);
      case "/metrics":
        return new Response(await reg.metrics(), { headers: { "content-type": reg.contentType } });
      default:
        return new Response("not found\n", { status: 404 });
    }
  };
  const servers: Deno.HttpServer<Deno.NetAddr>[] = [];
  const urls: string[] = [];
  for (const address of opts.addresses) {
    const { hostname, port } = parseListenAddress(address);
    const ready = Promise.withResolvers<Deno.NetAddr>();
    const server = Deno.serve({ hostname, port, onListen: (addr) => ready.resolve(addr) }, handler);
    const addr = await ready.promise;
    servers.push(server);
    urls.push(`http://${addr.hostname === "0.0.0.0" ? "127.0.0.1" : addr.hostname}:${addr.port}`);
    opts.log?.info("Serving probes and metrics", { address: `${addr.hostname}:${addr.port}` });
  }
  return {
    urls,
    async shutdown() {
      await Promise.all(servers.map((s) => s.shutdown()));
    },
  };
}
