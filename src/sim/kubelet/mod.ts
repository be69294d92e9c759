/**
 * SIMULATION of the pods behind Deployments (a seed's control-plane components become available) for the playground
 * and tests. Not part of what runs in a real seed.
 */
export { DeploymentKubelet, type DeploymentKubeletOptions, type DeploymentKubeletStats } from "./deployment_kubelet.ts";
export { availableStatus, type DeploymentStatus, type SimDeployment } from "./deployment_status.ts";
