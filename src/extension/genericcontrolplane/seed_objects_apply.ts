/**
 * Apply step of the ControlPlane controller: writes to the shoot namespace of the seed (ManagedResources, their
 * Secrets, shoot access Secrets) that compare before they write.
 * The stored object is projected onto the fields we render (keys we do not render, such as server defaults, a token
 * the resource manager filled in or annotations of others, are left out; lists are compared element by element when
 * their lengths match), and a merge patch of the difference is sent only if there is one, so an up-to-date namespace
 * costs no write request. Deletes of objects that are already gone count as done.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { isNotFound, undefinedIfNotFound } from "../../k8s/api/errors.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { jsonEqual } from "../../k8s/api/patch/json_value.ts";
import type { ResourceType } from "../../k8s/api/resources.ts";
import type { Logger } from "../../observability/log.ts";
import { counter } from "../../observability/metrics.ts";
import { NamespaceWriter } from "../reconciler/mod.ts";

const writesTotal = counter({
  name: "extension_controlplane_api_writes_total",
  help: "Write requests of the ControlPlane controller to the seed, by verb and resource.",
  labelNames: ["verb", "resource"],
});

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `stored` reduced to the shape of `desired` (see the module comment). */
export function projectOnto(stored: unknown, desired: unknown): unknown {
  if (isPlainObject(desired)) {
    if (!isPlainObject(stored)) return stored;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(desired)) {
      if (stored[key] !== undefined) out[key] = projectOnto(stored[key], desired[key]);
    }
    return out;
  }
  if (Array.isArray(desired) && Array.isArray(stored) && stored.length === desired.length) {
    return stored.map((s, i) => projectOnto(s, desired[i]));
  }
  return stored;
}

/** The fields we render of an object: metadata labels/annotations and everything outside metadata and status. */
function renderedFields(obj: KubeObject): Record<string, unknown> {
  const { metadata, status: _status, apiVersion: _a, kind: _k, ...rest } = obj as KubeObject & { status?: unknown };
  const meta: Record<string, unknown> = {};
  if (metadata.labels) meta.labels = metadata.labels;
  if (metadata.annotations) meta.annotations = metadata.annotations;
  return { metadata: meta, ...rest };
}

/** Writes objects of one namespace; counts its requests. */
export class SeedObjectWriter extends NamespaceWriter {
  constructor(client: KubeClient, namespace: string, log: Logger, signal?: AbortSignal) {
    super(client, namespace, log, signal, writesTotal);
  }

  /** The stored object, or undefined. */
  async get<T extends KubeObject>(res: ResourceType, name: string): Promise<T | undefined> {
    return await undefinedIfNotFound(this.client.get<T>(res, name, this.opts));
  }

  /** Creates `desired`, or patches the rendered fields of the stored object that differ; returns the stored object. */
  async ensure<T extends KubeObject>(res: ResourceType, desired: T): Promise<T> {
    const existing = await this.get<T>(res, desired.metadata.name ?? "");
    return this.createOrPatch(res, desired, existing, (stored) => {
      const to = renderedFields(desired);
      return { from: projectOnto(renderedFields(stored), to), to };
    });
  }

  /** Merge-patches an object if the patch changes something (e.g. `keepObjects` before a migration). */
  async patchIfExists(res: ResourceType, name: string, patch: Record<string, unknown>): Promise<void> {
    const existing = await this.get(res, name);
    if (!existing || existing.metadata.deletionTimestamp) return;
    if (jsonEqual(projectOnto(existing, patch), patch)) return;
    this.count("patch", res);
    try {
      await this.client.patch(res, name, patch, "merge", this.opts);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Deletes an object unless it is absent or already being deleted; returns true while it still exists. */
  async delete(res: ResourceType, name: string): Promise<boolean> {
    const existing = await this.get(res, name);
    if (!existing) return false;
    if (existing.metadata.deletionTimestamp) return true;
    if (!await this.sendDelete(res, name)) return false;
    return (await this.get(res, name)) !== undefined;
  }
}
