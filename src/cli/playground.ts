/**
 * `provider-equinix-metal playground` (alias `demo`): the product's main job on simulated Equinix Metal — a shoot's
 * Infrastructure and Worker become Running machines, with live progress, while kubectl can inspect and change
 * things (`kubeconfig: <path>` is the seed, `shoot kubeconfig: <path>` the shoot). `--once` runs create → rolling
 * update → deletion, prints a summary and exits 0 (1 with the reason otherwise). Knobs size the scenario and inject
 * faults; SIGINT/SIGTERM stop everything gracefully.
 */
import { configureLogging, fileSink, getLogger } from "../observability/log.ts";
import type { FaultOptions } from "../playground/mod.ts";
import { parsePort } from "./apiserver.ts";
import { command, UsageError } from "./parser.ts";
import { list, toggle, value } from "../runtime/flags.ts";
import {
  decimal,
  METAL_FAULT_FLAGS,
  type MetalFaultFlags,
  metalFaultsFromFlags,
  percent,
} from "./metal_fault_flags.ts";

function integer(min: number, max: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim())) throw new Error(`not an integer: ${JSON.stringify(v)}`);
    const n = Number(v);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

const seconds = decimal(0.001, 86_400);

interface FaultFlags extends MetalFaultFlags {
  apiserverConflicts?: number;
  apiserverWatchDrops?: number;
  apiserverGone?: number;
  restarts?: number;
  restartMode?: "crash" | "graceful" | "mixed";
}

/** The fault options of the flags, or undefined when none is set. */
export function faultsFromFlags(f: FaultFlags): FaultOptions | undefined {
  const faults: FaultOptions = {};
  const metal = metalFaultsFromFlags(f);
  if (metal) faults.metal = metal;
  if (f.apiserverConflicts || f.apiserverWatchDrops || f.apiserverGone) {
    faults.apiServers = {
      conflictPercent: f.apiserverConflicts,
      watchDropEveryMs: f.apiserverWatchDrops ? Math.round(f.apiserverWatchDrops * 1000) : undefined,
      goneEveryMs: f.apiserverGone ? Math.round(f.apiserverGone * 1000) : undefined,
    };
  }
  if (f.restarts) faults.restarts = { everyMs: Math.round(f.restarts * 1000), mode: f.restartMode };
  return Object.keys(faults).length ? faults : undefined;
}

/** The `playground` command (alias `demo`). Its components and simulations need every permission of the binary. */
export const playgroundCommand = command({
  name: "playground",
  aliases: ["demo"],
  summary:
    "run the main job on simulated Equinix Metal: a shoot's Worker becomes Running machines (live progress, kubectl)",
  flags: {
    once: toggle("create → rolling update → migration → delete, print a summary and exit (1 on failure)"),
    shoot: list("<file>", "a core.gardener.cloud/v1beta1 Shoot manifest to run instead of the example (repeatable)"),
    cloudProfile: value("<file>", "the CloudProfile manifest the --shoot files use", {
      defaultText: "the one in example/10-cluster.yaml",
    }),
    hardwareReservation: list(
      "<plan:location[:n]>",
      "hardware reservations of the plan in a metro or facility for the run, n of them or one (repeatable); ids printed",
    ),
    shoots: value("<n>", "number of shoots", { parse: integer(1, 1000), defaultText: "1" }),
    pools: value("<n>", "generated pools per shoot instead of the example's", { parse: integer(1, 100) }),
    machinesPerPool: value("<n>", "machines per generated pool (with --pools)", { parse: integer(0, 10_000) }),
    provisioningSeconds: value("<s>", "time a device takes from create to active", {
      parse: decimal(0, 3600),
      defaultText: "5", // DEFAULT_PROVISIONING_SECONDS, applied by the playground (not loaded before the command runs)
    }),
    rollingUpdate: toggle("the rolling update of --once (--no-rolling-update skips it)", { negatable: true }),
    hibernate: toggle("with --once: hibernate the shoots after the rolling update and wake them up again"),
    migration: toggle(
      "the control-plane migration of --once before the deletion (--no-migration skips it)",
      { negatable: true },
    ),
    rbac: toggle(
      "run our components (and the simulated CCM) on their ServiceAccounts' tokens under the chart's, gardenlet's and " +
        "our ManagedResource's RBAC (--no-rbac: as admin)",
      { negatable: true },
    ),
    steadyStateSeconds: value("<s>", "with --once: after the create phase, count the writes of a quiet period", {
      parse: decimal(0, 86_400),
    }),
    seed: value("<n>", "seed of ids and fault decisions", {
      parse: integer(0, 2 ** 32 - 1),
      defaultText: "random",
    }),
    components: value("<how>", "run our components in-process or as CLI subprocesses", {
      choices: ["in-process", "subprocess"] as const,
      default: "in-process",
    }),
    disableWebhooks: list(
      "<names>",
      "passed to the extension (controlplane, seedprovider, shoot, *): without controlplane no sidecar, the demo fails",
    ),
    status: value("<mode>", "live status: tty (redrawn), plain (lines on changes), quiet", {
      defaultText: "detect",
      choices: ["tty", "plain", "quiet"] as const,
    }),
    ...METAL_FAULT_FLAGS,
    apiserverConflicts: value("<percent>", "API servers: 409 on updates and patches", { parse: percent }),
    apiserverWatchDrops: value("<seconds>", "API servers: close every watch this often", { parse: seconds }),
    apiserverGone: value("<seconds>", "API servers: compact (410 Gone on resume) this often", { parse: seconds }),
    restarts: value("<seconds>", "restart a random component of ours about this often", { parse: seconds }),
    restartMode: value("<mode>", "how restarts stop a component", { choices: ["crash", "graceful", "mixed"] as const }),
    port: value("<port>", "seed API server port (0: any free port)", { parse: parsePort, default: 0 }),
    kubeconfigOut: value("<path>", "write the seed kubeconfig here", { defaultText: "a temporary file" }),
    crdsDir: value("<dir>", "directory of real CRDs with gardener/ and machine/", {
      defaultText: "the project's vendored copies in crds/",
    }),
    examplesDir: value("<dir>", "directory of the example shoot's manifests", { defaultText: "example/" }),
    logFile: value("<path>", "where log lines go, - for stderr", {
      defaultText: "a file in the temporary directory while the live view is redrawn on a terminal, else stderr",
    }),
  },
  async run(opts) {
    if ((opts.pools === undefined) !== (opts.machinesPerPool === undefined)) {
      throw new UsageError("--pools and --machines-per-pool go together", "playground");
    }
    const shootFiles = opts.shoot?.length ? opts.shoot : undefined;
    if (shootFiles && (opts.shoots !== undefined || opts.pools !== undefined)) {
      throw new UsageError("--shoot files bring their own pools: not with --shoots or --pools", "playground");
    }
    if (opts.cloudProfile !== undefined && !shootFiles) {
      throw new UsageError("--cloud-profile goes with --shoot", "playground");
    }
    const log = getLogger("playground");
    // Loaded here so that other commands start without the whole landscape.
    const { runPlayground, detectStatusMode, parseHardwareReservation } = await import("../playground/mod.ts");
    let hardwareReservations;
    try {
      hardwareReservations = (opts.hardwareReservation ?? []).map(parseHardwareReservation);
    } catch (e) {
      throw new UsageError(`--hardware-reservation: ${(e as Error).message}`, "playground");
    }
    // Log lines written between redraws would tear the live view apart: they go to a file then.
    const logFile = opts.logFile ??
      ((opts.status ?? detectStatusMode()) === "tty" ? await Deno.makeTempFile({ suffix: "-playground.log" }) : "-");
    if (logFile !== "-") {
      configureLogging({ sink: fileSink(logFile) });
      console.log(`logs: ${logFile}`);
    }
    try {
      await runPlayground({
        once: opts.once,
        shootFiles,
        cloudProfileFile: opts.cloudProfile,
        hardwareReservations: hardwareReservations.length ? hardwareReservations : undefined,
        shoots: opts.shoots,
        pools: opts.pools,
        machinesPerPool: opts.machinesPerPool,
        provisioningSeconds: opts.provisioningSeconds,
        rollingUpdate: opts.rollingUpdate,
        hibernate: opts.hibernate,
        migrate: opts.migration,
        rbac: opts.rbac,
        steadyStateMs: opts.steadyStateSeconds ? Math.round(opts.steadyStateSeconds * 1000) : undefined,
        randomSeed: opts.seed,
        components: opts.components,
        disableWebhooks: opts.disableWebhooks,
        status: opts.status,
        faults: faultsFromFlags(opts),
        port: opts.port,
        kubeconfigOut: opts.kubeconfigOut,
        crdsDir: opts.crdsDir,
        examplesDir: opts.examplesDir,
        log,
      });
    } catch (e) {
      throw new Error("playground failed", { cause: e });
    }
  },
});
