/**
 * The seedprovider mutation: storage of the shoot's `etcd-main` and `etcd-events` (`druid.gardener.cloud/v1alpha1`
 * `Etcd`) when the seed runs on Equinix Metal. The capacity follows upstream: `etcd.storage.capacity` of the
 * ControllerConfiguration for etcd-main, 10Gi when unset and for etcd-events. The class is set only where the
 * configuration names one (etcd-main); upstream wrote an empty class otherwise, which a PersistentVolumeClaim reads as
 * "no dynamic provisioning", so we keep gardenlet's class instead. Pure.
 */
import type { KubeObject } from "../../k8s/api/objects.ts";

/** The Etcd names gardenlet uses per shoot. */
export const ETCD_MAIN = "etcd-main";
export const ETCD_EVENTS = "etcd-events";
/** Upstream's capacity where nothing is configured. */
export const DEFAULT_ETCD_CAPACITY = "10Gi";

/** An Etcd as far as we touch it. */
export interface Etcd extends KubeObject {
  spec?: { storageClass?: string; storageCapacity?: string | number; [field: string]: unknown };
}

/** The configured storage of etcd-main (`ResolvedControllerConfiguration.etcd.storage`). */
export interface EtcdStorageConfig {
  className?: string;
  capacity?: string;
}

/** The Etcd with our storage class and capacity; other Etcds are returned unchanged (as a copy). Pure. */
export function ensureEtcdStorage(etcd: Etcd, config: EtcdStorageConfig): Etcd {
  const out = structuredClone(etcd);
  const name = etcd.metadata.name;
  if (name !== ETCD_MAIN && name !== ETCD_EVENTS) return out;
  out.spec ??= {};
  if (name === ETCD_MAIN) {
    out.spec.storageCapacity = config.capacity ?? DEFAULT_ETCD_CAPACITY;
    if (config.className !== undefined) out.spec.storageClass = config.className;
  } else {
    out.spec.storageCapacity = DEFAULT_ETCD_CAPACITY;
  }
  return out;
}
