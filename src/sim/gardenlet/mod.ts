/**
 * SIMULATION of gardenlet's part of the shoot flow — what a real seed's gardenlet does around our extension — for
 * the playground, tests and benchmarks. Not part of the product.
 *
 *   const gardenlet = new GardenletSimulation({ client: seedClient, clock });
 *   manager.add(gardenlet);   // or gardenlet.start(signal)
 *   const shoot = shootObjects(shootTemplateFrom(manifests), { name: "playground", index: 0, credentials });
 *   await gardenlet.createShoot(shoot);   // namespace … Infrastructure → ready → Worker → ready
 *   const state = await gardenlet.migrateShoot(shoot);   // migrate flow: objects migrated, namespace gone
 *   await gardenlet.restoreShoot(shoot, state);          // restore flow: wait-for-state → state → restore
 *   await gardenlet.deleteShoot(shoot);   // Worker, then Infrastructure, then Cluster and namespace
 */
export {
  DEFAULT_WAIT_TIMEOUT_MS,
  GardenletSimulation,
  type GardenletSimulationOptions,
  type GardenletStats,
  isRetryableWriteError,
  LOGGER_NAME,
  type MigratedKind,
  type ShootCreation,
  type ShootRef,
  type ShootState,
} from "./gardenlet.ts";
export {
  encodeWorkerState,
  type RecordedMachineDeployment,
  recordedMachines,
  type RecordedMachineState,
  recordMachineState,
  type StoredMachineObject,
} from "./machine_state.ts";
export {
  type ControlPlaneObjects,
  controlPlaneObjects,
  GENERIC_KUBECONFIG_DIR,
  GENERIC_KUBECONFIG_PATH,
  GENERIC_KUBECONFIG_VOLUME,
  LABEL_MUTATED_BY_CONTROLPLANE_WEBHOOK,
  MCM_DEPLOYMENT,
  MCM_VPA,
} from "./control_plane.ts";
export { deletionConfirmation, reconcileRequest, rfc3339Nano } from "./operation.ts";
export {
  extensionObjectProblem,
  type ExtensionObjectView,
  machineDeploymentsProblem,
  nonRetryableError,
} from "./readiness.ts";
export {
  alternativeMachineType,
  clusterWithPoolMachineType,
  type Credentials,
  generatePools,
  nodeAgentSecretName,
  nodeAgentSecretNamesOutdated,
  type PoolShape,
  poolShapes,
  PROJECT_PLACEHOLDER,
  shootNames,
  shootObjects,
  shootPublicKey,
  type ShootShape,
  TOKEN_PLACEHOLDER,
  wantedMachines,
  withInfrastructureStatus,
  withNodeAgentSecretNames,
  withPoolMachineType,
} from "./shoot_objects.ts";
export { type ShootObjects, type ShootTemplate, shootTemplateFrom, type SourcedObject } from "./shoot_template.ts";
export {
  type CloudProfileManifest,
  ManifestError,
  parseCloudProfileManifest,
  parseShootManifest,
  projectOf,
  type ShootManifest,
  shootTemplateFromShoot,
  sshAccessEnabled,
} from "./from_shoot.ts";
