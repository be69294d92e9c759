/**
 * The Metal simulator's devices grouped by shoot (cluster tag `kubernetes.io/cluster/<technical ID>`), for the node
 * simulations of many shoots: one snapshot of the simulator serves every shoot's poll within `maxAgeMs` instead of
 * one full snapshot per shoot and poll.
 */
import type { MetalSimulator, SimDevice } from "../sim/metal/mod.ts";
import { type SimulatedDevice, simulatedDevice } from "../sim/nodes/mod.ts";
import type { Clock } from "../runtime/clock.ts";

const CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/";

/** Groups devices by the technical ID in their cluster tag. Pure. */
export function groupByShoot(devices: readonly SimDevice[]): Map<string, SimulatedDevice[]> {
  const out = new Map<string, SimulatedDevice[]>();
  for (const d of devices) {
    const tag = d.tags.find((t) => t.startsWith(CLUSTER_TAG_PREFIX));
    if (!tag) continue;
    const shoot = tag.slice(CLUSTER_TAG_PREFIX.length);
    const list = out.get(shoot) ?? [];
    list.push(simulatedDevice(d));
    out.set(shoot, list);
  }
  return out;
}

/** A cached, per-shoot view of the simulator's devices. */
export class ShootDevices {
  private snapshot?: { at: number; all: SimDevice[]; byShoot: Map<string, SimulatedDevice[]> };

  constructor(private readonly sim: MetalSimulator, private readonly clock: Clock, private readonly maxAgeMs = 200) {}

  private current() {
    const now = this.clock.now();
    if (!this.snapshot || now - this.snapshot.at > this.maxAgeMs || now < this.snapshot.at) {
      const all = this.sim.devices();
      this.snapshot = { at: now, all, byShoot: groupByShoot(all) };
    }
    return this.snapshot;
  }

  /** The `devices` callback of one shoot's node simulation. */
  of(technicalId: string): () => SimulatedDevice[] {
    return () => this.current().byShoot.get(technicalId) ?? [];
  }

  /** Every device not yet gone (deprovisioning ones included). */
  all(): SimDevice[] {
    return this.current().all;
  }

  /** Forgets the snapshot (after a phase ends, so the next read is exact). */
  invalidate(): void {
    this.snapshot = undefined;
  }
}
