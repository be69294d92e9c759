/**
 * The Cluster of an extension object's namespace (named after the namespace), decoded leniently into the context an
 * actuator receives. The seed is optional (self-hosted shoots).
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { undefinedIfNotFound } from "../../k8s/api/errors.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { ExtensionsV1alpha1 } from "../../k8s/api/resources.ts";
import { decodeCluster } from "../../apis/extensions/v1alpha1.ts";
import type { ClusterContext } from "./actuator.ts";

/** Decodes a Cluster object into the actuator's context; errors name the Cluster and the field. */
export function clusterContextOf(raw: unknown): ClusterContext {
  const name = (raw as KubeObject | undefined)?.metadata?.name ?? "";
  const cluster = decodeCluster(raw, { object: `Cluster ${name}` });
  const ctx: ClusterContext = {
    cluster,
    shoot: cluster.spec.shoot,
    cloudProfile: cluster.spec.cloudProfile,
  };
  if (cluster.spec.seed) ctx.seed = cluster.spec.seed;
  return ctx;
}

/** Reads the Cluster of a namespace; undefined if there is none. */
export type ClusterReader = (namespace: string, signal?: AbortSignal) => Promise<ClusterContext | undefined>;

/** Reads Clusters from the API server (authoritative: a force-deletion annotation is seen as soon as it is set). */
export function apiClusterReader(client: KubeClient): ClusterReader {
  return async (namespace, signal) => {
    const cluster = await undefinedIfNotFound(client.get(ExtensionsV1alpha1.clusters, namespace, { signal }));
    return cluster && clusterContextOf(cluster);
  };
}
