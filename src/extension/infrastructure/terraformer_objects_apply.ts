/**
 * The seed objects the Go provider's Terraformer left in the shoot namespace: ConfigMaps `<infra>.infra.tf-config`
 * and `<infra>.infra.tf-state` (key `terraform.tfstate`) and Secret `<infra>.infra.tf-vars`, each with finalizer
 * `gardener.cloud/terraformer`. We read the state once (to adopt the SSH key) and then remove them.
 */
import type { ConfigMap } from "kubernetes-types/core/v1.d.ts";
import type { KubeClient } from "../../k8s/client/client.ts";
import { isConflict, isNotFound, undefinedIfNotFound } from "../../k8s/api/errors.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { CoreV1, type ResourceType } from "../../k8s/api/resources.ts";

export const TERRAFORMER_FINALIZER = "gardener.cloud/terraformer";
export const TFSTATE_KEY = "terraform.tfstate";

/** One Terraformer object. */
export interface TerraformerObject {
  resource: ResourceType;
  name: string;
}

/** The three objects of the `infra` purpose of an Infrastructure. */
export function terraformerObjects(
  infraName: string,
): { config: TerraformerObject; variables: TerraformerObject; state: TerraformerObject } {
  const prefix = `${infraName}.infra`;
  return {
    config: { resource: CoreV1.configMaps, name: `${prefix}.tf-config` },
    variables: { resource: CoreV1.secrets, name: `${prefix}.tf-vars` },
    state: { resource: CoreV1.configMaps, name: `${prefix}.tf-state` },
  };
}

async function getOrUndefined(
  client: KubeClient,
  o: TerraformerObject,
  namespace: string,
  signal?: AbortSignal,
): Promise<KubeObject | undefined> {
  return await undefinedIfNotFound(client.get(o.resource, o.name, { namespace, signal }));
}

/** What is left of the Terraformer in a namespace. */
export interface TerraformerLeftovers {
  /** The objects that still exist. */
  present: TerraformerObject[];
  /** `terraform.tfstate` of the state ConfigMap, if it exists. */
  tfstate?: string;
}

/** Looks for the Terraformer objects of an Infrastructure (reads only). */
export async function findTerraformerObjects(
  client: KubeClient,
  namespace: string,
  infraName: string,
  signal?: AbortSignal,
): Promise<TerraformerLeftovers> {
  const all = terraformerObjects(infraName);
  const present: TerraformerObject[] = [];
  let tfstate: string | undefined;
  for (const o of [all.config, all.variables, all.state]) {
    const found = await getOrUndefined(client, o, namespace, signal);
    if (!found) continue;
    present.push(o);
    if (o === all.state) tfstate = (found as ConfigMap).data?.[TFSTATE_KEY];
  }
  return { present, tfstate };
}

/** Removes the Terraformer finalizer (optimistic locking) and deletes the object; a missing one counts as done. */
async function removeOne(client: KubeClient, o: TerraformerObject, namespace: string, signal?: AbortSignal) {
  for (let attempt = 1;; attempt++) {
    const obj = await getOrUndefined(client, o, namespace, signal);
    if (!obj) return;
    const finalizers = obj.metadata.finalizers ?? [];
    if (finalizers.includes(TERRAFORMER_FINALIZER)) {
      const rest = finalizers.filter((f) => f !== TERRAFORMER_FINALIZER);
      try {
        await client.patch(
          o.resource,
          o.name,
          {
            metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: rest.length ? rest : null },
          },
          "merge",
          { namespace, signal },
        );
      } catch (e) {
        if (isNotFound(e)) return;
        if (isConflict(e) && attempt < 5) continue;
        throw e;
      }
    }
    try {
      await client.delete(o.resource, o.name, { namespace, signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    return;
  }
}

/** Removes the given Terraformer objects (finalizer first, then the object). */
export async function removeTerraformerObjects(
  client: KubeClient,
  namespace: string,
  objects: readonly TerraformerObject[],
  signal?: AbortSignal,
): Promise<void> {
  for (const o of objects) await removeOne(client, o, namespace, signal);
}
