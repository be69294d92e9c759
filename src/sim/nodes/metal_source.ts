/** SIMULATION: the devices of the Metal simulator as the node simulation sees them (state read directly). */
import type { MetalSimulator, SimDevice } from "../metal/mod.ts";
import type { SimulatedDevice } from "./node_plan.ts";

/** A simulator device as the node side sees it. */
export function simulatedDevice(d: SimDevice): SimulatedDevice {
  return {
    id: d.id,
    hostname: d.hostname,
    // A device that failed provisioning hides behind 403: for the node side it is gone.
    state: d.vanished ? "deleted" : d.state,
    addresses: d.ipsVisible ? d.addresses : [],
    metro: d.metro,
    facility: d.facility,
    plan: d.plan,
  };
}

/** A `devices` callback over the simulator's state (optionally one project); costs no API request. */
export function metalDevices(sim: MetalSimulator, projectId?: string): () => SimulatedDevice[] {
  return () => sim.devices({ projectId }).map(simulatedDevice);
}
