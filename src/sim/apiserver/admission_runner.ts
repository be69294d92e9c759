/**
 * Connects the server's writes to the admission webhooks of `admission.ts`: reads the stored webhook
 * configurations, skips admission entirely while there are none, and turns denials into Status errors.
 */
import type { KubeObject } from "../../k8s/objects.ts";
import { Admission as AdmissionResources } from "../../k8s/resources.ts";
import { statusBody } from "../../k8s/errors.ts";
import type { Logger } from "../../observability/log.ts";
import { AdmissionChain, type AdmissionRequestAttributes } from "./admission.ts";
import type { ObjectStore } from "./object_store.ts";
import { storageKey } from "./served_resource.ts";
import { StatusError } from "./status_errors.ts";

const MUTATING = storageKey(AdmissionResources.mutatingWebhookConfigurations);
const VALIDATING = storageKey(AdmissionResources.validatingWebhookConfigurations);

/** Runs the admission chain for one request when webhook configurations exist. */
export class AdmissionRunner {
  private readonly chain: AdmissionChain;

  constructor(private readonly store: ObjectStore, log?: Logger) {
    this.chain = new AdmissionChain({
      mutating: () => this.store.list(MUTATING).map((e) => structuredClone(e.stored.object)),
      validating: () => this.store.list(VALIDATING).map((e) => structuredClone(e.stored.object)),
      namespaceLabels: (name) => {
        const ns = this.store.get("namespaces", "", name);
        return ns ? { ...(ns.object.metadata.labels ?? {}) } : undefined;
      },
    }, log);
  }

  /** False while no webhook configuration is stored (the fast path: no admission at all). */
  active(): boolean {
    return this.store.size(MUTATING) + this.store.size(VALIDATING) > 0;
  }

  /** Admits a request; returns the (possibly mutated) object, or throws the denial as a StatusError. */
  async admit(attrs: AdmissionRequestAttributes): Promise<KubeObject | undefined> {
    const outcome = await this.chain.admit(attrs);
    if (!outcome.allowed) {
      throw new StatusError(statusBody(outcome.code, outcome.reason, outcome.message));
    }
    return outcome.object ?? attrs.object;
  }
}
