/**
 * `provider-equinix-metal cmi`: the Equinix Metal driver as a standalone CMI gRPC plugin. Listens on `--listen`
 * (or `CMI_ENDPOINT`), prints `listening: <endpoint>` once it serves, stops gracefully on SIGTERM/SIGINT.
 */
import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { getLogger } from "../observability/log.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";
import type { CmiEndpoint } from "../mcm/cmi/endpoint.ts";

/** Parses a duration in milliseconds (0 or more); commander names the option in its error. */
function nonNegativeMs(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number of milliseconds, 0 or more, got ${JSON.stringify(value)}`);
  }
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
    .addOption(
      new Option("--drain-timeout-ms <ms>", "how long running calls may finish on shutdown").argParser(nonNegativeMs)
        .default(10_000),
    )
    .action(async (opts, cmd) => {
      const log = getLogger("cmi");
      const { parseEndpoint } = await import("../mcm/cmi/endpoint.ts");
      const listenFrom = cmd.getOptionValueSource("listen") === "env" ? "CMI_ENDPOINT" : "--listen";
      let endpoint: CmiEndpoint;
      try {
        endpoint = parseEndpoint(opts.listen, listenFrom);
      } catch (e) {
        return cmd.error((e as Error).message);
      }
      if (opts.metalApiUrl !== undefined && !URL.canParse(opts.metalApiUrl)) {
        return cmd.error(`--metal-api-url: not an absolute URL: ${JSON.stringify(opts.metalApiUrl)}`);
      }
      // Loaded here so that other commands start without the gRPC stack and the driver.
      const { startCmiServer } = await import("../mcm/cmi/server.ts");
      const { EquinixMetalDriver } = await import("../mcm/driver/equinix_metal_driver.ts");
      const signal = shutdownSignal(log);
      const driver = new EquinixMetalDriver({ metalApiUrl: opts.metalApiUrl, log: getLogger("machine-driver") });
      const server = await startCmiServer({ driver, endpoint, log, drainTimeoutMs: opts.drainTimeoutMs });
      console.log(`listening: ${server.endpoint}`);
      await aborted(signal);
      await server.close();
    });
}
