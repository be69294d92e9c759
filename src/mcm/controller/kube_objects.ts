/**
 * The Kubernetes objects the machine controller reads and writes, as kubernetes-types declares them, with the
 * metadata every stored object carries. Pure.
 */
import type * as core from "kubernetes-types/core/v1.d.ts";
import type * as policy from "kubernetes-types/policy/v1.d.ts";
import type * as storage from "kubernetes-types/storage/v1.d.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";

/** A kubernetes-types object as the API server stores it (metadata present). */
type Stored<T> = Omit<T, "metadata"> & KubeObject;

/** A core/v1 Node. */
export type Node = Stored<core.Node>;
/** A core/v1 Secret. */
export type Secret = Stored<core.Secret>;
/** A core/v1 Pod; the drain reads a few spec fields and never needs the containers, so the spec's fields are optional. */
export type Pod = Stored<Omit<core.Pod, "spec">> & { spec?: Partial<core.PodSpec> };
/** A policy/v1 PodDisruptionBudget; the drain reads whichever status counters the server has filled in. */
export type PodDisruptionBudget = Stored<Omit<policy.PodDisruptionBudget, "status">> & {
  status?: Partial<policy.PodDisruptionBudgetStatus>;
};
/** A storage.k8s.io/v1 VolumeAttachment. */
export type VolumeAttachment = Stored<storage.VolumeAttachment>;
/** A core/v1 PersistentVolumeClaim. */
export type PersistentVolumeClaim = Stored<core.PersistentVolumeClaim>;
/** A core/v1 PersistentVolume. */
export type PersistentVolume = Stored<core.PersistentVolume>;
