/**
 * Integration harness of the machine controller: two fake API servers (control with the real machine CRDs of
 * crds/, target with nodes/pods/PDBs/VolumeAttachments), one FakeClock for every timer, a driver, the
 * controller, and optionally the node simulation. `until()` advances fake time in steps while real I/O settles.
 */
import { type ApiServer, startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { Informer } from "../../../src/k8s/cache/informer.ts";
import { CoreV1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { undefinedIfNotFound } from "../../../src/k8s/api/errors.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { pumpFor, pumpUntil } from "../../support/fake_time.ts";
import type { Driver } from "../../../src/mcm/driver/driver.ts";
import { MachineController } from "../../../src/mcm/controller/machine_controller.ts";
import { type MachineControllerOptions, withDefaults } from "../../../src/mcm/options.ts";
import type { Machine, MachineClass } from "../../../src/apis/machine/v1alpha1.ts";
import type { Node } from "../../../src/k8s/api/builtin_types.ts";
import { NodeSimulator } from "../../../src/sim/nodes/node_simulator.ts";
import type { SimulatedDevice } from "../../../src/sim/nodes/node_plan.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import { configureLogging, type LogLevel } from "../../../src/observability/log.ts";
import type { Registry } from "../../../src/observability/metrics.ts";

export const NS = "shoot--test";
export const CLASS = "class-a";

const logLevel = (Deno.env.get("TEST_LOG_LEVEL") ?? "error") as LogLevel;
configureLogging({ level: logLevel });

export interface HarnessOptions {
  driver: Driver;
  options?: Partial<MachineControllerOptions>;
  /** Devices for the node simulation (omit: no simulated nodes). */
  devices?: () => readonly SimulatedDevice[];
  criticalComponentsTaintMs?: number;
  clock?: FakeClock;
  /** Registry of the controller's machine gauges (default: the process registry). */
  metrics?: Registry;
}

export class Harness {
  controller!: MachineController;
  nodeSim?: NodeSimulator;
  private runner?: { stop: AbortController; done: Promise<void> };
  private simRunner?: { stop: AbortController; done: Promise<void> };

  private constructor(
    readonly clock: FakeClock,
    readonly control: ApiServer,
    readonly target: ApiServer,
    readonly controlClient: KubeClient,
    readonly targetClient: KubeClient,
    readonly opts: HarnessOptions,
  ) {}

  static async start(opts: HarnessOptions): Promise<Harness> {
    const clock = opts.clock ?? new FakeClock();
    const crds = loadCrds({ groups: ["machine"] });
    const control = await startApiServer({
      clock,
      namespaces: ["default", "kube-system", NS],
      bookmarkIntervalMs: 3_600_000,
    });
    const target = await startApiServer({ clock, bookmarkIntervalMs: 3_600_000 });
    await control.installCrds(crds);
    const h = new Harness(
      clock,
      control,
      target,
      new KubeClient(control.connection()),
      new KubeClient(target.connection()),
      opts,
    );
    if (opts.devices) {
      h.nodeSim = new NodeSimulator({
        client: new KubeClient(target.connection()),
        devices: opts.devices,
        clock,
        pollMs: 2000,
        criticalComponentsTaintMs: opts.criticalComponentsTaintMs ?? 0,
      });
      const stop = new AbortController();
      h.simRunner = { stop, done: h.nodeSim.start(stop.signal) };
    }
    h.startController();
    return h;
  }

  /** Starts (or restarts) the controller with fresh caches and queues. */
  startController(): void {
    this.controller = new MachineController({
      control: this.controlClient,
      target: this.targetClient,
      driver: this.opts.driver,
      options: withDefaults({ namespace: NS, concurrentSyncs: 5, ...this.opts.options }),
      clock: this.clock,
      metrics: this.opts.metrics,
    });
    const stop = new AbortController();
    this.runner = { stop, done: this.controller.start(stop.signal) };
  }

  /** Stops the controller (as on SIGTERM or a crash: in-flight work is aborted). */
  async stopController(): Promise<void> {
    if (!this.runner) return;
    this.runner.stop.abort(new Error("controller stopped"));
    // Fake time has to move for timers that gate the shutdown (e.g. sleeps honouring the signal).
    await this.pump(this.runner.done);
    this.runner = undefined;
  }

  private async pump(p: Promise<unknown>): Promise<void> {
    let done = false;
    p.finally(() => (done = true));
    for (let i = 0; i < 500 && !done; i++) {
      await new Promise((r) => setTimeout(r, 2));
      if (!done) await this.clock.advance(100);
    }
    await p;
  }

  async close(): Promise<void> {
    await this.stopController();
    this.watchers.abort();
    await Promise.all(this.informers.map((i) => i.stopped()));
    if (this.simRunner) {
      this.simRunner.stop.abort();
      await this.pump(this.simRunner.done);
    }
    this.controlClient.close();
    this.targetClient.close();
    (this.nodeSim as unknown as { opts?: { client: KubeClient } })?.opts?.client.close();
    await this.control.stop();
    await this.target.stop();
  }

  /**
   * Advances fake time by `stepMs` at a time (letting real I/O run in between) until `probe` returns a truthy
   * value; fails after `maxMs` of fake time or 20 s of real time.
   */
  until<T>(
    probe: () => T | Promise<T>,
    opts: { stepMs?: number; maxMs?: number; what?: string } = {},
  ): Promise<NonNullable<T>> {
    return pumpUntil(this.clock, probe, { maxMs: 30 * 60_000, ...opts });
  }

  /** Lets fake time pass in steps (for "nothing happens before X" assertions). */
  advance(ms: number, stepMs = 1000): Promise<void> {
    return pumpFor(this.clock, ms, stepMs);
  }

  /** Calls `fn` with every version of every Machine the control server announces (until `close()`); resolves once synced. */
  async watchMachines(fn: (m: Machine) => void): Promise<void> {
    const informer = new Informer<Machine>(this.controlClient, MachineV1alpha1.machines, { namespace: NS });
    // The delete event carries the last state too (with its deletionTimestamp).
    informer.addEventHandler({ onAdd: fn, onUpdate: (_o, n) => fn(n), onDelete: fn });
    informer.start(this.watchers.signal);
    this.informers.push(informer);
    // Synced before the caller acts, so no version written after this call is missed.
    await informer.waitForSync(this.watchers.signal);
  }

  private readonly watchers = new AbortController();
  private readonly informers: Informer<Machine>[] = [];

  // ---- objects -------------------------------------------------------------------------------------------------

  async createSecret(name: string, data: Record<string, string>): Promise<void> {
    await this.controlClient.create(CoreV1.secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace: NS },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, btoa(v)])),
    }, { namespace: NS });
  }

  async createClass(patch: Partial<MachineClass> = {}, name = CLASS): Promise<void> {
    await this.controlClient.create<MachineClass>(MachineV1alpha1.machineClasses, {
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "MachineClass",
      metadata: { name, namespace: NS },
      provider: "EquinixMetal",
      providerSpec: { metro: "ny", machineType: "c3.small.x86", OS: "ubuntu_22_04", billingCycle: "hourly" },
      secretRef: { name: "class-secret", namespace: NS },
      ...patch,
    }, { namespace: NS });
  }

  /** Class + secret with a user data template that uses both placeholders. */
  async createDefaultClass(): Promise<void> {
    await this.createSecret("class-secret", {
      userData: "#!/bin/sh\nTOKEN=<<BOOTSTRAP_TOKEN>>\nNAME=<<MACHINE_NAME>>\n",
      apiToken: "fake-api-token-123456",
    });
    await this.createClass();
  }

  async createMachine(name: string, patch: { labels?: Record<string, string>; spec?: Partial<Machine["spec"]> } = {}) {
    await this.controlClient.create<Machine>(MachineV1alpha1.machines, {
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "Machine",
      metadata: { name, namespace: NS, labels: patch.labels ?? {} },
      spec: { class: { kind: "MachineClass", name: CLASS }, ...(patch.spec ?? {}) },
    }, { namespace: NS });
  }

  async machine(name: string): Promise<Machine | undefined> {
    return await undefinedIfNotFound(
      this.controlClient.get<Machine>(MachineV1alpha1.machines, name, { namespace: NS }),
    );
  }

  async phase(name: string): Promise<string | undefined> {
    return (await this.machine(name))?.status?.currentStatus?.phase;
  }

  async node(name: string): Promise<Node | undefined> {
    return await undefinedIfNotFound(this.targetClient.get<Node>(CoreV1.nodes, name));
  }

  async deleteMachine(name: string): Promise<void> {
    await this.controlClient.delete(MachineV1alpha1.machines, name, { namespace: NS });
  }

  /** Registers a Node as a kubelet would (Ready, other conditions False). */
  async registerNode(name: string): Promise<void> {
    const ts = new Date(this.clock.now()).toISOString();
    await this.targetClient.create(CoreV1.nodes, {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name },
      spec: { providerID: `equinixmetal://${name}` },
      status: {
        conditions: ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"].map((t) => ({
          type: t,
          status: t === "Ready" ? "True" : "False",
          lastTransitionTime: ts,
          lastHeartbeatTime: ts,
        })),
      },
    });
  }

  /** Sets node conditions (by type) via the status subresource. */
  async setNodeConditions(name: string, statuses: Record<string, string>, transitionAgoMs = 0): Promise<void> {
    const node = await this.node(name);
    const ts = new Date(this.clock.now() - transitionAgoMs).toISOString();
    const conditions = (node?.status?.conditions ?? []).map((c) =>
      statuses[c.type] !== undefined ? { ...c, status: statuses[c.type], lastTransitionTime: ts } : c
    );
    await this.targetClient.patch(CoreV1.nodes, name, { status: { conditions } }, "merge", { subresource: "status" });
  }
}

/** Devices of a fake driver for the node simulation (all active). */
export function fakeDevices(vms: () => Iterable<{ id: string; name: string }>): () => SimulatedDevice[] {
  return () =>
    [...vms()].map((v, i) => ({
      id: v.id,
      hostname: v.name,
      state: "active",
      addresses: [`10.0.${i >> 8}.${i & 255}/31`],
    }));
}
