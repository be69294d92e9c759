/**
 * API-server safety (MCM machine_safety.go): both API servers are probed periodically; when either has been
 * unreachable for longer than the status-check timeout the controller freezes (machines that are not being deleted
 * are not reconciled, so nodes that merely lost contact are not declared Failed). When both are back, Unknown
 * machines get their health timeout reset and the controller unfreezes. Pure state machine; the caller probes.
 */
import { Description, type Machine, type MachineStatus, phaseOf } from "../../../apis/machine/v1alpha1.ts";
import { currentStatus, lastOperation } from "../machine/status.ts";

/** Delay before every machine is re-enqueued after an unfreeze (MCM: 30 s). */
export const UNFREEZE_REQUEUE_MS = 30_000;

export interface ApiServerSafetyState {
  frozen: boolean;
  /** When the current outage was first seen. */
  downSince?: number;
}

export interface ProbeDecision {
  state: ApiServerSafetyState;
  /** The controller must freeze now. */
  freeze: boolean;
  /** The controller must unfreeze now (and reset Unknown machines). */
  unfreeze: boolean;
  /** When to probe next. */
  nextProbeMs: number;
}

/** Advances the safety state with one probe result. */
export function observeProbe(
  state: ApiServerSafetyState,
  up: boolean,
  now: number,
  opts: { periodMs: number; timeoutMs: number },
): ProbeDecision {
  const fastProbe = Math.max(1000, Math.floor(opts.timeoutMs / 5));
  if (up) {
    return {
      state: { frozen: false },
      freeze: false,
      unfreeze: state.frozen,
      nextProbeMs: opts.periodMs,
    };
  }
  const downSince = state.downSince ?? now;
  const shouldFreeze = !state.frozen && now - downSince > opts.timeoutMs;
  return {
    state: { frozen: state.frozen || shouldFreeze, downSince },
    freeze: shouldFreeze,
    unfreeze: false,
    nextProbeMs: fastProbe,
  };
}

/** Status that resets an Unknown machine's health timeout after an outage, or undefined for other phases. */
export function healthTimeoutResetStatus(machine: Machine, now: number): MachineStatus | undefined {
  if (phaseOf(machine) !== "Unknown") return undefined;
  return {
    ...(machine.status ?? {}),
    lastOperation: lastOperation(Description.HealthTimeoutReset, "Successful", "HealthCheck", now),
    currentStatus: currentStatus("Running", now),
  };
}
