/**
 * The Infrastructure controller's world: the fake seed (../reconciler/harness.ts), the Metal simulator behind the
 * client's in-process fetch, the `cloudprovider` secret, and a reconciler with the real InfrastructureActuator.
 */
import { ExtensionReconciler } from "../../../src/extension/reconciler/extension_reconcile.ts";
import { INFRASTRUCTURE } from "../../../src/extension/reconciler/kinds.ts";
import { InfrastructureActuator } from "../../../src/extension/infrastructure/actuator_reconcile.ts";
import { decodeInfrastructure, type Infrastructure } from "../../../src/apis/extensions/v1alpha1.ts";
import { IN_PROCESS_BASE_URL, MetalSimulator } from "../../../src/sim/metal/mod.ts";
import { MetalClient } from "../../../src/metal/client.ts";
import type { SshKey } from "../../../src/metal/types.ts";
import { EventRecorder } from "../../../src/k8s/controller/events.ts";
import { CoreV1 } from "../../../src/k8s/api/resources.ts";
import { getLogger } from "../../../src/observability/log.ts";
import { realClock } from "../../../src/runtime/clock.ts";
import { ExtensionHarness, NAME, NS } from "../reconciler/harness.ts";

export const LABEL = `${NS}-ssh-publickey`;

const b64 = (s: string) => btoa(s);

/** Everything one Infrastructure test needs. */
export class InfraWorld {
  readonly metal: MetalClient;
  readonly actuator: InfrastructureActuator;
  readonly reconciler: ExtensionReconciler<Infrastructure>;
  readonly recorder: EventRecorder;

  private constructor(readonly h: ExtensionHarness, readonly sim: MetalSimulator) {
    this.metal = new MetalClient({ token: sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: sim.fetch });
    // One attempt per call (no retry waits) unless a test needs the client's retries.
    this.actuator = this.newActuator(1);
    this.recorder = new EventRecorder(h.client, { component: "infrastructure_controller", clock: h.clock });
    this.reconciler = this.newReconciler(this.actuator);
  }

  static async start(): Promise<InfraWorld> {
    const h = await ExtensionHarness.start();
    const sim = new MetalSimulator({ clock: h.clock, randomSeed: 11 });
    const w = new InfraWorld(h, sim);
    await w.writeSecret({ apiToken: sim.defaultToken, projectID: sim.defaultProjectId });
    return w;
  }

  /** An actuator against the simulator with `attempts` tries per Metal call. */
  newActuator(attempts: number): InfrastructureActuator {
    return new InfrastructureActuator({
      metalApiUrl: IN_PROCESS_BASE_URL,
      metalFetch: this.sim.fetch,
      metalRetry: {
        maxAttempts: attempts,
        maxElapsedMs: 60_000,
        backoff: { initialMs: 1, maxMs: 5, factor: 2, jitter: 0 },
      },
      clock: realClock,
    });
  }

  newReconciler(actuator: InfrastructureActuator): ExtensionReconciler<Infrastructure> {
    return new ExtensionReconciler<Infrastructure>({
      kind: INFRASTRUCTURE,
      actuator,
      client: this.h.client,
      decode: (raw, object) => decodeInfrastructure(raw, { object }),
      recorder: this.recorder,
      clock: this.h.clock,
    });
  }

  /** Replaces the `cloudprovider` secret's data (values in clear text). */
  async writeSecret(data: Record<string, string>): Promise<void> {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "cloudprovider", namespace: NS, labels: { "gardener.cloud/purpose": "cloudprovider" } },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
    };
    await this.h.client.delete(CoreV1.secrets, "cloudprovider", { namespace: NS }).catch(() => {});
    await this.h.client.create(CoreV1.secrets, secret);
  }

  /** Runs one reconcile as the controller would. */
  reconcile(reconciler = this.reconciler): Promise<unknown> {
    return reconciler.reconcile({ namespace: NS, name: NAME }, {
      signal: new AbortController().signal,
      log: getLogger("test"),
    });
  }

  /** The project's keys with our label. */
  async ourKeys(): Promise<SshKey[]> {
    return (await this.metal.sshKeys.listForProject(this.sim.defaultProjectId)).filter((k) => k.label === LABEL);
  }

  /** Write requests the Metal API served (POST/PUT/PATCH/DELETE), faults included. */
  metalWrites(): number {
    return ["POST ", "PUT ", "PATCH ", "DELETE "].reduce((n, m) => n + this.sim.counters.total(m), 0);
  }

  /** Every request the Metal API saw. */
  metalRequests(): number {
    return this.sim.counters.total();
  }

  async close(): Promise<void> {
    await this.recorder.flush();
    this.sim.close();
    await this.h.close();
  }
}
