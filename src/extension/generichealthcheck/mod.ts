/**
 * Gardener's extensions health-check library, provider-agnostic (the counterpart of Gardener's
 * `extensions/pkg/controller/healthcheck`): conditions and their rules, the reconciler and controller of one kind,
 * the nodes, Deployment and ManagedResource checks, and cached shoot access. ../healthcheck registers provider
 * equinixmetal's checks.
 */
export {
  ALL_SUCCESSFUL,
  buildCondition,
  type CheckOutcome,
  type CheckResult,
  type ConditionVerdict,
  conditionVerdicts,
  hibernatedVerdicts,
  mergeConditions,
  Reason,
  SHOOT_HIBERNATED,
} from "./conditions.ts";
export {
  type HealthCheckController,
  type HealthCheckControllerOptions,
  newHealthCheckController,
} from "./controller.ts";
export {
  type CheckContext,
  conditionTypesOf,
  type HealthCheck,
  HealthCheckReconciler,
  type HealthCheckRegistration,
  isInMigration,
} from "./healthcheck_reconcile.ts";
export { managedResourceCheck, nodesCheck, seedDeploymentCheck } from "./checks.ts";
export { checkNodes, DEFAULT_NODE_THRESHOLDS, type NodeThresholds } from "./nodes_check.ts";
export { checkDeployment, checkManagedResource, deploymentProblem } from "./workload_checks.ts";
export { SHOOT_ACCESS_SECRETS, ShootClusters } from "./shoot_access.ts";
