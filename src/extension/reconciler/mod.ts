/**
 * Gardener's generic extension reconcile protocol, shared by every extension controller of this provider
 * (Infrastructure, Worker, later ControlPlane). A controller supplies only an `Actuator` (actuator.ts, the contract)
 * and its `ExtensionKind` (kinds.ts); everything Gardener checks — type/class filtering, the trigger predicates, the
 * `gardener.cloud/operation` annotation, the operation type, the finalizer, lastOperation/lastError/
 * observedGeneration, error codes, failed shoots, migrate/restore/force-delete dispatch, zero-write no-op
 * reconciles — lives here.
 *
 * How a controller kind joins the extension (add.ts): its folder exports `add(manager, args)`, the shape of Gardener's
 * `<kind>.Add(mgr, AddArgs)`; an extension kind's `add` is one call (the Infrastructure and Worker kinds do no more):
 *
 *   export function add(manager: ControllerManager, args: AddArgs<MyOptions>): void {
 *     addExtensionController<Worker>(manager, args, {
 *       kind: WORKER,                     // Kind, resource, finalizer, noun
 *       actuator: new MyWorkerActuator(), // implements Actuator<Worker>
 *       decode: (raw, object) => decodeWorker(raw, { object }),
 *       concurrency: args.options.concurrency, // --worker-max-concurrent-reconciles
 *     });
 *   }
 *
 * and one row of the extension's kind table (`controllerKind(name, add, options)`) turns it on. Extra watches go on
 * the `controller` of what `addExtensionController` returns, before the manager starts.
 * Actuators throw errors to fail an operation: typed errors map to Gardener error codes (error_codes.ts); throw a
 * `ConfigurationError` for problems the user must fix, a `CodedError` for explicit codes. They return
 * `{ progressing }` to keep the operation in Processing and be called again later, and `{ status }` to merge their
 * own status fields into the success write. `ctx.patchStatus` persists state immediately (skipped when unchanged).
 */
export type { Actuator, ActuatorContext, ActuatorOutcome, ClusterContext, ExtensionKind } from "./actuator.ts";
export { CONTROL_PLANE, INFRASTRUCTURE, WORKER } from "./kinds.ts";
export {
  type AddArgs,
  addControllers,
  addExtensionController,
  type AddToManager,
  type ControllerKind,
  controllerKind,
  type ControllerManager,
  type ExtensionControllerParts,
  type SharedArgs,
} from "./add.ts";
export { type ExtensionController, type ExtensionControllerOptions, newExtensionController } from "./controller.ts";
export { ExtensionReconciler, type ExtensionReconcilerOptions } from "./extension_reconcile.ts";
export { CodedError, ConfigurationError, determineErrorCodes, RetryableConfigurationError } from "./error_codes.ts";
export { apiClusterReader, clusterContextOf, type ClusterReader } from "./cluster.ts";
export { computeOperationType, isMigrated, shouldSkipAfterMigration, timestampSatisfied } from "./operation.ts";
export { classPredicate, extensionPredicates, operationAnnotationPredicate } from "./predicates.ts";
export { describeExtensionObject, type ExtensionObject } from "./extension_object.ts";
export { isUpToDate, phaseTexts, type StatusPatch, statusTime } from "./status.ts";
export { NamespaceWriter, type WriteViews } from "./namespace_writer.ts";
