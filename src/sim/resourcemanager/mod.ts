/**
 * SIMULATION of gardener-resource-manager (ManagedResources applied into the seed or the shoot, their conditions,
 * keepObjects) for the playground and tests. Not part of what runs in a real seed.
 */
export {
  applyObject,
  type ResourceManagerOptions,
  ResourceManagerSimulation,
  type ResourceManagerStats,
} from "./resource_manager.ts";
export {
  ANNOTATION_ORIGIN,
  appliedRef,
  desiredObject,
  GRM_FINALIZER,
  LABEL_MANAGED_BY,
  type ManagedResource,
  mrConditions,
  objectsOfSecretData,
} from "./managed_objects.ts";
