/**
 * The extension heartbeat: Lease `gardener-extension-heartbeat` in the extension's
 * namespace, holder `provider-equinix-metal`, `leaseDurationSeconds` = renew interval, `renewTime` = now (MicroTime),
 * created or updated every interval. gardenlet's shoot care marks every condition this extension reports as Unknown
 * when the lease is older than 5 minutes, so the heartbeat says "the controllers are working".
 *
 * It runs only on the leader, like the Go heartbeat controller (a controller-runtime controller, which needs leader
 * election by default): a standby replica renewing it would report a healthy extension while nobody reconciles.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { isAlreadyExists, isConflict, isNotFound } from "../../k8s/api/errors.ts";
import type { Lease, LeaseSpec } from "../../k8s/api/builtin_types.ts";
import { microTime } from "../../k8s/controller/leader_election.ts";
import type { Runnable } from "../../k8s/controller/manager.ts";
import { CoordinationV1 } from "../../k8s/api/resources.ts";
import { EXTENSION_NAME } from "../../apis/extensions/constants.ts";
import { backoffDelay } from "../../runtime/backoff.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { gauge } from "../../observability/metrics.ts";
import { DEFAULT_RENEW_INTERVAL_SECONDS } from "./renew_interval.ts";

/** The Lease name gardenlet looks for. */
export const HEARTBEAT_LEASE_NAME = "gardener-extension-heartbeat";
export { DEFAULT_RENEW_INTERVAL_SECONDS };

export interface HeartbeatOptions {
  client: KubeClient;
  /** `--heartbeat-namespace` (the extension's own namespace). */
  namespace: string;
  /** Default `provider-equinix-metal`. */
  holderIdentity?: string;
  /** Must be > 0 (default 30). */
  renewIntervalSeconds?: number;
  clock?: Clock;
  log?: Logger;
}

const lastRenew = gauge({
  name: "extension_heartbeat_last_renew_timestamp_seconds",
  help: "When the heartbeat Lease was last renewed (Unix seconds).",
});

/** The Lease spec for a renewal at `nowMs` (pure). */
export function heartbeatLeaseSpec(holderIdentity: string, renewIntervalSeconds: number, nowMs: number): LeaseSpec {
  return { holderIdentity, leaseDurationSeconds: renewIntervalSeconds, renewTime: microTime(nowMs) };
}

/** Checks `--heartbeat-renew-interval-seconds`; the error names the flag. */
export function validateRenewInterval(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new Error(`--heartbeat-renew-interval-seconds: must be an integer greater than 0, got ${seconds}`);
  }
  return seconds;
}

/** Renews the heartbeat Lease every interval until stopped. */
export class Heartbeat implements Runnable {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly interval: number;
  private readonly holder: string;

  constructor(private readonly options: HeartbeatOptions) {
    if (!options.namespace) throw new Error("heartbeat: the namespace is required (--heartbeat-namespace)");
    this.interval = validateRenewInterval(options.renewIntervalSeconds ?? DEFAULT_RENEW_INTERVAL_SECONDS);
    this.holder = options.holderIdentity ?? EXTENSION_NAME;
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? getLogger("extension.heartbeat");
  }

  /** Creates or updates the Lease once (a conflicting write is retried with a fresh read). */
  async renew(signal?: AbortSignal): Promise<Lease> {
    const { client, namespace } = this.options;
    for (let attempt = 1;; attempt++) {
      const spec = heartbeatLeaseSpec(this.holder, this.interval, this.clock.now());
      try {
        let current: Lease | undefined;
        try {
          current = await client.get<Lease>(CoordinationV1.leases, HEARTBEAT_LEASE_NAME, { namespace, signal });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        const lease = current
          ? await client.update<Lease>(CoordinationV1.leases, { ...current, spec: { ...current.spec, ...spec } }, {
            signal,
          })
          : await client.create<Lease>(CoordinationV1.leases, {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: HEARTBEAT_LEASE_NAME, namespace },
            spec,
          }, { signal });
        lastRenew.set(this.clock.now() / 1000);
        this.log.debug("Renewed heartbeat lease", { namespace, renewTime: spec.renewTime });
        return lease;
      } catch (e) {
        if ((isConflict(e) || isAlreadyExists(e)) && attempt < 3) continue;
        throw e;
      }
    }
  }

  /** Renews now and then every interval; a failed renewal is retried sooner (never later than the interval). */
  async start(signal: AbortSignal): Promise<void> {
    const intervalMs = this.interval * 1000;
    let failures = 0;
    while (!signal.aborted) {
      // Measured from the start of the renewal, so the time the write takes does not make renewals drift.
      const startedMs = this.clock.now();
      let waitMs = intervalMs;
      try {
        await this.renew(signal);
        failures = 0;
        waitMs = Math.max(0, intervalMs - (this.clock.now() - startedMs));
      } catch (e) {
        if (signal.aborted) break;
        waitMs = Math.min(
          intervalMs,
          backoffDelay({ initialMs: 1000, maxMs: intervalMs, factor: 2, jitter: 0.2 }, failures++),
        );
        this.log.error("Could not renew the heartbeat lease", { error: e, retryInMs: Math.round(waitMs) });
      }
      try {
        await this.clock.sleep(waitMs, signal);
      } catch {
        break; // stopped
      }
    }
  }
}
