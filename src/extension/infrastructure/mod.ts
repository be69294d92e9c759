/**
 * The Infrastructure controller: Gardener's generic extension protocol (../reconciler) with the flow-based
 * `InfrastructureActuator` (one project SSH key per shoot, no Terraform).
 */
export { add, type InfrastructureAddOptions } from "./add.ts";
export * from "./controller.ts";
export { credentialsFromSecret } from "./credentials.ts";
