/** The shape every extension kind shares (Infrastructure, Worker, ControlPlane): the envelope the reconciler uses. */
import type { KubeObject } from "../../k8s/api/objects.ts";
import type { DefaultStatus } from "../../apis/extensions/v1alpha1.ts";

/** An extension object: `spec.type`/`spec.class` and the common status fields. */
export interface ExtensionObject extends KubeObject {
  spec: { type: string; class?: string };
  status?: DefaultStatus;
}

/** `namespace/name` of an object, for logs and error messages. */
export function describeExtensionObject(kind: string, obj: KubeObject): string {
  const m = obj.metadata;
  return `${kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name ?? ""}`;
}
