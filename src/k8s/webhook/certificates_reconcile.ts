/**
 * The webhook certificates at work: with a namespace they live in Secrets labelled as Gardener's secrets manager
 * labels them (`managed-by=secrets-manager`, `manager-identity=gardener-extension-<name>-webhook`, `name=...`); the
 * leader issues and rotates them (`reconcile`, following `planCertificates`), publishes each new CA bundle through the
 * registered publishers (seed configuration, shoot configurations) before it counts as published, and every replica
 * reads the current serving certificate (`servingPair`). Without a namespace a one-off CA (10 years) and serving
 * certificate are generated in memory.
 */
import type { KubeClient } from "../client/client.ts";
import { CoreV1 } from "../api/resources.ts";
import type { Secret } from "../api/builtin_types.ts";
import { isAlreadyExists, isNotFound } from "../api/errors.ts";
import { decodeBase64Text, encodeBase64 } from "../../runtime/base64.ts";
import {
  type CertificateAuthority,
  certificateValidity,
  generateCertificateAuthority,
  generateServerCertificate,
} from "../../runtime/certificates.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { registerSecret } from "../../observability/redact.ts";
import {
  type CaRecord,
  type CertificatePolicy,
  DEFAULT_CERTIFICATE_POLICY,
  planCertificates,
  type ServerRecord,
} from "./certificates.ts";
import type { ServingPair } from "./server.ts";

/** Labels of Gardener's secrets manager. */
export const LABEL_MANAGED_BY = "managed-by";
export const LABEL_MANAGER_IDENTITY = "manager-identity";
export const LABEL_NAME = "name";
const LABEL_ISSUED_AT = "issued-at-time";
const LABEL_VALID_UNTIL = "valid-until-time";
const LABEL_SIGNING_CA = "signing-ca";
const DAY_MS = 24 * 60 * 60 * 1000;

/** Called with the new CA bundle (PEM); the bundle counts as published once every publisher resolved. */
export type BundlePublisher = (bundlePem: string, signal: AbortSignal) => Promise<void>;

/** How to manage the certificates. */
export interface WebhookCertificatesOptions {
  /** The extension's name, e.g. `provider-equinix-metal`. */
  extensionName: string;
  /** Seed client and namespace of the Secrets; without both, a one-off pair in memory. */
  client?: KubeClient;
  namespace?: string;
  /** Names in the serving certificate. */
  dnsNames: string[];
  ipAddresses?: string[];
  policy?: CertificatePolicy;
  clock?: Clock;
  log?: Logger;
}

interface Observed {
  cas: (CaRecord & { keyPem: string })[];
  servers: (ServerRecord & { pair: ServingPair })[];
  bundlePem?: string;
  bundleSecret?: Secret;
}

function unixSeconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}

function suffix(now: number): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(2)), (b) => b.toString(16).padStart(2, "0"));
  return `${Math.floor(now / 1000).toString(36)}${random.join("")}`;
}

function dataOf(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  return v === undefined ? undefined : decodeBase64Text(v);
}

/** The webhook server's CA bundle and serving certificate, stored or in memory. */
export class WebhookCertificates {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly policy: CertificatePolicy;
  private readonly publishers: BundlePublisher[] = [];
  private published?: string;
  private oneOff?: { ca: CertificateAuthority; pair: ServingPair };
  readonly identity: string;
  readonly caName: string;
  readonly serverName: string;
  readonly bundleName: string;

  constructor(readonly options: WebhookCertificatesOptions) {
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? getLogger("webhook.certificates");
    this.policy = options.policy ?? DEFAULT_CERTIFICATE_POLICY;
    const name = options.extensionName;
    this.identity = `gardener-extension-${name}-webhook`;
    this.caName = `ca-${name}-webhook`;
    this.serverName = `${name}-webhook-server`;
    this.bundleName = `ca-${name}-webhook-bundle`;
  }

  /** True when the certificates live in Secrets (a namespace and a client were given). */
  get stored(): boolean {
    return !!(this.options.client && this.options.namespace);
  }

  /** Adds a publisher of new bundles (the seed registration; the ControlPlane controller for shoot configurations). */
  onBundle(publisher: BundlePublisher): void {
    this.publishers.push(publisher);
  }

  /** The CA bundle (PEM) last published, or undefined before the first publication. */
  bundle(): string | undefined {
    return this.published;
  }

  private labels(name: string, issuedAt: number, validUntil: number): Record<string, string> {
    return {
      [LABEL_MANAGED_BY]: "secrets-manager",
      [LABEL_MANAGER_IDENTITY]: this.identity,
      [LABEL_NAME]: name,
      [LABEL_ISSUED_AT]: unixSeconds(issuedAt),
      [LABEL_VALID_UNTIL]: unixSeconds(validUntil),
    };
  }

  private async observe(signal?: AbortSignal): Promise<Observed> {
    const { client, namespace } = this.options;
    const list = await client!.listAll<Secret>(CoreV1.secrets, {
      namespace,
      labelSelector: `${LABEL_MANAGED_BY}=secrets-manager,${LABEL_MANAGER_IDENTITY}=${this.identity}`,
      signal,
    });
    const out: Observed = { cas: [], servers: [] };
    for (const s of list.items) {
      const name = s.metadata.labels?.[LABEL_NAME];
      const secretName = s.metadata.name!;
      if (name === this.bundleName) {
        out.bundlePem = dataOf(s, "bundle.crt");
        out.bundleSecret = s;
        continue;
      }
      const certPem = dataOf(s, name === this.caName ? "ca.crt" : "tls.crt");
      const keyPem = dataOf(s, name === this.caName ? "ca.key" : "tls.key");
      if (!certPem || !keyPem) continue;
      registerSecret(keyPem);
      let validity;
      try {
        validity = certificateValidity(certPem);
      } catch {
        this.log.warn("Ignoring a webhook certificate Secret that does not parse", { secret: secretName });
        continue;
      }
      const issuedAt = Number(s.metadata.labels?.[LABEL_ISSUED_AT] ?? 0) * 1000 || validity.notBefore;
      if (name === this.caName) {
        out.cas.push({ secretName, issuedAt, validUntil: validity.notAfter, certPem, keyPem });
      } else if (name === this.serverName) {
        out.servers.push({
          secretName,
          issuedAt,
          validUntil: validity.notAfter,
          signingCa: s.metadata.labels?.[LABEL_SIGNING_CA] ?? "",
          pair: { certPem, keyPem },
        });
      }
    }
    return out;
  }

  private publishedNames(observed: Observed): string[] {
    const bundle = observed.bundlePem ?? "";
    return observed.cas.filter((c) => bundle.includes(c.certPem.trim())).map((c) => c.secretName);
  }

  private async create(secret: Secret, signal?: AbortSignal): Promise<void> {
    await this.options.client!.create(CoreV1.secrets, secret, { namespace: this.options.namespace, signal });
  }

  private async publish(bundlePem: string, signal: AbortSignal): Promise<void> {
    for (const p of this.publishers) await p(bundlePem, signal);
    this.published = bundlePem;
  }

  private async oneOffPair(): Promise<{ ca: CertificateAuthority; pair: ServingPair }> {
    if (!this.oneOff) {
      const now = this.clock.now();
      const ca = await generateCertificateAuthority({ commonName: this.caName, now, validMs: 3650 * DAY_MS });
      const pair = await generateServerCertificate({
        ca,
        commonName: this.serverName,
        dnsNames: this.options.dnsNames,
        ipAddresses: this.options.ipAddresses,
        now,
        validMs: 3650 * DAY_MS,
      });
      registerSecret(ca.keyPem);
      registerSecret(pair.keyPem);
      this.oneOff = { ca, pair };
    }
    return this.oneOff;
  }

  /** The serving certificate every replica should present now; undefined while the leader has not issued one. */
  async servingPair(signal?: AbortSignal): Promise<ServingPair | undefined> {
    if (!this.stored) return (await this.oneOffPair()).pair;
    const observed = await this.observe(signal);
    const known = new Set(observed.cas.map((c) => c.secretName));
    const newest = observed.servers.filter((s) => known.has(s.signingCa)).sort((a, b) => b.issuedAt - a.issuedAt)[0];
    return newest?.pair;
  }

  /**
   * One pass of the leader: issue a CA when due, publish the bundle it needs (through every publisher, then the
   * bundle Secret), switch the serving certificate to the newest published CA, delete what is no longer needed.
   * `force` publishes even an unchanged bundle (at start, so the seed configuration is brought up to date).
   */
  async reconcile(signal: AbortSignal, force = false): Promise<void> {
    if (!this.stored) {
      const { ca } = await this.oneOffPair();
      if (force || this.published !== ca.certPem) await this.publish(ca.certPem, signal);
      return;
    }
    for (let round = 0; round < 8; round++) {
      const observed = await this.observe(signal);
      const now = this.clock.now();
      const plan = planCertificates(
        { cas: observed.cas, servers: observed.servers, published: this.publishedNames(observed) },
        now,
        this.policy,
      );
      if (plan.createCa) {
        const ca = await generateCertificateAuthority({
          commonName: this.caName,
          now,
          validMs: this.policy.caValidityMs,
        });
        registerSecret(ca.keyPem);
        const validUntil = certificateValidity(ca.certPem).notAfter;
        await this.create({
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: `${this.caName}-${suffix(now)}`, labels: this.labels(this.caName, now, validUntil) },
          type: "Opaque",
          data: { "ca.crt": encodeBase64(ca.certPem), "ca.key": encodeBase64(ca.keyPem) },
        }, signal);
        this.log.info("Issued a new webhook CA", { validUntil: new Date(validUntil).toISOString() });
        continue;
      }
      const byName = new Map(observed.cas.map((c) => [c.secretName, c]));
      const bundlePem = plan.bundle.map((n) => byName.get(n)!.certPem.trim() + "\n").join("");
      if (bundlePem !== observed.bundlePem || force || this.published !== bundlePem) {
        await this.publish(bundlePem, signal);
        await this.writeBundle(observed.bundleSecret, bundlePem, now, signal);
        force = false;
        this.log.info("Published the webhook CA bundle", { cas: plan.bundle.length });
        continue;
      }
      if (plan.createServer && plan.signer) {
        const signer = byName.get(plan.signer)!;
        const pair = await generateServerCertificate({
          ca: { certPem: signer.certPem, keyPem: signer.keyPem },
          commonName: this.serverName,
          dnsNames: this.options.dnsNames,
          ipAddresses: this.options.ipAddresses,
          now,
          validMs: this.policy.serverValidityMs,
        });
        registerSecret(pair.keyPem);
        const validUntil = certificateValidity(pair.certPem).notAfter;
        await this.create({
          apiVersion: "v1",
          kind: "Secret",
          metadata: {
            name: `${this.serverName}-${suffix(now)}`,
            labels: { ...this.labels(this.serverName, now, validUntil), [LABEL_SIGNING_CA]: plan.signer },
          },
          type: "kubernetes.io/tls",
          data: { "tls.crt": encodeBase64(pair.certPem), "tls.key": encodeBase64(pair.keyPem) },
        }, signal);
        this.log.info("Issued a new webhook serving certificate", {
          signingCa: plan.signer,
          validUntil: new Date(validUntil).toISOString(),
        });
        continue;
      }
      for (const name of plan.obsolete) {
        await this.options.client!.delete(CoreV1.secrets, name, { namespace: this.options.namespace, signal })
          .catch((e) => {
            if (!isNotFound(e)) throw e;
          });
      }
      return;
    }
  }

  private async writeBundle(existing: Secret | undefined, bundlePem: string, now: number, signal: AbortSignal) {
    const data = { "bundle.crt": encodeBase64(bundlePem) };
    const labels = this.labels(this.bundleName, now, now);
    delete labels[LABEL_VALID_UNTIL];
    if (existing) {
      await this.options.client!.update(CoreV1.secrets, {
        ...existing,
        metadata: { ...existing.metadata, labels },
        data,
      }, {
        namespace: this.options.namespace,
        signal,
      });
      return;
    }
    await this.create({ apiVersion: "v1", kind: "Secret", metadata: { name: this.bundleName, labels }, data }, signal)
      .catch((e) => {
        if (!isAlreadyExists(e)) throw e;
      });
  }
}
