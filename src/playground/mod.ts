/**
 * The playground: the product's main job in one process. A shoot's Infrastructure and Worker become Running machines
 * on the simulated Equinix Metal and go away again without leaving anything behind.
 *
 * Runs a fake seed API server, a fake API server per shoot, the Metal API simulator over loopback HTTP, our
 * extension and one machine controller per shoot (in-process, or as CLI subprocesses), and three clearly labelled
 * simulations of the landscape around them: gardenlet's shoot flow (`src/sim/gardenlet`), MCM's
 * MachineDeployment/MachineSet controllers (`src/sim/machinedeployments`) and the nodes (`src/sim/nodes`).
 * `once` runs create → all Running → rolling update of one pool → deletion, checks that no device is duplicated or
 * left, and returns the summary; otherwise the shoots are created and everything keeps serving (for kubectl) until
 * the signal aborts. Everything started is stopped in reverse order, our components gracefully.
 *
 * `startLandscape`/`withLandscape` give the same landscape without the demo's output: its phases return typed reports
 * (the end-to-end tests assert on them; the demo prints them).
 */
export * from "./playground.ts";
export type { FaultOptions, FaultStats } from "./faults.ts";
export { detectStatusMode } from "./output.ts";
export { type HardwareReservationRequest, parseHardwareReservation } from "./options.ts";
export {
  defaultExamplesDir,
  Landscape,
  type LandscapeOptions,
  type LandscapeOutcome,
  startLandscape,
  withLandscape,
} from "./landscape.ts";
export type { ClusterAuthorization } from "./rbac.ts";
export type {
  CreateReport,
  DeleteReport,
  DeviceLossReport,
  LostDevice,
  RollingUpdatePlan,
  RollingUpdateReport,
  SteadyStateReport,
} from "./scenario.ts";
