/**
 * Gardener's generic extension reconcile protocol, shared by every extension controller of this provider
 * (Infrastructure, Worker, later ControlPlane). A controller supplies only an `Actuator` (actuator.ts, the contract)
 * and its `ExtensionKind` (kinds.ts); everything Gardener checks — type/class filtering, the trigger predicates, the
 * `gardener.cloud/operation` annotation, the operation type, the finalizer, lastOperation/lastError/
 * observedGeneration, error codes, failed shoots, migrate/restore/force-delete dispatch, zero-write no-op
 * reconciles — lives here.
 *
 * How to add a controller for a kind (this is all the Infrastructure controller does):
 *
 *   import { newExtensionController, WORKER } from "../reconciler/mod.ts";
 *   const ctrl = newExtensionController({
 *     kind: WORKER,                     // Kind, resource, finalizer, noun
 *     actuator: new MyWorkerActuator(), // implements Actuator<Worker>
 *     client: seedClient,
 *     informers: manager.informers,     // shared informers of the Manager
 *     decode: (raw, object) => decodeWorker(raw, { object }),
 *     concurrency: 5,                   // --worker-max-concurrent-reconciles
 *     extensionClasses: ["shoot"],      // --extension-classes
 *     ignoreOperationAnnotation: false, // --ignore-operation-annotation
 *     recorder, clock, log,
 *   });
 *   manager.add(ctrl);                  // runs while this replica is the leader
 *
 * Extra watches (e.g. the Worker's Machines) go on `ctrl.controller.watch(...)` before the manager starts.
 * Actuators throw errors to fail an operation: typed errors map to Gardener error codes (error_codes.ts); throw a
 * `ConfigurationError` for problems the user must fix, a `CodedError` for explicit codes. They return
 * `{ progressing }` to keep the operation in Processing and be called again later, and `{ status }` to merge their
 * own status fields into the success write. `ctx.patchStatus` persists state immediately (skipped when unchanged).
 */
export type { Actuator, ActuatorContext, ActuatorOutcome, ClusterContext, ExtensionKind } from "./actuator.ts";
export { CONTROL_PLANE, INFRASTRUCTURE, WORKER } from "./kinds.ts";
export { type ExtensionController, type ExtensionControllerOptions, newExtensionController } from "./controller.ts";
export { ExtensionReconciler, type ExtensionReconcilerOptions } from "./reconciler.ts";
export { CodedError, ConfigurationError, determineErrorCodes, RetryableConfigurationError } from "./error_codes.ts";
export { apiClusterReader, clusterContextOf, type ClusterReader } from "./cluster.ts";
export { computeOperationType, isMigrated, shouldSkipAfterMigration, timestampSatisfied } from "./operation.ts";
export { extensionPredicates, operationAnnotationPredicate } from "./predicates.ts";
export { describeExtensionObject, type ExtensionObject } from "./extension_object.ts";
export { isUpToDate, phaseTexts, type StatusPatch, statusTime } from "./status.ts";
