/** `add` of the heartbeat: a Lease renewer that runs on the leader like the controllers it vouches for. */
import type { AddArgs, ControllerManager } from "../reconciler/mod.ts";
import { Heartbeat } from "./heartbeat_apply.ts";

/** The heartbeat's own options. */
export interface HeartbeatAddOptions {
  /** `--heartbeat-namespace` (the extension's own namespace). */
  namespace: string;
  /** `--heartbeat-renew-interval-seconds`. */
  renewIntervalSeconds: number;
}

/** Adds the heartbeat to the manager. */
export function add(manager: ControllerManager, args: AddArgs<HeartbeatAddOptions>): void {
  manager.add(
    new Heartbeat({
      client: args.client,
      namespace: args.options.namespace,
      renewIntervalSeconds: args.options.renewIntervalSeconds,
      clock: args.clock,
      log: args.log,
    }),
  );
}
