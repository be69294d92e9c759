/**
 * What a webhook is, in the shape of Gardener's extensions webhook library: a name, the path it is served on, whether
 * it is registered in the seed or (through the ControlPlane's ManagedResource) in each shoot, the rules and selectors of
 * its configuration entry, and the mutation it performs. Pure types: the server, the certificates and the registration
 * build on them; the Equinix Metal mutations implement `Mutate`.
 */
import type { KubeObject } from "../../k8s/api/objects.ts";
import type { LabelSelector } from "../../k8s/api/label_selector.ts";

/** Where a webhook's configuration lives: the seed's API server, or each shoot's. */
export type WebhookTarget = "seed" | "shoot";

/** An admission operation a rule can match. */
export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/** One rule of a webhook configuration entry (admissionregistration.k8s.io/v1 RuleWithOperations). */
export interface WebhookRule {
  operations: AdmissionOperation[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
}

/** What a mutation learns about the request besides the object. */
export interface MutationRequest {
  operation: AdmissionOperation;
  /** Namespace of the object (the shoot namespace in the seed, `kube-system` in a shoot). */
  namespace: string;
  name: string;
  kind: { group: string; version: string; kind: string };
  /** The stored object on UPDATE. */
  oldObject?: KubeObject;
  signal: AbortSignal;
}

/**
 * Returns the object as it should be. Must not modify `object` (the server diffs the result against the object as
 * received) and must be idempotent: gardenlet re-applies its objects on every reconcile.
 */
export type Mutate = (object: KubeObject, request: MutationRequest) => Promise<KubeObject>;

/** One webhook: one configuration entry and the handler behind its path. */
export interface Webhook {
  /** `controlplane`, `seedprovider`, `shoot`: the entry is named `<name>.<provider>.extensions.gardener.cloud`. */
  name: string;
  /** The HTTPS path, e.g. `/controlplane`. */
  path: string;
  target: WebhookTarget;
  rules: WebhookRule[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  failurePolicy: "Fail" | "Ignore";
  mutate: Mutate;
}
