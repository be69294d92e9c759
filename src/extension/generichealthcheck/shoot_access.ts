/**
 * Cached reads of shoot clusters for the health checks. gardenlet keeps a kubeconfig for the shoot's API server in
 * the shoot namespace of the seed: Secret `gardener-internal` (the cluster-internal address; what Gardener's library
 * uses by default) and `gardener` (the external address; `GARDENER_SHOOT_CLIENT=external`). Per shoot namespace this
 * keeps one client and a Node informer built from that secret, rebuilt when the secret changes and released when the
 * shoot no longer needs checking, so a health pass reads nodes from a cache instead of listing them.
 */
import type { Node, Secret } from "../../k8s/api/builtin_types.ts";
import { KubeClient } from "../../k8s/client/client.ts";
import { connectionFromKubeconfigText } from "../../k8s/client/kubeconfig.ts";
import { Informer, type InformerFactory } from "../../k8s/cache/informer.ts";
import { CoreV1 } from "../../k8s/api/resources.ts";
import { decodeBase64Text } from "../../runtime/base64.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { Logger } from "../../observability/log.ts";
import { registerSecret } from "../../observability/redact.ts";

/** The shoot access secrets gardenlet maintains, in the order they are preferred. */
export const SHOOT_ACCESS_SECRETS = {
  internal: "gardener-internal",
  external: "gardener",
} as const;

/** Options of the shoot cluster cache. */
export interface ShootClustersOptions {
  /** The seed's shared informers (the access secrets are watched through them). */
  informers: InformerFactory;
  /** `healthCheckConfig.shootRESTOptions`. */
  qps?: number;
  burst?: number;
  /** Prefer the `gardener` secret (`GARDENER_SHOOT_CLIENT=external`). */
  external?: boolean;
  /** How long a first list of a shoot's nodes may take before the check reports it could not run. */
  syncTimeoutMs: number;
  clock: Clock;
  log: Logger;
}

interface ShootCluster {
  secretKey: string;
  client: KubeClient;
  nodes: Informer<Node>;
  stop: AbortController;
}

/** Per shoot namespace: a client and a Node informer of the shoot cluster. */
export class ShootClusters {
  private secretInformers?: Informer<Secret>[];
  private readonly clusters = new Map<string, ShootCluster>();
  private signal?: AbortSignal;

  constructor(private readonly opts: ShootClustersOptions) {}

  /** The access secrets' informers, created at the first read. */
  private get secrets(): Informer<Secret>[] {
    const names = this.opts.external
      ? [SHOOT_ACCESS_SECRETS.external, SHOOT_ACCESS_SECRETS.internal]
      : [SHOOT_ACCESS_SECRETS.internal, SHOOT_ACCESS_SECRETS.external];
    this.secretInformers ??= names.map((name) =>
      this.opts.informers.informer<Secret>(CoreV1.secrets, { fieldSelector: `metadata.name=${name}` })
    );
    return this.secretInformers;
  }

  /** Stops every shoot informer when `signal` aborts. */
  bind(signal: AbortSignal): void {
    this.signal = signal;
    signal.addEventListener("abort", () => {
      for (const ns of [...this.clusters.keys()]) this.release(ns);
    }, { once: true });
  }

  /** Number of shoot clusters with a running cache. */
  size(): number {
    return this.clusters.size;
  }

  /** The access secret of a shoot namespace from the seed cache, in the preferred order. */
  private accessSecret(namespace: string): Secret | undefined {
    for (const informer of this.secrets) {
      const s = informer.list(namespace)[0];
      if (s?.data?.kubeconfig) return s;
    }
    return undefined;
  }

  /** The shoot's nodes from its cache; throws when the shoot cannot be read. */
  async nodes(namespace: string, signal?: AbortSignal): Promise<Node[]> {
    await Promise.all(this.secrets.map((s) => s.waitForSync(signal)));
    const secret = this.accessSecret(namespace);
    if (!secret) {
      this.release(namespace);
      throw new Error(
        `failed to create shoot client: no secret "${SHOOT_ACCESS_SECRETS.internal}" or ` +
          `"${SHOOT_ACCESS_SECRETS.external}" with a kubeconfig in namespace "${namespace}"`,
      );
    }
    const key = `${secret.metadata.name}@${secret.metadata.resourceVersion ?? ""}`;
    let cluster = this.clusters.get(namespace);
    if (cluster && cluster.secretKey !== key) {
      this.release(namespace);
      cluster = undefined;
    }
    cluster ??= await this.open(namespace, secret, key);
    if (!cluster.nodes.hasSynced()) {
      const timeout = new AbortController();
      const timer = this.opts.clock.setTimeout(() => timeout.abort(), this.opts.syncTimeoutMs);
      try {
        await Promise.race([
          cluster.nodes.waitForSync(signal),
          new Promise((resolve) => timeout.signal.addEventListener("abort", resolve, { once: true })),
        ]);
      } finally {
        this.opts.clock.clearTimeout(timer);
      }
      if (!cluster.nodes.hasSynced()) {
        throw new Error("unable to check nodes. Failed to list shoot nodes: the shoot's API server did not answer");
      }
    }
    return cluster.nodes.list();
  }

  private async open(namespace: string, secret: Secret, key: string): Promise<ShootCluster> {
    const text = decodeBase64Text(secret.data!.kubeconfig);
    let connection;
    try {
      connection = await connectionFromKubeconfigText(text, {
        name: `secret ${namespace}/${secret.metadata.name}`,
        clock: this.opts.clock,
        log: this.opts.log,
        env: {},
      });
    } catch (e) {
      throw new Error(`failed to create shoot client: ${e instanceof Error ? e.message : String(e)}`);
    }
    registerSecret(await connection.token?.());
    const client = new KubeClient(connection, {
      qps: this.opts.qps,
      burst: this.opts.burst,
      clock: this.opts.clock,
      log: this.opts.log,
      userAgent: "provider-equinix-metal healthcheck",
    });
    const stop = new AbortController();
    const nodes = new Informer<Node>(client, CoreV1.nodes, {
      clock: this.opts.clock,
      log: this.opts.log.with({ shoot: namespace }),
    });
    nodes.start(stop.signal);
    const cluster = { secretKey: key, client, nodes, stop };
    this.clusters.set(namespace, cluster);
    if (this.signal?.aborted) this.release(namespace);
    return cluster;
  }

  /** Stops the cache of a shoot namespace (hibernated, deleted, migrated, or gone). */
  release(namespace: string): void {
    const cluster = this.clusters.get(namespace);
    if (!cluster) return;
    this.clusters.delete(namespace);
    cluster.stop.abort();
    cluster.nodes.stopped().finally(() => cluster.client.close());
  }

  /** Resolves once every shoot informer stopped. */
  async stopped(): Promise<void> {
    await Promise.all([...this.clusters.values()].map((c) => c.nodes.stopped()));
  }
}
