/**
 * `provider-equinix-metal cmi`: the Equinix Metal driver as a standalone CMI gRPC plugin. Listens on `--listen`
 * (or `CMI_ENDPOINT`), prints `listening: <endpoint>` once it serves, stops gracefully on SIGTERM/SIGINT.
 */
import { getLogger } from "../observability/log.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";
import { keepOnlyPermissions, revokePermission } from "../runtime/permissions.ts";
import { parseEndpoint } from "../mcm/cmi/endpoint.ts";
import { metalApiUrlProblem } from "../metal/api_url.ts";
import { command, UsageError } from "./parser.ts";
import { toggle, value } from "../runtime/flags.ts";

/** Parses a duration in milliseconds (0 or more). */
function nonNegativeMs(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new Error(`expected a number of milliseconds, 0 or more, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** The `cmi` command. */
export const cmiCommand = command({
  name: "cmi",
  summary: "serve the Equinix Metal machine driver over the CMI gRPC protocol",
  flags: {
    listen: value("<endpoint>", "tcp://host:port or unix:///path", {
      env: "CMI_ENDPOINT",
      required: true,
      parse: parseEndpoint,
    }),
    metalApiUrl: value("<url>", "Equinix Metal API base URL", { defaultText: "the public API" }),
    metalApiAllowPlainHttp: toggle("allow an http:// --metal-api-url on a host that is not loopback"),
    drainTimeoutMs: value("<ms>", "how long running calls may finish on shutdown", {
      parse: nonNegativeMs,
      default: 10_000,
    }),
  },
  async run(opts) {
    // Serving needs the network; a unix socket also needs to check its path, create it and at the end remove it.
    const unix = opts.listen.kind === "unix";
    keepOnlyPermissions(unix ? ["net", "read", "write"] : ["net"]);
    const problem = opts.metalApiUrl === undefined
      ? undefined
      : metalApiUrlProblem(opts.metalApiUrl, opts.metalApiAllowPlainHttp);
    if (problem) throw new UsageError(`--metal-api-url: ${problem}`, "cmi");
    const log = getLogger("cmi");
    // Loaded here so that other commands start without the gRPC stack and the driver.
    const { startCmiServer } = await import("../mcm/cmi/server.ts");
    const { EquinixMetalDriver } = await import("../mcm/driver/equinix_metal_driver.ts");
    const signal = shutdownSignal(log);
    const driver = new EquinixMetalDriver({
      metalApiUrl: opts.metalApiUrl,
      metalApiAllowPlainHttp: opts.metalApiAllowPlainHttp,
      log: getLogger("machine-driver"),
      verifyOwnershipOnDelete: true,
    });
    const server = await startCmiServer({ driver, endpoint: opts.listen, log, drainTimeoutMs: opts.drainTimeoutMs });
    if (unix) revokePermission("read");
    console.log(`listening: ${server.endpoint}`);
    await aborted(signal);
    await server.close();
  },
});
