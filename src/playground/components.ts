/**
 * Our components as the playground runs them: the extension (one per seed) and one machine controller per shoot
 * (MCM's provider sidecar, control cluster = seed, target cluster = shoot), with the flags of the sidecar our webhook
 * injected into the shoot's machine-controller-manager Deployment (`sidecar.ts`). Each runs in-process (the default; the demo and the tests) or as a
 * subprocess of our CLI (benchmarks, to measure each component's CPU and memory on its own).
 *
 * A `Supervisor` restarts a component that stops on its own (as the kubelet restarts a container) and restarts it
 * on request, gracefully or as a crash (fault runs).
 */
import { resolveExtensionOptions } from "../extension/options.ts";
import { startExtension } from "../extension/app.ts";
import { resolveMcmOptions } from "../mcm/options.ts";
import { assembleMachineController } from "../mcm/app.ts";
import type { ClusterConnection } from "../k8s/client/kubeconfig.ts";
import type { Logger } from "../observability/log.ts";
import type { Clock } from "../runtime/clock.ts";
import { flagName } from "../runtime/flags.ts";
import { V8_FLAGS } from "../runtime/v8_flags.ts";
import { type SidecarRun, subprocessArgs } from "./sidecar.ts";

/** How a component is stopped. */
export type StopMode = "graceful" | "crash";

/** One running instance of a component. */
export interface ComponentInstance {
  /** Resolves when the instance stopped, for whatever reason (a description). */
  readonly done: Promise<string>;
  /** Process id of a subprocess. */
  readonly pid?: number;
  /**
   * Stops the instance. Graceful: in-flight work may finish (within the grace period), resolves once stopped.
   * Crash: in-flight work is cut off at its next await and the call returns at once; `done` tells when the rest
   * has unwound (a subprocess is killed).
   */
  stop(mode: StopMode): Promise<void>;
  /** CPU seconds and peak RSS of a subprocess (read from /proc while it runs). */
  usage?(): ProcessUsage | undefined;
}

/** Resource usage of a subprocess. */
export interface ProcessUsage {
  cpuSeconds: number;
  peakRssBytes: number;
}

/** What every component instance needs. */
export interface ComponentContext {
  clock: Clock;
  log: Logger;
  metalUrl: string;
  /** Time allowed for in-flight work on a graceful stop. */
  gracefulShutdownMs: number;
}

function crashSignal(mode: StopMode): DOMException {
  return new DOMException(mode === "crash" ? "crashed (fault injection)" : "stopped", "AbortError");
}

/**
 * How the playground serves the extension's webhooks: on a loopback port fixed for the landscape (a restarted
 * extension serves where the registration points), reached by URL, certificates kept in the extension's namespace.
 */
export interface WebhookServing {
  port: number;
  /** Where the server's certificate files go (in the landscape's directory). */
  certDir: string;
  /** `--disable-webhooks` as given (names or `*`). */
  disabled: readonly string[];
}

/** The extension's webhook flags for a serving. */
function webhookFlags(w: WebhookServing, namespace: string) {
  return {
    webhookConfigServerHost: "127.0.0.1",
    webhookConfigServerPort: String(w.port),
    webhookConfigCertDir: w.certDir,
    webhookConfigMode: "url",
    webhookConfigUrl: `127.0.0.1:${w.port}`,
    webhookConfigNamespace: namespace,
    ...(w.disabled.length ? { disableWebhooks: [...w.disabled] } : {}),
  };
}

/** The extension in-process (`startExtension`, as `provider-equinix-metal extension` runs it). */
export async function startExtensionInProcess(
  ctx: ComponentContext,
  opts: { connection: ClusterConnection; namespace: string; identity: string; webhooks: WebhookServing },
): Promise<ComponentInstance> {
  const { options, errors } = resolveExtensionOptions({
    leaderElectionNamespace: opts.namespace,
    heartbeatNamespace: opts.namespace,
    metricsBindAddress: "0",
    healthBindAddress: "0",
    metalApiUrl: ctx.metalUrl,
    ...webhookFlags(opts.webhooks, opts.namespace),
  }, {});
  if (!options) throw new Error(`extension options: ${errors.join("; ")}`);
  const ext = await startExtension({
    options,
    connection: opts.connection,
    clock: ctx.clock,
    identity: opts.identity,
    gracefulShutdownMs: ctx.gracefulShutdownMs,
    log: ctx.log,
  });
  return {
    done: ext.done.then((r) => `stopped (${r ?? "signal"})`, (e) => `failed: ${(e as Error).message}`),
    async stop(mode) {
      const stopped = ext.stop();
      if (mode === "graceful") await stopped;
    },
  };
}

/**
 * One shoot's machine controller in-process, built as `provider-equinix-metal machine-controller` builds it from the
 * sidecar's flags; the kubeconfigs are the seed's and the shoot's connections, no probe server is started.
 */
export function startMachineControllerInProcess(
  ctx: ComponentContext,
  opts: { control: ClusterConnection; target: ClusterConnection; run: SidecarRun; identity: string },
): Promise<ComponentInstance> {
  const { options: flags, errors } = resolveMcmOptions({ ...opts.run.flags, metalApiUrl: ctx.metalUrl });
  if (!flags) throw new Error(`machine-controller flags of the sidecar: ${errors.join("; ")}`);
  const mc = assembleMachineController({
    flags,
    control: opts.control,
    target: opts.target,
    log: ctx.log,
    clock: ctx.clock,
    identity: opts.identity,
    gracefulShutdownMs: ctx.gracefulShutdownMs,
  });
  const stop = new AbortController();
  const done = mc.manager.start(stop.signal).then(
    () => `stopped (${mc.manager.stopReason ?? "signal"})`,
    (e) => `failed: ${(e as Error).message}`,
  ).finally(() => mc.close());
  return Promise.resolve({
    done,
    async stop(mode) {
      stop.abort(crashSignal(mode));
      if (mode === "graceful") await done;
    },
  });
}

/** Reads CPU seconds and peak RSS of a process from /proc (Linux); undefined elsewhere or once it exited. */
export function readProcessUsage(pid: number): ProcessUsage | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return { cpuSeconds: ticks / 100, peakRssBytes: hwm ? Number(hwm[1]) * 1024 : 0 };
  } catch {
    return undefined;
  }
}

/**
 * The command line that starts a subcommand of our CLI: the binary itself when compiled (its V8 flags and
 * permissions are baked in), otherwise `deno run` of the entry point with the same permissions (the project's
 * deno.json, named so that the working directory does not matter) and V8 flags.
 */
export function cliCommand(args: string[]): string[] {
  if (Deno.build.standalone) return args;
  const main = new URL("../main.ts", import.meta.url).pathname;
  const config = new URL("../../deno.json", import.meta.url).pathname;
  return ["run", "-P", "--no-prompt", "--quiet", `--config=${config}`, `--v8-flags=${V8_FLAGS}`, main, ...args];
}

/** Starts a subcommand of our CLI as a subprocess; keeps the tail of its stderr for error messages. */
export function startCliProcess(name: string, args: string[], log: Logger): ComponentInstance {
  const child = new Deno.Command(Deno.execPath(), {
    args: cliCommand(["--log-level", "error", ...args]),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let tail = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) tail = (tail + decoder.decode(chunk, { stream: true })).slice(-8192);
  })().catch(() => {});
  let last: ProcessUsage | undefined;
  const done = child.status.then(async (s) => {
    await reading;
    const why = s.signal ? `killed by ${s.signal}` : `exited with code ${s.code}`;
    if (s.code !== 0 && !s.signal && tail) log.error(`${name} ${why}`, { stderr: tail.slice(-2000) });
    return why;
  });
  return {
    done,
    pid: child.pid,
    usage() {
      last = readProcessUsage(child.pid) ?? last;
      return last;
    },
    async stop(mode) {
      last = readProcessUsage(child.pid) ?? last;
      try {
        child.kill(mode === "crash" ? "SIGKILL" : "SIGTERM");
      } catch {
        // already exited
      }
      await done;
    },
  };
}

/** The extension as a subprocess. */
export function extensionSubprocess(
  ctx: ComponentContext,
  opts: { kubeconfig: string; namespace: string; webhooks: WebhookServing },
): Promise<ComponentInstance> {
  const webhooks = Object.entries(webhookFlags(opts.webhooks, opts.namespace)).map(([k, v]) =>
    `${flagName(k)}=${Array.isArray(v) ? v.join(",") : v}`
  );
  return Promise.resolve(startCliProcess("extension", [
    "extension",
    `--kubeconfig=${opts.kubeconfig}`,
    `--leader-election-namespace=${opts.namespace}`,
    `--heartbeat-namespace=${opts.namespace}`,
    `--metal-api-url=${ctx.metalUrl}`,
    "--metrics-bind-address=0",
    "--health-bind-address=0",
    ...webhooks,
  ], ctx.log));
}

/** A free TCP port on loopback (for a subprocess's probe server, the webhook server). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** One shoot's machine controller as a subprocess, with the sidecar's flags and the playground's files. */
export function machineControllerSubprocess(
  ctx: ComponentContext,
  opts: { controlKubeconfig: string; targetKubeconfig: string; namespace: string; run: SidecarRun },
): Promise<ComponentInstance> {
  return Promise.resolve(startCliProcess(`machine-controller ${opts.namespace}`, [
    "machine-controller",
    ...subprocessArgs(opts.run, {
      controlKubeconfig: opts.controlKubeconfig,
      targetKubeconfig: opts.targetKubeconfig,
      port: freePort(),
      metalUrl: ctx.metalUrl,
    }),
  ], ctx.log));
}

/** Keeps one component running: restarts it when it stops on its own, and on request. */
export class Supervisor {
  /** Restarts so far (requested and after unexpected stops). */
  restarts = 0;
  private instance?: ComponentInstance;
  private generation = 0;
  private stopping = false;
  private changing?: Promise<void>;
  /** Instances stopped as a crash that may still be unwinding. */
  private readonly unwinding = new Set<Promise<string>>();
  /** Last usage of instances that ended. */
  private readonly ended: Array<ProcessUsage | undefined> = [];

  constructor(
    readonly name: string,
    private readonly factory: (generation: number) => Promise<ComponentInstance>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** The current instance (undefined while restarting). */
  get current(): ComponentInstance | undefined {
    return this.instance;
  }

  /** Starts an instance unless one runs (also after `stop()`). */
  async start(): Promise<void> {
    await this.changing;
    if (this.instance) return;
    this.stopping = false;
    await this.launch();
  }

  /** CPU seconds of every instance so far and the largest peak RSS (subprocesses); undefined in-process. */
  usage(): ProcessUsage | undefined {
    const all = [...this.ended, ...(this.instance?.usage ? [this.instance.usage()] : [])].filter((u) => !!u);
    if (all.length === 0) return undefined;
    return {
      cpuSeconds: all.reduce((n, u) => n + u!.cpuSeconds, 0),
      peakRssBytes: Math.max(...all.map((u) => u!.peakRssBytes)),
    };
  }

  private async launch(): Promise<void> {
    const generation = ++this.generation;
    const instance = await this.factory(generation);
    this.instance = instance;
    instance.done.then(() => this.ended.push(instance.usage?.()));
    instance.done.then((why) => {
      if (this.stopping || this.instance !== instance || this.changing) return;
      this.log.error(`${this.name} stopped unexpectedly (${why}); restarting it`, { component: this.name });
      this.instance = undefined;
      this.restarts++;
      this.changing = this.clock.sleep(1000).then(() => this.stopping ? undefined : this.launch()).finally(() =>
        this.changing = undefined
      );
    });
  }

  /** Stops the current instance (gracefully or as a crash) and starts a new one. */
  async restart(mode: StopMode): Promise<void> {
    if (this.stopping) return;
    await this.changing;
    const old = this.instance;
    this.changing = (async () => {
      this.log.info(`Restarting ${this.name} (${mode})`, { component: this.name });
      this.restarts++;
      if (old) {
        this.unwinding.add(old.done);
        old.done.finally(() => this.unwinding.delete(old.done));
        await old.stop(mode);
      }
      if (!this.stopping) await this.launch();
    })();
    try {
      await this.changing;
    } finally {
      this.changing = undefined;
    }
  }

  /** Stops for good. */
  async stop(mode: StopMode = "graceful"): Promise<void> {
    this.stopping = true;
    await this.changing?.catch(() => {});
    await this.instance?.stop(mode);
    await this.instance?.done;
    this.instance = undefined;
    await Promise.all(this.unwinding);
  }
}
