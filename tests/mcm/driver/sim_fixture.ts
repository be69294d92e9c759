/**
 * A Metal simulator (on a FakeClock) and an EquinixMetalDriver talking to it in process, plus the providerSpec and
 * secret of a Gardener worker pool. Shared by the driver, fault and CMI tests and the driver benchmark.
 */
import { FakeClock } from "../../../src/runtime/clock.ts";
import type { RetryPolicy } from "../../../src/metal/client.ts";
import { IN_PROCESS_BASE_URL, MetalSimulator, type MetalSimulatorOptions } from "../../../src/sim/metal/mod.ts";
import { EquinixMetalDriver, type EquinixMetalDriverOptions } from "../../../src/mcm/driver/equinix_metal_driver.ts";
import type { ListMachinesRequest, MachineRequest, SecretData } from "../../../src/mcm/driver/driver.ts";

export const CLUSTER_TAG = "kubernetes.io/cluster/shoot--dev--c1";
export const ROLE_TAG = "kubernetes.io/role/node";
export const USER_DATA =
  "#cloud-config\nwrite_files:\n- path: /etc/bootstrap-token\n  content: abcdef.0123456789abcdef\n";

/** One attempt per client call: each failure reaches the driver's error mapping directly. */
export const NO_RETRY: RetryPolicy = {
  maxAttempts: 1,
  maxElapsedMs: 0,
  backoff: { initialMs: 0, maxMs: 0, factor: 1, jitter: 0 },
};

/** Retries without waiting (the driver runs on the real clock, so zero delays need no clock advance). */
export const INSTANT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  maxElapsedMs: 60_000,
  backoff: { initialMs: 0, maxMs: 0, factor: 1, jitter: 0 },
};

export interface Fixture {
  sim: MetalSimulator;
  clock: FakeClock;
  driver: EquinixMetalDriver;
  /** The providerSpec of the worker pool (a fresh copy per call). */
  spec(overrides?: Record<string, unknown>): Record<string, unknown>;
  secret: SecretData;
  /** A request for machine `name` (providerID, spec and secret overridable). */
  req(name: string, o?: { providerID?: string; spec?: unknown; secret?: SecretData }): MachineRequest;
  listReq(o?: { spec?: unknown; secret?: SecretData }): ListMachinesRequest;
  /** Lets simulated time pass so devices move through their lifecycle. */
  advance(ms: number): Promise<void>;
}

/** Builds a simulator and a driver; the driver uses the wall clock, the simulator the FakeClock. */
export function fixture(
  opts: { sim?: MetalSimulatorOptions; driver?: Partial<EquinixMetalDriverOptions> } = {},
): Fixture {
  const clock = new FakeClock();
  const sim = new MetalSimulator({ clock, randomSeed: 4242, ...opts.sim });
  const driver = new EquinixMetalDriver({
    metalApiUrl: IN_PROCESS_BASE_URL,
    fetch: sim.fetch,
    retry: NO_RETRY,
    ...opts.driver,
  });
  const spec = (overrides: Record<string, unknown> = {}) => ({
    projectID: sim.defaultProjectId,
    metro: "ny",
    machineType: "c3.small.x86",
    billingCycle: "hourly",
    OS: "flatcar_stable",
    tags: [CLUSTER_TAG, ROLE_TAG],
    ...overrides,
  });
  const secret = { apiToken: sim.defaultToken, userData: USER_DATA };
  return {
    sim,
    clock,
    driver,
    spec,
    secret,
    req: (name, o = {}) => ({
      machine: { name, providerID: o.providerID },
      machineClass: { name: "worker-a", provider: "EquinixMetal", providerSpec: "spec" in o ? o.spec : spec() },
      secret: o.secret ?? secret,
    }),
    listReq: (o = {}) => ({
      machineClass: { name: "worker-a", provider: "EquinixMetal", providerSpec: "spec" in o ? o.spec : spec() },
      secret: o.secret ?? secret,
    }),
    advance: (ms) => clock.advance(ms),
  };
}

/** The device id of a providerID written by the driver. */
export function idOf(providerID: string): string {
  return providerID.slice(providerID.lastIndexOf("/") + 1);
}
