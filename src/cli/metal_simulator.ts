/**
 * `provider-equinix-metal metal-simulator`: the Equinix Metal API simulator as a standalone process (the real API
 * was shut down on 2026-06-30). Prints `url: ...`, `token: ...` and `project: ...` once it serves; stops on
 * SIGTERM/SIGINT.
 */
import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { getLogger } from "../observability/log.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";
import { parsePort } from "./apiserver.ts";
import type { SeedData } from "../sim/metal/mod.ts";

function parseRandomSeed(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) {
    throw new InvalidArgumentError(`expected an integer 0-4294967295, got ${value}`);
  }
  return Number(value);
}

/** Reads and validates a seed file; the error names the file and the field. */
export async function readSeedFile(path: string): Promise<SeedData> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`--seed: cannot read ${path}: ${(e as Error).message}`);
  }
  const { parseSeedText, resolveSeed } = await import("../sim/metal/mod.ts");
  const { Rng } = await import("../sim/metal/rng.ts");
  const seed = parseSeedText(text, path);
  // Resolve once up front so that dangling references are reported with the file name before anything starts.
  resolveSeed(seed, new Rng(0), path);
  return seed;
}

/** Builds the `metal-simulator` subcommand. */
export function metalSimulatorCommand() {
  const cmd = new Command("metal-simulator")
    .description("run the Equinix Metal API simulator (organisations, projects, devices, faults) over HTTP")
    .addOption(new Option("--port <port>", "port to listen on (0: any free port)").argParser(parsePort).default(0))
    .addOption(new Option("--hostname <host>", "address to listen on").default("127.0.0.1"))
    .addOption(
      new Option(
        "--seed <file>",
        "JSON or YAML seed: organizations, users, projects, tokens, sshKeys, hardwareReservations, capacity, timings",
      ),
    )
    .addOption(new Option("--random-seed <n>", "make ids, tokens and faults reproducible").argParser(parseRandomSeed));
  return cmd.action(async (opts) => {
    const log = getLogger("metal-simulator");
    let seed: SeedData | undefined;
    try {
      seed = opts.seed === undefined ? undefined : await readSeedFile(opts.seed);
    } catch (e) {
      cmd.error((e as Error).message);
    }
    const { MetalSimulator } = await import("../sim/metal/mod.ts");
    const signal = shutdownSignal(log);
    const sim = new MetalSimulator({ seed, randomSeed: opts.randomSeed, log });
    const server = await sim.serve({ hostname: opts.hostname, port: opts.port });
    try {
      log.info("Metal API simulator serving", { url: server.url, project: sim.defaultProjectId });
      console.log(`url: ${server.url}`);
      console.log(`token: ${sim.defaultToken}`);
      console.log(`project: ${sim.defaultProjectId}`);
      await aborted(signal);
    } finally {
      sim.close();
      await server.stop();
    }
  });
}
