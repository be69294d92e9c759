/**
 * `provider-equinix-metal metal-simulator`: the Equinix Metal API simulator as a standalone process (the real API
 * was shut down on 2026-06-30), optionally with the playground's Metal faults. Prints `url: ...`, `token: ...` and
 * `project: ...` once it serves; stops on SIGTERM/SIGINT.
 */
import { getLogger } from "../observability/log.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";
import { keepOnlyPermissions } from "../runtime/permissions.ts";
import { parsePort } from "./apiserver.ts";
import { command, UsageError } from "./parser.ts";
import { value } from "../runtime/flags.ts";
import type { SeedData } from "../sim/metal/mod.ts";
import { METAL_FAULT_FLAGS, metalFaultsFromFlags } from "./metal_fault_flags.ts";

function parseRandomSeed(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 0xffffffff) throw new Error(`expected an integer 0-4294967295, got ${raw}`);
  return Number(raw);
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
  const { Rng } = await import("../sim/kernel/mod.ts");
  const seed = parseSeedText(text, path);
  // Resolve once up front so that dangling references are reported with the file name before anything starts.
  resolveSeed(seed, new Rng(0), path);
  return seed;
}

/** The `metal-simulator` command. */
export const metalSimulatorCommand = command({
  name: "metal-simulator",
  summary: "run the Equinix Metal API simulator (organisations, projects, devices, faults) over HTTP",
  flags: {
    port: value("<port>", "port to listen on (0: any free port)", { parse: parsePort, default: 0 }),
    hostname: value("<host>", "address to listen on", { default: "127.0.0.1" }),
    seed: value(
      "<file>",
      "JSON or YAML seed: organizations, users, projects, tokens, sshKeys, hardwareReservations, capacity, timings",
    ),
    randomSeed: value("<n>", "make ids, tokens and faults reproducible", { parse: parseRandomSeed }),
    ...METAL_FAULT_FLAGS,
  },
  async run(opts) {
    const log = getLogger("metal-simulator");
    let seed: SeedData | undefined;
    try {
      seed = opts.seed === undefined ? undefined : await readSeedFile(opts.seed);
    } catch (e) {
      throw new UsageError((e as Error).message, "metal-simulator");
    }
    // Once the seed is read, it only serves.
    keepOnlyPermissions(["net", "env", "sys"]);
    const { MetalSimulator } = await import("../sim/metal/mod.ts");
    const signal = shutdownSignal(log);
    const sim = new MetalSimulator({ seed, randomSeed: opts.randomSeed, log });
    const faults = metalFaultsFromFlags(opts);
    let bursts: ReturnType<typeof setInterval> | undefined;
    if (faults) {
      sim.faults.addProfile(faults);
      const b = faults.rateLimitBursts;
      if (b) {
        bursts = setInterval(() => sim.faults.add({ status: 429, times: b.size, retryAfterSeconds: 1 }), b.everyMs);
      }
    }
    const server = await sim.serve({ hostname: opts.hostname, port: opts.port });
    try {
      log.info("Metal API simulator serving", { url: server.url, project: sim.defaultProjectId });
      console.log(`url: ${server.url}`);
      console.log(`token: ${sim.defaultToken}`);
      console.log(`project: ${sim.defaultProjectId}`);
      await aborted(signal);
    } finally {
      if (bursts !== undefined) clearInterval(bursts);
      sim.close();
      await server.stop();
    }
  },
});
