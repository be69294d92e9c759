/** The explanations the demo prints: what is simulated, and kubectl commands to try while it serves. Pure. */
import type { ShootObjects } from "../sim/gardenlet/mod.ts";
import { poolShapes } from "../sim/gardenlet/mod.ts";

/** Printed once at start. */
export const NOTES: readonly string[] = [
  "Ours: the extension (Infrastructure, Worker, heartbeat) and one machine controller per shoot (MCM's provider " +
  "sidecar) with the Equinix Metal driver, talking to the Metal API simulator over HTTP.",
  "Simulated around them (not part of the product): gardenlet's shoot flow, MCM's MachineDeployment/MachineSet " +
  "controllers, and the nodes (kubelet, cloud-controller-manager).",
  "Note: MCM counts a machine as available as soon as it is Running; it does not wait for the MachineDeployment's " +
  "minReadySeconds (the Worker sets 500 s), and neither does the simulation.",
  "Note: when you change a Worker's spec with kubectl, the simulated gardenlet re-annotates it " +
  "gardener.cloud/operation=reconcile with a fresh gardener.cloud/timestamp, as gardenlet does after a Shoot change.",
];

/** kubectl commands to try against the first shoot (scale a pool, change a machine type, delete the Worker). */
export function kubectlHints(
  seedKubeconfig: string,
  shootKubeconfig: string | undefined,
  shoot: ShootObjects,
): string[] {
  const ns = shoot.technicalId;
  const name = shoot.shootName;
  const pools = poolShapes(shoot);
  const scaled = pools[pools.length - 1];
  const rolled = pools[0];
  const other = rolled.machineType === "m3.small.x86" ? "c3.small.x86" : "m3.small.x86";
  const k = `kubectl --kubeconfig ${seedKubeconfig} -n ${ns}`;
  const i = pools.length - 1;
  return [
    "Try (the view above follows every change):",
    `  ${k} get workers,machinedeployments,machines`,
    `  kubectl --kubeconfig ${shootKubeconfig ?? "<shoot kubeconfig>"} get nodes -o wide`,
    `  # scale pool ${scaled.name} to ${scaled.minimum + 1}..${scaled.maximum + 1} machines:`,
    `  ${k} patch worker ${name} --type json -p '[{"op":"replace","path":"/spec/pools/${i}/minimum","value":${
      scaled.minimum + 1
    }},{"op":"replace","path":"/spec/pools/${i}/maximum","value":${scaled.maximum + 1}}]'`,
    `  # rolling update of pool ${rolled.name} (new machine type):`,
    `  ${k} patch worker ${name} --type json -p '[{"op":"replace","path":"/spec/pools/0/machineType","value":"${other}"}]'`,
    "  # delete the Worker (gardenlet confirms deletions with this annotation first):",
    `  ${k} annotate worker ${name} confirmation.gardener.cloud/deletion=true && ${k} delete worker ${name}`,
    "Press Ctrl-C to stop.",
  ];
}
