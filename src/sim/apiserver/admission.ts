/**
 * CONTRACT STUB (implemented by the fake-apiserver-semantics work): calls the registered Mutating- and
 * ValidatingWebhookConfigurations over HTTPS with AdmissionReview v1 — rules, namespaceSelector, objectSelector,
 * matchPolicy, failurePolicy, timeoutSeconds, caBundle — applies JSONPatch responses in order and reports denials.
 */
import type { KubeObject } from "../../k8s/objects.ts";
import type { ResourceType } from "../../k8s/resources.ts";
import type { Logger } from "../../observability/log.ts";

export interface AdmissionRequestAttributes {
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  resource: ResourceType;
  subResource?: string;
  namespace?: string;
  name?: string;
  /** New object (CREATE/UPDATE), absent for DELETE. */
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  userInfo: { username: string; groups?: string[] };
}

export interface AdmissionSources {
  /** Current webhook configurations (read from the server's own store). */
  mutating(): KubeObject[];
  validating(): KubeObject[];
  /** Labels of a namespace, for namespaceSelector (undefined if the namespace does not exist). */
  namespaceLabels(name: string): Record<string, string> | undefined;
}

/** Outcome: the (possibly mutated) object, or a denial the server turns into a Status error. */
export type AdmissionOutcome =
  | { allowed: true; object?: KubeObject; warnings: string[] }
  | { allowed: false; code: number; reason: string; message: string };

export class AdmissionChain {
  constructor(readonly sources: AdmissionSources, readonly log?: Logger) {}

  /** Runs mutating webhooks, then validating ones, for one request. */
  admit(_attrs: AdmissionRequestAttributes): Promise<AdmissionOutcome> {
    throw new Error("not implemented yet: src/sim/apiserver/admission.ts");
  }
}
