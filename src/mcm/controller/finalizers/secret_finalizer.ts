/**
 * Secret finalizer (MCM secret.go): a Secret of the controller namespace referenced by any MachineClass (as
 * `secretRef` or `credentialsSecretRef`) carries `machine.sapcloud.io/machine-controller`; an unreferenced one
 * loses it. Pure.
 */
import { type MachineClass, MC_SECRET_FINALIZER } from "../../../apis/machine/v1alpha1.ts";
import type { KubeObject } from "../../../k8s/api/objects.ts";

/** Names of the secrets a class refers to (in the given namespace; refs without namespace mean the class's). */
export function secretsOfClass(cls: MachineClass, namespace: string): string[] {
  const out: string[] = [];
  for (const ref of [cls.secretRef, cls.credentialsSecretRef]) {
    if (!ref?.name) continue;
    if ((ref.namespace ?? cls.metadata.namespace ?? namespace) !== namespace) continue;
    out.push(ref.name);
  }
  return out;
}

/** "add", "remove" or "none" for one secret. */
export function secretFinalizerAction(
  secret: KubeObject,
  classes: MachineClass[],
  namespace: string,
): "add" | "remove" | "none" {
  const referenced = classes.some((c) => secretsOfClass(c, namespace).includes(secret.metadata.name!));
  const has = secret.metadata.finalizers?.includes(MC_SECRET_FINALIZER) ?? false;
  if (referenced && !has && !secret.metadata.deletionTimestamp) return "add";
  if (!referenced && has) return "remove";
  return "none";
}
