/**
 * Create-or-update of manifests: creates what is missing, replaces what differs (keeping the server's
 * resourceVersion), leaves the rest alone. Safe to run again: a second run reports every object unchanged.
 */
import type { KubeClient } from "../k8s/client.ts";
import { isNotFound } from "../k8s/errors.ts";
import type { KubeObject } from "../k8s/objects.ts";
import type { Manifest } from "./manifests.ts";
import type { ResourceMapper } from "./resource_mapper.ts";

/** What happened to one object. */
export interface AppliedObject {
  /** kubectl-style `kind/name` (with the group for non-core kinds), e.g. `namespace/garden-playground`. */
  ref: string;
  namespace?: string;
  action: "created" | "updated" | "unchanged";
}

/** Applies every manifest in order; the default namespace is used for namespaced objects without one. */
export async function applyManifests(
  client: KubeClient,
  mapper: ResourceMapper,
  manifests: Manifest[],
  opts: { defaultNamespace?: string; fieldManager?: string } = {},
): Promise<AppliedObject[]> {
  const out: AppliedObject[] = [];
  for (const { object, source } of manifests) {
    const res = await mapper.resolve(object.apiVersion!, object.kind!);
    const namespace = res.namespaced ? object.metadata.namespace ?? opts.defaultNamespace ?? "default" : undefined;
    const name = object.metadata.name!;
    const desired: KubeObject = { ...object, metadata: { ...object.metadata, ...(namespace ? { namespace } : {}) } };
    const ref = `${res.kind.toLowerCase()}${res.group ? `.${res.group}` : ""}/${name}`;
    const write = { namespace, fieldManager: opts.fieldManager ?? "playground" };
    try {
      let existing: KubeObject | undefined;
      try {
        existing = await client.get<KubeObject>(res, name, { namespace });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      if (!existing) {
        await client.create(res, desired, write);
        out.push({ ref, namespace, action: "created" });
        continue;
      }
      const updated = await client.update(res, {
        ...desired,
        metadata: { ...desired.metadata, resourceVersion: existing.metadata.resourceVersion },
      }, write);
      const changed = updated.metadata.resourceVersion !== existing.metadata.resourceVersion;
      out.push({ ref, namespace, action: changed ? "updated" : "unchanged" });
    } catch (e) {
      throw new Error(`applying ${ref} from ${source}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}
