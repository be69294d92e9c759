/**
 * The object a reconcile works on, kept current with the API server's answers to our own writes (so later steps
 * compare against what is stored, not against the snapshot the reconcile started with). Every write is a merge
 * patch that is skipped when it would change nothing; finalizer lists are written with the resourceVersion they were
 * computed from (optimistic locking), since a merge patch replaces the whole list.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { isConflict, isNotFound } from "../../k8s/api/errors.ts";
import { hasFinalizer } from "../../k8s/api/objects.ts";
import { ANNOTATION_OPERATION } from "../../apis/extensions/constants.ts";
import type { ExtensionKind } from "./actuator.ts";
import type { ExtensionObject } from "./extension_object.ts";
import { changesStatus, type StatusPatch } from "./status.ts";

/** Attempts of a finalizer change that keeps hitting conflicts (each re-reads the object). */
const FINALIZER_ATTEMPTS = 5;

/** One extension object under reconciliation. */
export class LiveObject<T extends ExtensionObject> {
  /** Write requests sent so far (the no-op check of the reconciler and tests use it). */
  writes = 0;
  /** True once the object is gone from the API server. */
  gone = false;

  constructor(
    private readonly client: KubeClient,
    private readonly kind: ExtensionKind,
    public current: T,
    private readonly signal?: AbortSignal,
  ) {}

  private get ref() {
    return { namespace: this.current.metadata.namespace, name: this.current.metadata.name ?? "" };
  }

  /** Removes `gardener.cloud/operation` (any value); no request if it is absent. */
  async removeOperationAnnotation(): Promise<void> {
    if (this.current.metadata.annotations?.[ANNOTATION_OPERATION] === undefined) return;
    const patch = { metadata: { annotations: { [ANNOTATION_OPERATION]: null } } };
    this.writes++;
    this.current = await this.client.patch<T>(this.kind.resource, this.ref.name, patch, "merge", {
      namespace: this.ref.namespace,
      signal: this.signal,
    });
  }

  /** Adds the kind's finalizer (optimistic locking; re-reads on conflict). */
  async ensureFinalizer(): Promise<void> {
    await this.changeFinalizers((list) =>
      list.includes(this.kind.finalizer) ? undefined : [...list, this.kind.finalizer]
    );
  }

  /** Removes the kind's finalizer; an object that is already gone counts as done. */
  async removeFinalizer(): Promise<void> {
    await this.changeFinalizers((list) =>
      list.includes(this.kind.finalizer) ? list.filter((f) => f !== this.kind.finalizer) : undefined
    );
  }

  private async changeFinalizers(change: (list: string[]) => string[] | undefined): Promise<void> {
    for (let attempt = 1;; attempt++) {
      const next = change([...(this.current.metadata.finalizers ?? [])]);
      if (next === undefined) return;
      // null drops the field, as the API server itself stores an empty list.
      const finalizers = next.length ? next : null;
      const patch = { metadata: { resourceVersion: this.current.metadata.resourceVersion, finalizers } };
      try {
        this.writes++;
        this.current = await this.client.patch<T>(this.kind.resource, this.ref.name, patch, "merge", {
          namespace: this.ref.namespace,
          signal: this.signal,
        });
        return;
      } catch (e) {
        if (isNotFound(e) && !next.includes(this.kind.finalizer)) {
          // Removing our finalizer let the API server delete the object (or someone else finished it first).
          this.gone = true;
          return;
        }
        if (!isConflict(e) || attempt >= FINALIZER_ATTEMPTS) throw e;
        await this.reread();
      }
    }
  }

  /** Merge-patches the status subresource; returns false (no request) if the patch changes nothing. */
  async patchStatus(patch: StatusPatch): Promise<boolean> {
    if (!changesStatus(this.current.status, patch)) return false;
    this.writes++;
    this.current = await this.client.patch<T>(this.kind.resource, this.ref.name, { status: patch }, "merge", {
      namespace: this.ref.namespace,
      subresource: "status",
      signal: this.signal,
    });
    return true;
  }

  /** True while the kind's finalizer is on the object. */
  hasFinalizer(): boolean {
    return hasFinalizer(this.current, this.kind.finalizer);
  }

  private async reread(): Promise<void> {
    this.current = await this.client.get<T>(this.kind.resource, this.ref.name, {
      namespace: this.ref.namespace,
      signal: this.signal,
    });
  }
}
