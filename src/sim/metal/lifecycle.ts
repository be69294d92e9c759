/**
 * Device lifecycle as a function of time. A device carries a timeline of (time, state) transitions fixed when
 * something happens to it (create, delete, an action); its state at any instant is read off the timeline, so the
 * simulator needs no timers and `FakeClock.advance()` alone drives provisioning and deprovisioning.
 */

/** `Device.state` values (the Go SDK rejects anything else). */
export const DEVICE_STATES = [
  "queued",
  "provisioning",
  "deprovisioning",
  "reinstalling",
  "active",
  "inactive",
  "failed",
  "powering_on",
  "powering_off",
  "deleted",
] as const;
export type DeviceState = typeof DEVICE_STATES[number];

/** Durations of the simulated lifecycle, in milliseconds. */
export interface DeviceTimings {
  /** Time in `queued` after the create request. */
  queuedMs: number;
  /** Time in `provisioning` before `active` (or `failed`). IPs appear halfway through. */
  provisioningMs: number;
  /** Time a deleted device stays visible as `deprovisioning` before GET answers 404. */
  deprovisionVisibleMs: number;
  /** Time a hardware reservation stays `provisionable: false` after its device was deleted. */
  reservationCooldownMs: number;
  /** Duration of `powering_on` / `powering_off` and of a reboot. */
  powerTransitionMs: number;
  /** Time a device that vanished behind 403 stays there before the operator removes it (then 404). */
  vanishedGoneMs: number;
}

/** Defaults: minutes in the real API, compressed so that a demo completes quickly. */
export const DEFAULT_TIMINGS: DeviceTimings = {
  queuedMs: 5_000,
  provisioningMs: 30_000,
  deprovisionVisibleMs: 10_000,
  reservationCooldownMs: 240_000,
  powerTransitionMs: 5_000,
  vanishedGoneMs: 600_000,
};

/** How a provisioning attempt ends. */
export type ProvisionOutcome = "active" | "failed" | "vanish-403";

/** One state change at an instant. */
export interface Transition {
  readonly at: number;
  readonly state: DeviceState;
}

/** Everything time-dependent about one device. */
export interface Lifecycle {
  readonly timeline: readonly Transition[];
  readonly provisioningStart: number;
  readonly provisioningEnd: number;
  /** When the device's addresses become visible (halfway through provisioning). */
  readonly ipsVisibleAt: number;
  /** From this instant every request about the device answers 403 (failed provisioning). */
  readonly vanishAt?: number;
  readonly deletedAt?: number;
  /** From this instant the device no longer exists (404). */
  readonly goneAt?: number;
}

/** The lifecycle of a device created at `now`. */
export function planProvisioning(now: number, t: DeviceTimings, outcome: ProvisionOutcome): Lifecycle {
  const provisioningStart = now + t.queuedMs;
  const provisioningEnd = provisioningStart + t.provisioningMs;
  const last: DeviceState = outcome === "active" ? "active" : "failed";
  return {
    timeline: [
      { at: now, state: "queued" },
      { at: provisioningStart, state: "provisioning" },
      { at: provisioningEnd, state: last },
    ],
    provisioningStart,
    provisioningEnd,
    ipsVisibleAt: provisioningStart + Math.floor(t.provisioningMs / 2),
    vanishAt: outcome === "vanish-403" ? provisioningEnd : undefined,
    goneAt: outcome === "vanish-403" ? provisioningEnd + t.vanishedGoneMs : undefined,
  };
}

/** The state at `t`, or "gone" once the device no longer exists. */
export function stateAt(lc: Lifecycle, t: number): DeviceState | "gone" {
  if (lc.goneAt !== undefined && t >= lc.goneAt) return "gone";
  let state: DeviceState = lc.timeline[0].state;
  for (const tr of lc.timeline) {
    if (tr.at > t) break;
    state = tr.state;
  }
  return state;
}

/** True while the device hides behind 403 (vanished and not yet gone). */
export function isVanished(lc: Lifecycle, t: number): boolean {
  return lc.vanishAt !== undefined && t >= lc.vanishAt && (lc.goneAt === undefined || t < lc.goneAt);
}

/** `provisioning_percentage` at `t`: only defined while the state is `provisioning`. */
export function provisioningPercentageAt(lc: Lifecycle, t: number): number | undefined {
  if (stateAt(lc, t) !== "provisioning") return undefined;
  const span = lc.provisioningEnd - lc.provisioningStart;
  if (span <= 0) return undefined;
  const pct = ((t - lc.provisioningStart) / span) * 100;
  return Math.min(99.9, Math.max(0, Math.round(pct * 10) / 10));
}

/** True once the device's IP assignments are visible. */
export function ipsVisibleAt(lc: Lifecycle, t: number): boolean {
  return t >= lc.ipsVisibleAt;
}

function truncateAfter(timeline: readonly Transition[], now: number): Transition[] {
  return timeline.filter((tr) => tr.at <= now);
}

/** The lifecycle after a delete request at `now`: `deprovisioning` for the visibility window, then gone. */
export function withDeletion(lc: Lifecycle, now: number, visibleMs: number): Lifecycle {
  return {
    ...lc,
    timeline: [...truncateAfter(lc.timeline, now), { at: now, state: "deprovisioning" }],
    // A delete during provisioning cancels it: the percentage and pending IPs no longer apply.
    provisioningEnd: Math.min(lc.provisioningEnd, now),
    vanishAt: undefined,
    deletedAt: now,
    goneAt: now + Math.max(0, visibleMs),
  };
}

/** Actions of `POST /devices/{id}/actions`. */
export type DeviceActionType = "power_on" | "power_off" | "reboot" | "rescue" | "reinstall";

/** States from which each action is accepted. */
const ACTION_FROM: Record<DeviceActionType, readonly DeviceState[]> = {
  power_on: ["inactive"],
  power_off: ["active"],
  reboot: ["active"],
  rescue: ["active", "inactive"],
  reinstall: ["active", "inactive", "failed"],
};

/** The lifecycle after an action at `now`, or an error text when the current state does not allow it. */
export function withAction(
  lc: Lifecycle,
  now: number,
  action: DeviceActionType,
  t: DeviceTimings,
): Lifecycle | { error: string } {
  const current = stateAt(lc, now);
  if (current === "gone" || !ACTION_FROM[action].includes(current)) {
    return { error: `Cannot ${action.replace("_", " ")} a device that is ${current}` };
  }
  const base = truncateAfter(lc.timeline, now);
  const p = t.powerTransitionMs;
  let next: Transition[];
  switch (action) {
    case "power_on":
      next = [{ at: now, state: "powering_on" }, { at: now + p, state: "active" }];
      break;
    case "power_off":
      next = [{ at: now, state: "powering_off" }, { at: now + p, state: "inactive" }];
      break;
    case "reboot":
      next = [{ at: now, state: "powering_off" }, { at: now + p, state: "powering_on" }, {
        at: now + 2 * p,
        state: "active",
      }];
      break;
    case "rescue":
      next = [{ at: now, state: "powering_on" }, { at: now + p, state: "active" }];
      break;
    case "reinstall":
      next = [{ at: now, state: "reinstalling" }, { at: now + t.provisioningMs, state: "active" }];
      break;
  }
  return { ...lc, timeline: [...base, ...next] };
}
