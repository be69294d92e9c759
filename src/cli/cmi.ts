/**
 * `provider-equinix-metal cmi`: the Equinix Metal driver as a standalone CMI gRPC plugin. Listens on `--listen`
 * (or `CMI_ENDPOINT`), prints `listening: <endpoint>` once it serves, stops gracefully on SIGTERM/SIGINT.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { metalApiUrlProblem } from "../metal/api_url.ts";
import { getLogger } from "../observability/log.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";

function positiveMs(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--drain-timeout-ms: expected a non-negative number, got ${value}`);
  return n;
}

/** Builds the `cmi` subcommand. */
export function cmiCommand() {
  return new Command("cmi")
    .description("serve the Equinix Metal machine driver over the CMI gRPC protocol")
    .addOption(
      new Option("--listen <endpoint>", "tcp://host:port or unix:///path").env("CMI_ENDPOINT").makeOptionMandatory(),
    )
    .addOption(new Option("--metal-api-url <url>", "Equinix Metal API base URL (default: the public API)"))
    .addOption(new Option("--metal-api-allow-plain-http", "allow an http:// --metal-api-url on a non-loopback host"))
    .addOption(
      new Option("--drain-timeout-ms <ms>", "how long running calls may finish on shutdown").argParser(positiveMs)
        .default(10_000),
    )
    .action(async (opts) => {
      const log = getLogger("cmi");
      const { parseEndpoint } = await import("../mcm/cmi/endpoint.ts");
      const endpoint = parseEndpoint(opts.listen, "--listen");
      const allowPlainHttp = opts.metalApiAllowPlainHttp === true;
      const problem = opts.metalApiUrl === undefined ? undefined : metalApiUrlProblem(opts.metalApiUrl, allowPlainHttp);
      if (problem) throw new Error(`--metal-api-url: ${problem}`);
      // Loaded here so that other commands start without the gRPC stack and the driver.
      const { startCmiServer } = await import("../mcm/cmi/server.ts");
      const { EquinixMetalDriver } = await import("../mcm/driver/equinix_metal_driver.ts");
      const signal = shutdownSignal(log);
      const driver = new EquinixMetalDriver({
        metalApiUrl: opts.metalApiUrl,
        metalApiAllowPlainHttp: allowPlainHttp,
        log: getLogger("machine-driver"),
      });
      const server = await startCmiServer({ driver, endpoint, log, drainTimeoutMs: opts.drainTimeoutMs });
      console.log(`listening: ${server.endpoint}`);
      await aborted(signal);
      await server.close();
    });
}
