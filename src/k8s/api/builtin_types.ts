/**
 * The built-in Kubernetes object types we read and write, in one place: kubernetes-types' declarations with the
 * metadata every stored object carries. Types only.
 */
import type * as apps from "kubernetes-types/apps/v1.d.ts";
import type * as coordination from "kubernetes-types/coordination/v1.d.ts";
import type * as core from "kubernetes-types/core/v1.d.ts";
import type * as policy from "kubernetes-types/policy/v1.d.ts";
import type * as storage from "kubernetes-types/storage/v1.d.ts";
import type { KubeObject } from "./objects.ts";

/** A kubernetes-types object as the API server stores it (metadata present). */
export type Stored<T> = Omit<T, "metadata"> & KubeObject;

/** A core/v1 Node. */
export type Node = Stored<core.Node>;
/** A core/v1 Secret. */
export type Secret = Stored<core.Secret>;
/** A core/v1 ConfigMap. */
export type ConfigMap = Stored<core.ConfigMap>;
/** A core/v1 Event. */
export type Event = Stored<core.Event>;
/** A core/v1 Pod; readers such as the drain never need the containers, so the spec's fields are optional. */
export type Pod = Stored<Omit<core.Pod, "spec">> & { spec?: Partial<core.PodSpec> };
/** A policy/v1 PodDisruptionBudget; its status counters are whichever the server has filled in. */
export type PodDisruptionBudget = Stored<Omit<policy.PodDisruptionBudget, "status">> & {
  status?: Partial<policy.PodDisruptionBudgetStatus>;
};
/** A core/v1 PersistentVolumeClaim. */
export type PersistentVolumeClaim = Stored<core.PersistentVolumeClaim>;
/** A core/v1 PersistentVolume. */
export type PersistentVolume = Stored<core.PersistentVolume>;
/** A storage.k8s.io/v1 VolumeAttachment. */
export type VolumeAttachment = Stored<storage.VolumeAttachment>;
/** An apps/v1 Deployment. */
export type Deployment = Stored<apps.Deployment>;
/** A coordination.k8s.io/v1 Lease. */
export type Lease = Stored<coordination.Lease>;
/** The spec of a Lease. */
export type LeaseSpec = coordination.LeaseSpec;
