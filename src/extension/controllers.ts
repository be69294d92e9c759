/**
 * The extension's kind table: every controller kind it runs, by its `--controllers` name, with the options each takes
 * from what start-up resolved. This is the only place that lists kinds; `startExtension` adds the enabled ones in one
 * loop (`addControllers`), so a new kind (ControlPlane, health checks, webhooks) is one row here and an `add` in its
 * folder.
 */
import type { ResolvedControllerConfiguration } from "../apis/config/v1alpha1.ts";
import { type ControllerKind, controllerKind } from "./reconciler/mod.ts";
import * as controlplane from "./controlplane/mod.ts";
import * as healthcheck from "./healthcheck/add.ts";
import * as heartbeat from "./heartbeat/add.ts";
import type { ShootWebhookConfigSource } from "./genericcontrolplane/mod.ts";
import { IMAGEVECTOR_OVERWRITE_ENV, loadImageVector } from "./imagevector/mod.ts";
import * as infrastructure from "./infrastructure/mod.ts";
import * as worker from "./worker/mod.ts";
import type { ExtensionOptions } from "./options.ts";

/** What start-up resolved, from which each kind takes its options. */
export interface StartupInputs {
  options: ExtensionOptions;
  config: ResolvedControllerConfiguration;
  /** The extension's own namespace: the leader-election namespace (flag, environment, or the kubeconfig's). */
  ownNamespace?: string;
  /** Transport of the Metal API client (the playground passes the simulator's in-process fetch). */
  metalFetch?: typeof fetch;
  /** The shoot webhooks' configuration with the current caBundle (from the webhook server, once it runs). */
  shootWebhookConfig?: ShootWebhookConfigSource;
}

/** The controller kinds this build implements, in the order they are added. */
export const CONTROLLER_KINDS: readonly ControllerKind<StartupInputs>[] = [
  controllerKind("infrastructure", infrastructure.add, ({ options, metalFetch }: StartupInputs) => ({
    concurrency: options.concurrency.infrastructure,
    metalApiUrl: options.metalApiUrl,
    metalApiAllowPlainHttp: options.metalApiAllowPlainHttp,
    metalFetch,
  })),
  controllerKind("controlplane", controlplane.add, ({ options, shootWebhookConfig }: StartupInputs) => ({
    concurrency: options.concurrency.controlplane,
    shootWebhookConfig,
    images: loadImageVector(Deno.env.get(IMAGEVECTOR_OVERWRITE_ENV)),
  })),
  controllerKind("worker", worker.add, ({ options }: StartupInputs) => ({
    concurrency: options.concurrency.worker,
  })),
  controllerKind("healthcheck", healthcheck.add, ({ options, config }: StartupInputs) => ({
    syncPeriodMs: config.healthCheck.syncPeriodMs,
    concurrency: options.concurrency.healthcheck,
    shootQps: config.healthCheck.shootRESTOptions.qps,
    shootBurst: config.healthCheck.shootRESTOptions.burst,
    externalShootClient: options.shootClientExternal,
  })),
  controllerKind("heartbeat", heartbeat.add, ({ options, ownNamespace }: StartupInputs) => {
    const namespace = options.heartbeat.namespace ?? ownNamespace;
    if (!namespace) {
      throw new Error(
        "--heartbeat-namespace: required for the heartbeat controller (or set LEADER_ELECTION_NAMESPACE)",
      );
    }
    return { namespace, renewIntervalSeconds: options.heartbeat.renewIntervalSeconds };
  }),
];
