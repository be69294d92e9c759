/**
 * SIMULATION of gardenlet: the objects gardenlet writes into a seed for one shoot, taken from manifests (the
 * project's `example/`) and grouped by the role they play in the shoot flow. Errors name the manifest and field.
 * Pure.
 */
import { decodeCluster, decodeWorker } from "../../apis/extensions/v1alpha1.ts";
import { LABEL_PURPOSE, PURPOSE_CLOUDPROVIDER } from "../../apis/extensions/constants.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";

/** One object read from a manifest (`source` is `file#document`, for messages). */
export interface SourcedObject {
  object: KubeObject;
  source: string;
}

/** The objects of one shoot, grouped as gardenlet's flow uses them. */
export interface ShootObjects {
  /** Shoot name (Infrastructure and Worker carry it). */
  shootName: string;
  /** The shoot's technical ID: its seed namespace and Cluster name, `shoot--<project>--<name>`. */
  technicalId: string;
  /** The shoot namespace with gardenlet's labels. */
  namespace: KubeObject;
  cluster: KubeObject;
  /** Secret `cloudprovider` (credentials). */
  cloudProvider: KubeObject;
  /** The pools' user data secrets. */
  userData: KubeObject[];
  infrastructure: KubeObject;
  /** The Worker as gardenlet writes it; `spec.infrastructureProviderStatus` is replaced by the Infrastructure's. */
  worker: KubeObject;
  /** Further objects created as they are (e.g. the project namespace of example/00-namespace.yaml). */
  others: KubeObject[];
}

/** A template is the objects of the example shoot, placeholders included. */
export type ShootTemplate = ShootObjects;

function pick(objects: SourcedObject[], what: string, test: (o: KubeObject) => boolean): SourcedObject {
  const found = objects.filter((o) => test(o.object));
  if (found.length !== 1) {
    const where = found.map((f) => f.source).join(", ");
    throw new Error(`the shoot manifests need exactly one ${what}, found ${found.length}${where ? ` (${where})` : ""}`);
  }
  return found[0];
}

/** Groups manifests into a shoot template; throws naming what is missing, duplicated or invalid. */
export function shootTemplateFrom(objects: SourcedObject[]): ShootTemplate {
  const cluster = pick(objects, "Cluster (extensions.gardener.cloud)", (o) => o.kind === "Cluster");
  decodeCluster(cluster.object, { object: cluster.source });
  const technicalId = cluster.object.metadata.name!;
  const inShoot = (o: KubeObject) => o.metadata.namespace === technicalId;
  const namespace = pick(
    objects,
    `Namespace ${technicalId}`,
    (o) => o.kind === "Namespace" && o.metadata.name === technicalId,
  );
  const infrastructure = pick(
    objects,
    `Infrastructure in ${technicalId}`,
    (o) => o.kind === "Infrastructure" && inShoot(o),
  );
  const worker = pick(objects, `Worker in ${technicalId}`, (o) => o.kind === "Worker" && inShoot(o));
  const pools = decodeWorker(worker.object, { object: worker.source }).spec.pools.map((p) =>
    p.userDataSecretRef.name ?? ""
  );
  const cloudProvider = pick(
    objects,
    `Secret labelled ${LABEL_PURPOSE}=${PURPOSE_CLOUDPROVIDER} in ${technicalId}`,
    (o) => o.kind === "Secret" && inShoot(o) && o.metadata.labels?.[LABEL_PURPOSE] === PURPOSE_CLOUDPROVIDER,
  );
  const userData = pools.map((name) =>
    pick(
      objects,
      `user data Secret ${name} in ${technicalId} (Worker pools' userDataSecretRef)`,
      (o) => o.kind === "Secret" && inShoot(o) && o.metadata.name === name,
    ).object
  );
  if (infrastructure.object.metadata.name !== worker.object.metadata.name) {
    throw new Error(
      `${worker.source}: metadata.name: the Worker must be named like the Infrastructure (the shoot), ` +
        `"${infrastructure.object.metadata.name}"`,
    );
  }
  const used = new Set<KubeObject>([
    cluster.object,
    namespace.object,
    infrastructure.object,
    worker.object,
    cloudProvider.object,
    ...userData,
  ]);
  return {
    shootName: infrastructure.object.metadata.name!,
    technicalId,
    namespace: namespace.object,
    cluster: cluster.object,
    cloudProvider: cloudProvider.object,
    userData,
    infrastructure: infrastructure.object,
    worker: worker.object,
    others: objects.map((o) => o.object).filter((o) => !used.has(o)),
  };
}
