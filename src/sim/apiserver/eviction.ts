/**
 * CONTRACT STUB (implemented by the fake-apiserver-semantics work): the Eviction subresource's decision, honouring
 * PodDisruptionBudgets (minAvailable / maxUnavailable as int or percent, healthy = Ready pods matched by selector).
 */
import type { KubeObject } from "../../k8s/objects.ts";

export type EvictionDecision =
  | { allowed: true }
  /** Refused: the server answers 429 TooManyRequests with this message (as kube-apiserver does). */
  | { allowed: false; message: string };

/** Decides whether `pod` may be evicted given the PDBs and pods of its namespace. */
export function decideEviction(
  _pod: KubeObject,
  _pdbs: KubeObject[],
  _podsInNamespace: KubeObject[],
): EvictionDecision {
  throw new Error("not implemented yet: src/sim/apiserver/eviction.ts");
}
