/** SIMULATION: the devices of the Metal simulator as the node simulation sees them (state read directly). */
import type { MetalSimulator } from "../metal/mod.ts";
import type { SimulatedDevice } from "./node_plan.ts";

/** A `devices` callback over the simulator's state (optionally one project); costs no API request. */
export function metalDevices(sim: MetalSimulator, projectId?: string): () => SimulatedDevice[] {
  return () =>
    sim.devices({ projectId }).map((d) => ({
      id: d.id,
      hostname: d.hostname,
      state: d.vanished ? "deleted" : d.state,
      addresses: d.ipsVisible ? d.addresses : [],
      metro: d.metro,
      facility: d.facility,
      plan: d.plan,
    }));
}
