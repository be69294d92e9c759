/**
 * The shoots' machine controllers as a seed runs them: where gardenlet deploys a shoot's machine-controller-manager,
 * the playground waits for the sidecar our webhook injected into that Deployment, and starts (or keeps) a supervised
 * machine controller with the sidecar's arguments (`sidecar.ts`), in-process or as a CLI subprocess; where gardenlet
 * deletes machine-controller-manager, it stops it. The simulation of MCM's MachineDeployment/MachineSet controllers
 * leaves the namespace alone in between (paused), as MCM scaled down would. No sidecar within `SIDECAR_WAIT_MS` fails
 * gardenlet's flow with the message of `noSidecarMessage`.
 */
import type { KubeObject } from "../k8s/api/objects.ts";
import type { KubeClient } from "../k8s/client/client.ts";
import { isNotFound } from "../k8s/api/errors.ts";
import { AppsV1 } from "../k8s/api/resources.ts";
import type { Clock } from "../runtime/clock.ts";
import { isRetryableWriteError, MCM_DEPLOYMENT, type ShootRef } from "../sim/gardenlet/mod.ts";
import {
  type ComponentContext,
  machineControllerSubprocess,
  startMachineControllerInProcess,
  Supervisor,
} from "./components.ts";
import { noSidecarMessage, sidecarContainer, SidecarError, type SidecarRun, sidecarRun } from "./sidecar.ts";
import type { Simulators } from "./simulators.ts";
import { kubeconfigWithToken, type PlaygroundRbac } from "./rbac.ts";

/** How long the playground waits for the sidecar in a deployed machine-controller-manager (clock time). */
export const SIDECAR_WAIT_MS = 10_000;

/**
 * Waits until the shoot's machine-controller-manager Deployment carries the provider sidecar and returns how to run
 * it; fails after `SIDECAR_WAIT_MS` with a message that says so (the webhooks are disabled or not called).
 */
export async function waitForSidecar(
  client: KubeClient,
  ns: string,
  clock: Clock,
  signal?: AbortSignal,
): Promise<SidecarRun> {
  const deadline = clock.now() + SIDECAR_WAIT_MS;
  for (;;) {
    let deployment: KubeObject | undefined;
    try {
      deployment = await client.get(AppsV1.deployments, MCM_DEPLOYMENT, { namespace: ns });
    } catch (e) {
      if (!isNotFound(e) && !isRetryableWriteError(e)) throw e;
    }
    if (deployment && sidecarContainer(deployment)) return sidecarRun(deployment);
    if (clock.now() >= deadline) throw new SidecarError(noSidecarMessage(ns));
    await clock.sleep(1000, signal);
  }
}

/** What the machine controllers need from the landscape (read when gardenlet's flow gets there). */
export interface MachineControllersDeps {
  simulators: () => Simulators;
  context: () => ComponentContext;
  components: "in-process" | "subprocess";
  /** Per shoot namespace, the sidecar its machine controller runs as (filled here). */
  runs: Map<string, SidecarRun>;
  /** The RBAC the machine controllers run under (undefined: as the clusters' admin). */
  rbac?: PlaygroundRbac;
  /** Told about each new supervisor (the landscape stops, restarts and measures them). */
  supervised: (supervisor: Supervisor) => void;
  clock: Clock;
  signal?: AbortSignal;
}

/** gardenlet's hooks for machine-controller-manager. */
export interface MachineControllerHooks {
  deployMachineControllerManager(shoot: ShootRef): Promise<void>;
  destroyMachineControllerManager(shoot: ShootRef): Promise<void>;
}

/**
 * A shoot's machine controller, supervised: each (re)start runs the sidecar as the shoot's machine-controller-manager
 * Deployment last showed it, in-process or as a CLI subprocess.
 */
function superviseMachineController(deps: MachineControllersDeps, ns: string): Supervisor {
  const sims = deps.simulators();
  const ctx = deps.context();
  const shoot = sims.shoots.get(ns);
  if (!shoot) throw new Error(`no shoot API server for ${ns}`);
  const runOf = () => {
    const run = deps.runs.get(ns);
    if (!run) throw new SidecarError(noSidecarMessage(ns));
    return run;
  };
  return new Supervisor(
    `machine-controller ${ns}`,
    async (gen) => {
      // Each start runs on fresh tokens of machine-controller-manager's ServiceAccounts in the seed and the shoot.
      const tokens = await deps.rbac?.machineControllerTokens(sims.seed, shoot);
      const dir = sims.seedKubeconfig.replace(/\/[^/]*$/, "") || ".";
      return deps.components === "subprocess"
        ? await machineControllerSubprocess(ctx, {
          controlKubeconfig: await kubeconfigWithToken(
            sims.seed,
            `${dir}/mc-${ns}.kubeconfig`,
            tokens?.control,
            sims.seedKubeconfig,
          ),
          targetKubeconfig: await kubeconfigWithToken(
            shoot.api,
            `${dir}/mc-${ns}-target.kubeconfig`,
            tokens?.target,
            shoot.kubeconfig,
          ),
          namespace: ns,
          run: runOf(),
        })
        : await startMachineControllerInProcess(
          { ...ctx, log: ctx.log.child("machine-controller").with({ shoot: ns }) },
          {
            control: sims.seed.connection(tokens?.control),
            target: shoot.api.connection(tokens?.target),
            run: runOf(),
            identity: `playground-machine-controller-${gen}`,
          },
        );
    },
    ctx.clock,
    ctx.log,
  );
}

/** The hooks that start each shoot's machine controller from its sidecar and stop it with machine-controller-manager. */
export function machineControllersFromSidecars(deps: MachineControllersDeps): MachineControllerHooks {
  const supervisors = new Map<string, Supervisor>();
  return {
    async deployMachineControllerManager(shoot) {
      const ns = shoot.technicalId;
      deps.runs.set(ns, await waitForSidecar(deps.simulators().seedClient, ns, deps.clock, deps.signal));
      deps.simulators().machineDeployments.resume(ns);
      let supervisor = supervisors.get(ns);
      if (!supervisor) {
        supervisor = superviseMachineController(deps, ns);
        supervisors.set(ns, supervisor);
        deps.supervised(supervisor);
      }
      await supervisor.start();
    },
    async destroyMachineControllerManager(shoot) {
      deps.simulators().machineDeployments.pause(shoot.technicalId);
      await supervisors.get(shoot.technicalId)?.stop("graceful");
    },
  };
}
