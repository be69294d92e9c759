/**
 * The playground's view of the seed: informers on Workers, MachineDeployments, Machines and Deployments (all shoots)
 * and on the mutating webhook configurations, used by the progress display and by the scenario's waits. `waitUntil` re-evaluates a condition on every change and every
 * half second of the clock (device states change without an event).
 */
import type { MachineDeployment } from "../apis/machine/v1alpha1.ts";
import type { KubeClient } from "../k8s/client/client.ts";
import { Informer } from "../k8s/cache/informer.ts";
import type { KubeObject } from "../k8s/api/objects.ts";
import { AdmissionregistrationV1, AppsV1, ExtensionsV1alpha1, MachineV1alpha1 } from "../k8s/api/resources.ts";
import type { Logger } from "../observability/log.ts";
import type { Clock } from "../runtime/clock.ts";
import type { MachineView, WorkerView } from "./progress.ts";

/** Informer-backed view of the shoots' objects in the seed. */
export class SeedObserver {
  readonly workers: Informer<WorkerView>;
  readonly deployments: Informer<MachineDeployment>;
  readonly machines: Informer<MachineView>;
  /** Deployments (gardenlet's control plane, the machine-controller-managers with their sidecars). */
  readonly controlPlane: Informer<KubeObject>;
  readonly webhookConfigurations: Informer<KubeObject>;
  private readonly listeners = new Set<() => void>();

  constructor(client: KubeClient, private readonly clock: Clock, log: Logger) {
    const opts = { clock, log: log.child("informer") };
    this.workers = new Informer<WorkerView>(client, ExtensionsV1alpha1.workers, opts);
    this.deployments = new Informer<MachineDeployment>(client, MachineV1alpha1.machineDeployments, opts);
    this.machines = new Informer<MachineView>(client, MachineV1alpha1.machines, opts);
    this.controlPlane = new Informer<KubeObject>(client, AppsV1.deployments, opts);
    this.webhookConfigurations = new Informer<KubeObject>(
      client,
      AdmissionregistrationV1.mutatingWebhookConfigurations,
      opts,
    );
    for (const i of this.all()) {
      i.addEventHandler({ onAdd: () => this.notify(), onUpdate: () => this.notify(), onDelete: () => this.notify() });
    }
  }

  private all(): Informer<never>[] {
    return [
      this.workers,
      this.deployments,
      this.machines,
      this.controlPlane,
      this.webhookConfigurations,
    ] as unknown as Informer<never>[];
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  /** Starts the informers until `signal` aborts. */
  start(signal: AbortSignal): void {
    for (const i of this.all()) i.start(signal);
  }

  /** Resolves once every cache is filled. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all(this.all().map((i) => i.waitForSync(signal)));
  }

  /** Resolves when the informers stopped. */
  async stopped(): Promise<void> {
    await Promise.all(this.all().map((i) => i.stopped()));
  }

  /** Calls `fn` on every change; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Resolves once `problem()` returns undefined; rejects after `timeoutMs` of the clock with the last problem, or
   * when `signal` aborts.
   */
  waitUntil(
    problem: () => string | undefined,
    what: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      let last = "";
      let done = false;
      let poll: ReturnType<Clock["setTimeout"]> | undefined;
      const finish = (err?: unknown) => {
        if (done) return;
        done = true;
        unsubscribe();
        this.clock.clearTimeout(deadline);
        if (poll) this.clock.clearTimeout(poll);
        signal?.removeEventListener("abort", onAbort);
        if (err) reject(err);
        else resolve();
      };
      const check = () => {
        if (done) return;
        let p: string | undefined;
        try {
          p = problem();
        } catch (e) {
          finish(e);
          return;
        }
        if (p === undefined) finish();
        else last = p;
      };
      const tick = () => {
        check();
        if (!done) poll = this.clock.setTimeout(tick, 500);
      };
      const onAbort = () => finish(signal!.reason ?? new DOMException("aborted", "AbortError"));
      const deadline = this.clock.setTimeout(
        () => finish(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}: ${last}`)),
        timeoutMs,
      );
      const unsubscribe = this.onChange(check);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) onAbort();
      else tick();
    });
  }
}
