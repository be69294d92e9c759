/**
 * The provider-neutral side of MachineClasses: the class Secret MCM reads a machine's user data from (same name as
 * the class, label `gardener.cloud/purpose=machineclass`, `data.userData`), and the fields of a MachineClass and of its
 * Secret this controller owns (`ownedView`s, compared before every write). Pure.
 */
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import { LABEL_PURPOSE, PURPOSE_MACHINE_CLASS } from "../../apis/extensions/constants.ts";
import type { MachineClass } from "../../apis/machine/v1alpha1.ts";

/** The class Secret: `data.userData` is the pool's user data, copied as stored (base64). */
export function buildClassSecret(name: string, namespace: string, userDataBase64: string): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace, labels: { [LABEL_PURPOSE]: PURPOSE_MACHINE_CLASS } },
    type: "Opaque",
    data: { userData: userDataBase64 },
  };
}

/** The MachineClass fields this controller owns (everything but metadata MCM manages, e.g. its finalizer). */
export function machineClassOwnedView(cls: MachineClass): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const key of ["provider", "providerSpec", "secretRef", "credentialsSecretRef", "nodeTemplate"] as const) {
    if (cls[key] !== undefined) view[key] = cls[key];
  }
  return view;
}

/** The class Secret fields this controller owns: the purpose label and `data.userData`. */
export function classSecretOwnedView(secret: Secret): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  const purpose = secret.metadata?.labels?.[LABEL_PURPOSE];
  view.metadata = { labels: purpose === undefined ? {} : { [LABEL_PURPOSE]: purpose } };
  const userData = secret.data?.userData;
  view.data = userData === undefined ? {} : { userData };
  return view;
}
