/**
 * The seedprovider mutation: storage of the shoot's `etcd-main` and `etcd-events` (`druid.gardener.cloud/v1alpha1`
 * `Etcd`) when the seed runs on Equinix Metal. Capacity: `etcd.storage.capacity` of the ControllerConfiguration for
 * etcd-main, else 25Gi, and 10Gi for etcd-events (gardenlet's own sizes), but never less than the received object
 * asks for: gardenlet raises its sizes to the seed's minimum volume size, and a volume cannot shrink. Upstream wrote
 * 10Gi for etcd-main when nothing was configured, below gardenlet's 25Gi. The class is set only where the
 * configuration names one (etcd-main); upstream wrote an empty class otherwise, which a PersistentVolumeClaim reads as
 * "no dynamic provisioning", so we keep gardenlet's. Pure.
 */
import type { KubeObject } from "../../k8s/api/objects.ts";
import { isQuantity, parseQuantity } from "../../apis/quantity.ts";

/** The Etcd names gardenlet uses per shoot. */
export const ETCD_MAIN = "etcd-main";
export const ETCD_EVENTS = "etcd-events";
/** Capacities where nothing is configured (gardenlet's defaults). */
export const DEFAULT_ETCD_MAIN_CAPACITY = "25Gi";
export const DEFAULT_ETCD_EVENTS_CAPACITY = "10Gi";

/** An Etcd as far as we touch it. */
export interface Etcd extends KubeObject {
  spec?: { storageClass?: string; storageCapacity?: string | number; [field: string]: unknown };
}

/** The configured storage of etcd-main (`ResolvedControllerConfiguration.etcd.storage`). */
export interface EtcdStorageConfig {
  className?: string;
  capacity?: string;
}

/** `ours`, unless `received` is a larger quantity. */
function atLeastReceived(ours: string, received: string | number | undefined): string | number {
  if (received === undefined || (typeof received === "string" && !isQuantity(received))) return ours;
  return parseQuantity(received) > parseQuantity(ours) ? received : ours;
}

/** The Etcd with our storage class and capacity; other Etcds are returned unchanged (as a copy). Pure. */
export function ensureEtcdStorage(etcd: Etcd, config: EtcdStorageConfig): Etcd {
  const out = structuredClone(etcd);
  const name = etcd.metadata.name;
  if (name !== ETCD_MAIN && name !== ETCD_EVENTS) return out;
  out.spec ??= {};
  const capacity = name === ETCD_MAIN ? config.capacity ?? DEFAULT_ETCD_MAIN_CAPACITY : DEFAULT_ETCD_EVENTS_CAPACITY;
  out.spec.storageCapacity = atLeastReceived(capacity, out.spec.storageCapacity);
  if (name === ETCD_MAIN && config.className !== undefined) out.spec.storageClass = config.className;
  return out;
}
