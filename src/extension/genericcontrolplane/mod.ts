/**
 * Gardener's generic ControlPlane logic, provider-agnostic: the actuator (shoot access, the seed and shoot
 * ManagedResources, hibernation, deletion with bounded waits, migrate/restore), the delegate contract the provider fills in, and the
 * pure helpers it renders with.
 */
export {
  ControlPlaneActuator,
  type ControlPlaneActuatorOptions,
  DEFAULT_MR_WAIT_TIMEOUT_MS,
  DEFAULT_POLL_INTERVAL_MS,
  KUBE_APISERVER_DEPLOYMENT,
} from "./actuator.ts";
export type { ControlPlaneDelegate, ControlPlaneValues, ShootWebhookConfigSource } from "./delegate.ts";
export { checksumAnnotation, secretChecksum } from "./checksum.ts";
export {
  DELETE_ON_INVALID_UPDATE,
  LABEL_NO_CLEANUP,
  managedResourceProblem,
  managedResourceSecretName,
  MANIFESTS_KEY,
  MR_SEED,
  MR_SHOOT,
  MR_SHOOT_WEBHOOKS,
  MR_STORAGE_CLASSES,
  renderManagedResource,
  serializeManifests,
} from "./managed_resource.ts";
export {
  deleteManagedResource,
  ensureManagedResource,
  publishShootWebhooks,
  shootWebhooksManagedResource,
} from "./managed_resource_apply.ts";
export { projectOnto, SeedObjectWriter } from "./seed_objects_apply.ts";
export {
  GENERIC_KUBECONFIG_DIR,
  GENERIC_KUBECONFIG_PATH,
  genericKubeconfigVolume,
  genericTokenKubeconfigSecretName,
  shootAccessSecret,
  shootAccessSecretName,
} from "./shoot_access_secret.ts";
