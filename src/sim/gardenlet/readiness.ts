/**
 * SIMULATION of gardenlet: when gardenlet considers an extension object ready after it requested an operation
 * (`CheckExtensionObject`), and when a Worker has published the machine deployments of
 * the current request (`checkWorkerStatusMachineDeploymentsUpdated`, §1.5). Pure.
 */
import { ANNOTATION_OPERATION, ANNOTATION_TIMESTAMP } from "../../apis/extensions/constants.ts";
import { hasNonRetryableErrorCode } from "../../apis/core/error_codes.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";

/** The parts of an extension object's status that gardenlet reads. */
export interface ExtensionStatusView {
  observedGeneration?: number;
  lastError?: { description?: string; codes?: string[] } | null;
  lastOperation?: { type?: string; state?: string; lastUpdateTime?: string; description?: string } | null;
  machineDeploymentsLastUpdateTime?: string;
}

/** An extension object as gardenlet's checks see it. */
export type ExtensionObjectView = KubeObject & { status?: ExtensionStatusView };

/** Why the object is not ready yet, or undefined once it is. `timestamp` is the one gardenlet wrote last. */
export function extensionObjectProblem(obj: ExtensionObjectView, timestamp?: string): string | undefined {
  const status = obj.status ?? {};
  const codes = status.lastError?.codes?.length ? ` [${status.lastError.codes.join(", ")}]` : "";
  if (status.lastError) return `error reported: ${status.lastError.description ?? "(no description)"}${codes}`;
  const generation = obj.metadata.generation ?? 0;
  if ((status.observedGeneration ?? 0) !== generation) {
    return `observed generation outdated (${status.observedGeneration ?? 0}/${generation})`;
  }
  const operation = obj.metadata.annotations?.[ANNOTATION_OPERATION];
  if (operation) return `operation annotation ${operation} not yet removed`;
  const last = status.lastOperation;
  if (!last) return "no last operation reported yet";
  if (last.state !== "Succeeded") {
    return `last operation ${last.type ?? "?"} is ${last.state ?? "?"}: ${last.description ?? ""}`;
  }
  if (timestamp !== undefined) {
    // A stale cache shows an older request: the object must carry exactly the timestamp gardenlet wrote.
    const seen = obj.metadata.annotations?.[ANNOTATION_TIMESTAMP];
    if (seen !== timestamp) return `the object does not carry the requested timestamp ${timestamp} yet`;
    const requested = Math.floor(Date.parse(timestamp) / 1000) * 1000;
    const updated = Date.parse(last.lastUpdateTime ?? "");
    if (!(updated >= requested)) {
      return `last operation (${last.lastUpdateTime ?? "no time"}) is older than the request (${timestamp})`;
    }
  }
  return undefined;
}

/**
 * Why the Worker has not yet published its machine deployments for the current request: gardenlet waits until
 * `machineDeploymentsLastUpdateTime` is newer than the value it saw before the request, or a newer error.
 */
export function machineDeploymentsProblem(worker: ExtensionObjectView, before: string | undefined): string | undefined {
  const now = worker.status?.machineDeploymentsLastUpdateTime;
  if (now && (!before || Date.parse(now) > Date.parse(before))) return undefined;
  return "the worker has not yet published the machine deployments of this request";
}

/**
 * The error that ends gardenlet's wait at once: a `lastError` with a non-retryable code (gardenlet marks the Shoot
 * Failed and stops retrying instead of waiting out its timeout). Undefined otherwise.
 */
export function nonRetryableError(obj: ExtensionObjectView | undefined): string | undefined {
  const err = obj?.status?.lastError;
  if (!err || !hasNonRetryableErrorCode(err.codes)) return undefined;
  return `${err.description ?? "(no description)"} [${(err.codes ?? []).join(", ")}]`;
}
