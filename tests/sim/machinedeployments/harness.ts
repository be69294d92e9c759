/**
 * Test harness of the MachineDeployment simulation: a fake API server (plain HTTP, one FakeClock for every timer)
 * with the real MCM CRDs (crds/), the simulation, and a tiny "machine phase setter" playing the provider's
 * machine controller: it puts the MCM finalizer on new Machines, moves them to a phase the test chooses, and
 * releases the finalizer of deleted Machines. `until()` advances fake time in small steps while real I/O settles.
 */
import { type ApiServer, startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { Informer } from "../../../src/k8s/cache/informer.ts";
import { isConflict, isNotFound } from "../../../src/k8s/api/errors.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { pumpFor, pumpUntil } from "../../support/fake_time.ts";
import { configureLogging, type LogLevel } from "../../../src/observability/log.ts";
import {
  API_VERSION,
  type Machine,
  type MachineDeployment,
  type MachineSet,
  MCM_FINALIZER,
} from "../../../src/apis/machine/v1alpha1.ts";
import { MachineDeploymentSimulation } from "../../../src/sim/machinedeployments/mod.ts";
import { loadCrds } from "../../../src/playground/crds.ts";

export const NS = "shoot--sim";

configureLogging({ level: (Deno.env.get("TEST_LOG_LEVEL") ?? "error") as LogLevel });

/** Phase a new machine gets from the phase setter; `undefined` leaves it alone (the test sets it). */
export type PhasePolicy = (m: Machine) => string | undefined;

export interface HarnessOptions {
  /** Default: every new machine becomes Running at once. */
  phasePolicy?: PhasePolicy;
  /** Keep deleted machines (finalizer held) until `releaseDeleted()`. */
  holdDeletions?: boolean;
  concurrency?: number;
}

/** A MachineDeployment as Gardener's Worker controller writes one. */
export function deployment(name: string, overrides: Partial<MachineDeployment["spec"]> = {}): MachineDeployment {
  return {
    apiVersion: API_VERSION,
    kind: "MachineDeployment",
    metadata: { name, namespace: NS, labels: { "worker.gardener.cloud/pool": "pool-a" } },
    spec: {
      replicas: 3,
      minReadySeconds: 500,
      revisionHistoryLimit: 0,
      selector: { matchLabels: { name } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { name } },
        spec: {
          class: { kind: "MachineClass", name: `${name}-class-a` },
          nodeTemplate: { metadata: { labels: { "worker.gardener.cloud/pool": "pool-a" } } },
          drainTimeout: "2h0m0s",
          healthTimeout: "10m0s",
          creationTimeout: "20m0s",
        },
      },
      ...overrides,
    },
  };
}

export class Harness {
  sim: MachineDeploymentSimulation;
  readonly machines: Informer<Machine>;
  readonly sets: Informer<MachineSet>;
  readonly deployments: Informer<MachineDeployment>;
  /** Machine names whose deletion the phase setter holds back (with `holdDeletions`). */
  readonly held = new Set<string>();
  private readonly stop = new AbortController();
  private simStop = new AbortController();
  private running: Promise<void>;
  private readonly setter = new Set<Promise<void>>();
  /** Unexpected errors of the phase setter (tests assert there are none). */
  readonly setterErrors: unknown[] = [];
  private phasePolicy: PhasePolicy;

  private constructor(
    readonly clock: FakeClock,
    readonly api: ApiServer,
    readonly client: KubeClient,
    private readonly testClient: KubeClient,
    readonly opts: HarnessOptions,
  ) {
    this.phasePolicy = opts.phasePolicy ?? (() => "Running");
    this.sim = this.newSimulation();
    this.running = this.sim.start(this.simStop.signal);
    const informer = <T extends KubeObject>(res: typeof MachineV1alpha1.machines) =>
      new Informer<T>(testClient, res, { namespace: NS, clock });
    this.machines = informer<Machine>(MachineV1alpha1.machines);
    this.sets = informer<MachineSet>(MachineV1alpha1.machineSets);
    this.deployments = informer<MachineDeployment>(MachineV1alpha1.machineDeployments);
    this.machines.addEventHandler({
      onAdd: (m) => this.playMachineController(m),
      onUpdate: (_o, m) => this.playMachineController(m),
    });
    for (const i of [this.machines, this.sets, this.deployments]) i.start(this.stop.signal);
  }

  static async start(opts: HarnessOptions = {}): Promise<Harness> {
    const clock = new FakeClock();
    const api = await startApiServer({
      clock,
      tls: false,
      namespaces: ["default", NS],
      bookmarkIntervalMs: 3_600_000,
    });
    await api.installCrds(loadCrds({ groups: ["machine"] }));
    const h = new Harness(clock, api, new KubeClient(api.connection()), new KubeClient(api.connection()), opts);
    await h.until(() => h.sim.hasSynced() && h.machines.hasSynced() && h.sets.hasSynced(), "caches synced");
    return h;
  }

  private newSimulation(): MachineDeploymentSimulation {
    return new MachineDeploymentSimulation({
      client: this.client,
      namespace: NS,
      clock: this.clock,
      concurrency: this.opts.concurrency ?? 4,
      rateLimiter: { baseDelayMs: 5, maxDelayMs: 2_000 },
    });
  }

  /** Stops the simulation (as a crash or a restart would) and starts a fresh one with empty caches. */
  async restartSimulation(): Promise<void> {
    this.simStop.abort();
    await this.pump(this.running);
    this.simStop = new AbortController();
    this.sim = this.newSimulation();
    this.running = this.sim.start(this.simStop.signal);
    await this.until(() => this.sim.hasSynced(), "restarted simulation synced");
  }

  /** Changes the phase policy for machines seen from now on. */
  setPhasePolicy(policy: PhasePolicy): void {
    this.phasePolicy = policy;
  }

  async close(): Promise<void> {
    this.stop.abort();
    this.simStop.abort();
    await this.pump(Promise.all([
      this.running,
      ...this.setter,
      ...[this.machines, this.sets, this.deployments]
        .map((i) => i.stopped()),
    ]));
    this.client.close();
    this.testClient.close();
    await this.api.stop();
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

  /** Advances fake time in `stepMs` steps, letting I/O settle, until `probe` is truthy (20 s real time at most). */
  until<T>(probe: () => T | Promise<T>, what: string, stepMs = 50): Promise<NonNullable<T>> {
    return pumpUntil(this.clock, probe, { what, stepMs });
  }

  /** Lets `ms` of fake time pass in steps while I/O settles. */
  idle(ms: number, stepMs = 1000): Promise<void> {
    return pumpFor(this.clock, ms, stepMs);
  }

  // ---- the machine controller's part -----------------------------------------------------------------------------

  private readonly busy = new Set<string>();

  private playMachineController(m: Machine): void {
    const name = m.metadata.name!;
    if (this.busy.has(name) || this.stop.signal.aborted) return;
    let work: (() => Promise<unknown>) | undefined;
    if (m.metadata.deletionTimestamp) {
      if (m.metadata.finalizers?.includes(MCM_FINALIZER) && !(this.opts.holdDeletions && this.held.has(name))) {
        if (this.opts.holdDeletions) {
          this.held.add(name);
          return;
        }
        work = () => this.setFinalizers(m, []);
      }
    } else if (!m.metadata.finalizers?.includes(MCM_FINALIZER)) {
      work = () => this.setFinalizers(m, [...(m.metadata.finalizers ?? []), MCM_FINALIZER]);
    } else if (!m.status?.currentStatus?.phase) {
      const phase = this.phasePolicy(m);
      if (phase) work = () => this.setPhase(name, phase);
    }
    if (!work) return;
    this.busy.add(name);
    const p: Promise<void> = work().then(() => {}, (e) => {
      // The machine moved on or vanished meanwhile: the next event brings the current version.
      if (!isNotFound(e) && !isConflict(e)) this.setterErrors.push(e);
    }).finally(() => {
      this.busy.delete(name);
      this.setter.delete(p);
      // Events that arrived meanwhile were skipped: look at the latest version again.
      const latest = this.machines.get(`${NS}/${name}`);
      if (latest && latest !== m) this.playMachineController(latest);
    });
    this.setter.add(p);
  }

  private async setFinalizers(m: Machine, finalizers: string[]): Promise<void> {
    await this.testClient.patch(
      MachineV1alpha1.machines,
      m.metadata.name!,
      {
        metadata: { resourceVersion: m.metadata.resourceVersion, finalizers },
      },
      "merge",
      { namespace: NS },
    );
  }

  /** Lets held deletions complete. */
  async releaseDeleted(): Promise<void> {
    for (const name of [...this.held]) {
      const m = this.machines.get(`${NS}/${name}`);
      this.held.delete(name);
      if (m) {
        await this.setFinalizers(m, []).catch((e) => {
          if (!isNotFound(e)) throw e;
        });
      }
    }
  }

  /** Sets a machine's phase (and lastOperation) as the machine controller would. */
  async setPhase(name: string, phase: string, lastOperation: Record<string, unknown> = {}): Promise<void> {
    const now = new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const state = phase === "Failed" ? "Failed" : "Successful";
    await this.testClient.patch(
      MachineV1alpha1.machines,
      name,
      {
        status: {
          currentStatus: { phase, lastUpdateTime: now, timeoutActive: false },
          lastOperation: {
            type: "Create",
            state,
            description: phase === "Failed" ? "Machine failed" : "Machine is running",
            lastUpdateTime: now,
            ...lastOperation,
          },
        },
      },
      "merge",
      { namespace: NS, subresource: "status" },
    );
  }

  // ---- objects ---------------------------------------------------------------------------------------------------

  async createDeployment(md: MachineDeployment): Promise<MachineDeployment> {
    return await this.testClient.create(MachineV1alpha1.machineDeployments, md);
  }

  /** Applies `change` to the stored deployment (retrying conflicts). */
  async updateDeployment(name: string, change: (md: MachineDeployment) => void): Promise<void> {
    for (;;) {
      const md = await this.testClient.get<MachineDeployment>(MachineV1alpha1.machineDeployments, name, {
        namespace: NS,
      });
      change(md);
      try {
        await this.testClient.update(MachineV1alpha1.machineDeployments, md);
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
  }

  get test(): KubeClient {
    return this.testClient;
  }

  deploymentOf(name: string): MachineDeployment | undefined {
    return this.deployments.get(`${NS}/${name}`);
  }

  /** Machines whose controller is the set `setName`. */
  machinesOfSet(setName: string): Machine[] {
    return this.machines.list(NS).filter((m) =>
      m.metadata.ownerReferences?.some((o) => o.controller && o.name === setName)
    );
  }

  /** Sets owned by the deployment `name`. */
  setsOf(name: string): MachineSet[] {
    return this.sets.list(NS).filter((s) => s.metadata.ownerReferences?.some((o) => o.controller && o.name === name));
  }

  /** True once the deployment reports `replicas` updated, available machines and nothing else. */
  converged(name: string, replicas: number): boolean {
    const md = this.deploymentOf(name);
    const s = md?.status;
    return !!md && (s?.observedGeneration ?? 0) >= (md.metadata.generation ?? 1) && s?.replicas === replicas &&
      s?.updatedReplicas === replicas && s?.availableReplicas === replicas && s?.readyReplicas === replicas &&
      s?.unavailableReplicas === 0 && this.machines.list(NS).length === replicas;
  }
}
