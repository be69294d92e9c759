/**
 * Connects the server's writes to the admission webhooks of `admission.ts`: reads the stored webhook
 * configurations, skips admission entirely while there are none, and turns denials into Status errors.
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";
import { AdmissionregistrationV1 } from "../../../k8s/api/resources.ts";
import { statusBody, type StatusDetails } from "../../../k8s/api/errors.ts";
import type { Logger } from "../../../observability/log.ts";
import type { Clock } from "../../../runtime/clock.ts";
import { AdmissionChain, type AdmissionRequestAttributes } from "./webhooks.ts";
import type { ObjectStore } from "../storage/object_store.ts";
import { storageKey } from "../registry/served_resource.ts";
import { StatusError } from "../status_errors.ts";

const MUTATING = storageKey(AdmissionregistrationV1.mutatingWebhookConfigurations);
const VALIDATING = storageKey(AdmissionregistrationV1.validatingWebhookConfigurations);

/** Runs the admission chain for one request when webhook configurations exist. */
export class AdmissionRunner {
  private readonly chain: AdmissionChain;

  constructor(private readonly store: ObjectStore, log?: Logger, clock?: Clock) {
    this.chain = new AdmissionChain(
      {
        mutating: () => this.store.list(MUTATING).map((e) => structuredClone(e.stored.object)),
        validating: () => this.store.list(VALIDATING).map((e) => structuredClone(e.stored.object)),
        namespaceLabels: (name) => {
          const ns = this.store.get("namespaces", "", name);
          return ns ? { ...(ns.object.metadata.labels ?? {}) } : undefined;
        },
        resolveService: (namespace, name, port) => this.resolveService(namespace, name, port),
      },
      log,
      { clock },
    );
  }

  /**
   * A webhook's service reference, resolved like a cluster would route it: the Service port's targetPort on the
   * first address of the Service's Endpoints (tests and the playground register where their webhook listens).
   */
  private resolveService(namespace: string, name: string, port: number): string | undefined {
    type ServicePort = { name?: string; port?: number; targetPort?: number | string };
    type Subset = { addresses?: Array<{ ip?: string }>; ports?: Array<{ name?: string; port?: number }> };
    const svc = this.store.get("services", namespace, name)?.object as { spec?: { ports?: ServicePort[] } } | undefined;
    const ep = this.store.get("endpoints", namespace, name)?.object as { subsets?: Subset[] } | undefined;
    const svcPort = svc?.spec?.ports?.find((p) => p.port === port);
    if (!svcPort || !ep) return undefined;
    for (const subset of ep.subsets ?? []) {
      const ip = subset.addresses?.[0]?.ip;
      const target = subset.ports?.find((p) =>
        svcPort.name
          ? p.name === svcPort.name
          : typeof svcPort.targetPort === "number"
          ? p.port === svcPort.targetPort
          : true
      );
      if (ip && target?.port) return `https://${ip.includes(":") ? `[${ip}]` : ip}:${target.port}`;
    }
    return undefined;
  }

  /** False while no webhook configuration is stored (the fast path: no admission at all). */
  active(): boolean {
    return this.store.size(MUTATING) + this.store.size(VALIDATING) > 0;
  }

  /** Admits a request; returns the (possibly mutated) object and warnings, or throws the denial as a StatusError. */
  async admit(
    attrs: AdmissionRequestAttributes,
  ): Promise<{ object?: KubeObject; mutated: boolean; warnings: string[] }> {
    const outcome = await this.chain.admit(attrs);
    if (!outcome.allowed) {
      throw new StatusError(
        statusBody(outcome.code, outcome.reason, outcome.message, outcome.details as StatusDetails | undefined),
      );
    }
    return { object: outcome.object ?? attrs.object, mutated: outcome.mutated ?? false, warnings: outcome.warnings };
  }
}
