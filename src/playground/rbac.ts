/**
 * The RBAC our components run under in the playground: the extension's ServiceAccount and roles in the seed (the
 * chart's `templates/rbac.yaml` itself, embedded in the binary as text and rendered here), and per shoot what gardenlet
 * grants the machine-controller-manager pod our sidecar runs in: its Role in the shoot namespace of the seed and its
 * ClusterRole in the shoot. The objects are applied with the admin's client; each component then gets a token of its
 * ServiceAccount, so that a missing permission breaks the demo. The cloud-controller-manager's shoot RBAC is not
 * applied here: our ControlPlane's ManagedResource carries it, and the report takes it as the resource manager applied
 * it (`recordApplied`).
 */
import { parseAllDocuments } from "yaml";
import { AlreadyExistsError, isConflict } from "../k8s/api/errors.ts";
import type { KubeObject } from "../k8s/api/objects.ts";
import { CoreV1, RbacV1, type ResourceType } from "../k8s/api/resources.ts";
import { KubeClient } from "../k8s/client/client.ts";
import { type ApiServer, type AuditEntry, policyOf, type UnusedRule, unusedRules } from "../sim/apiserver/mod.ts";
import CHART_RBAC_TEMPLATE from "../../charts/gardener-extension-provider-equinix-metal/templates/rbac.yaml" with {
  type: "text",
};

/** The cloud-controller-manager's ServiceAccount in the shoot's kube-system (created by the token requestor). */
export const CCM_SERVICE_ACCOUNT = "cloud-controller-manager";

/** The extension's ServiceAccount (in its namespace). */
export const EXTENSION_SERVICE_ACCOUNT = "gardener-extension-provider-equinix-metal";
/** The ServiceAccount of gardenlet's machine-controller-manager, in the seed's shoot namespace and in the shoot. */
export const MCM_SERVICE_ACCOUNT = "machine-controller-manager";

const RBAC = "rbac.authorization.k8s.io/v1";
const RBAC_GROUP = "rbac.authorization.k8s.io";

/** The release name of the extension's chart in the playground. */
export const EXTENSION_RELEASE = "gardener-extension-provider-equinix-metal";

/**
 * Renders a chart template whose only actions are a leading comment, `.Release.Name` and `.Release.Namespace` (the
 * chart's RBAC is held to that, so that it renders here without helm); throws on any other action.
 */
export function renderReleaseTemplate(template: string, release: { name: string; namespace: string }): string {
  const body = template.replace(/^\{\{-? *\/\*[\s\S]*?\*\/ *-?\}\}\n?/, "")
    .replaceAll("{{ .Release.Namespace }}", release.namespace).replaceAll("{{ .Release.Name }}", release.name);
  const action = body.match(/\{\{[^}]*\}\}/);
  if (action) throw new Error(`chart template: ${action[0]} cannot be rendered without helm`);
  return body;
}

/** The extension's ServiceAccount (the chart's `serviceaccount.yaml`, labels aside) and seed RBAC, in `namespace`. */
export function extensionSeedRbac(namespace: string): KubeObject[] {
  const text = renderReleaseTemplate(CHART_RBAC_TEMPLATE, { name: EXTENSION_RELEASE, namespace });
  const rbac = parseAllDocuments(text).map((d) => d.toJS() as KubeObject).filter((o) => !!o);
  const account = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: EXTENSION_SERVICE_ACCOUNT, namespace },
  } as KubeObject;
  return [account, ...rbac];
}

/** What gardenlet grants machine-controller-manager in the shoot namespace of the seed (our sidecar shares it). */
export function machineControllerSeedRbac(namespace: string): KubeObject[] {
  return [
    // Gardenlet creates it first; a machine controller may start earlier in the playground.
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: MCM_SERVICE_ACCOUNT, namespace } },
    {
      apiVersion: RBAC,
      kind: "Role",
      metadata: { name: MCM_SERVICE_ACCOUNT, namespace },
      rules: [
        { apiGroups: ["machine.sapcloud.io"], resources: ["*"], verbs: ["*"] },
        {
          apiGroups: [""],
          resources: ["configmaps", "secrets", "endpoints", "events", "pods"],
          verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
        },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
        {
          apiGroups: ["coordination.k8s.io"],
          resources: ["leases"],
          resourceNames: ["machine-controller-manager", "machine-controller"],
          verbs: ["get", "watch", "update"],
        },
      ],
    },
    binding("RoleBinding", MCM_SERVICE_ACCOUNT, "Role", { namespace, subjectNamespace: namespace }),
  ] as KubeObject[];
}

/** The ClusterRole machine-controller-manager holds in the shoot (its target cluster), with its ServiceAccount. */
export function machineControllerShootRbac(): KubeObject[] {
  const name = "system:machine-controller-manager-shoot";
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: MCM_SERVICE_ACCOUNT, namespace: "kube-system" } },
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name },
      rules: [
        { apiGroups: [""], resources: ["nodes", "pods"], verbs: ["*"] },
        { apiGroups: [""], resources: ["nodes/status"], verbs: ["get", "update", "patch"] },
        { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
        {
          apiGroups: [""],
          resources: ["secrets", "configmaps"],
          verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
        },
        {
          apiGroups: [""],
          resources: ["persistentvolumes", "persistentvolumeclaims"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["apps"],
          resources: ["replicasets", "statefulsets", "daemonsets", "deployments"],
          verbs: ["get", "list", "watch"],
        },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"], verbs: ["get", "list", "watch", "delete"] },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch", "update"] },
      ],
    },
    binding("ClusterRoleBinding", name, "ClusterRole", { roleName: name, subjectNamespace: "kube-system" }),
  ] as KubeObject[];
}

function binding(
  kind: "RoleBinding" | "ClusterRoleBinding",
  name: string,
  roleKind: "Role" | "ClusterRole",
  o: { namespace?: string; roleName?: string; subjectNamespace: string },
): KubeObject {
  return {
    apiVersion: RBAC,
    kind,
    metadata: { name, ...(o.namespace ? { namespace: o.namespace } : {}) },
    roleRef: { apiGroup: RBAC_GROUP, kind: roleKind, name: o.roleName ?? name },
    subjects: [{ kind: "ServiceAccount", name: MCM_SERVICE_ACCOUNT, namespace: o.subjectNamespace }],
  } as KubeObject;
}

type Binding = KubeObject & {
  roleRef: { kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
};

/** The bindings among `objects` with the ServiceAccount `namespace/name` as a subject, and the roles they bind. */
export function rbacOfServiceAccount(objects: readonly KubeObject[], namespace: string, name: string): KubeObject[] {
  const bindings = objects.filter((o): o is Binding =>
    (o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding") &&
    ((o as Binding).subjects ?? []).some((s) =>
      s.kind === "ServiceAccount" && s.name === name && s.namespace === namespace
    )
  );
  const roles = objects.filter((o) =>
    bindings.some((b) =>
      b.roleRef.kind === o.kind && b.roleRef.name === o.metadata.name &&
      (o.kind === "ClusterRole" || o.metadata.namespace === b.metadata.namespace)
    )
  );
  return [...roles, ...bindings];
}

const RESOURCES: Record<string, ResourceType> = {
  Namespace: CoreV1.namespaces,
  ServiceAccount: CoreV1.serviceAccounts,
  Role: RbacV1.roles,
  ClusterRole: RbacV1.clusterRoles,
  RoleBinding: RbacV1.roleBindings,
  ClusterRoleBinding: RbacV1.clusterRoleBindings,
};

/** Attempts of an RBAC object's replacement before a conflict is given up on. */
const UPDATE_ATTEMPTS = 5;

/** Creates the objects, or replaces those that exist (Namespaces and ServiceAccounts that exist are kept). */
export async function applyRbac(client: KubeClient, objects: readonly KubeObject[]): Promise<void> {
  for (const o of objects) {
    const res = RESOURCES[o.kind ?? ""];
    if (!res) throw new Error(`applyRbac: ${o.kind} ${o.metadata?.name}: not a ServiceAccount or an RBAC kind`);
    const namespace = res.namespaced ? o.metadata?.namespace : undefined;
    try {
      await client.create(res, o, { namespace });
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      if (o.kind === "ServiceAccount" || o.kind === "Namespace") continue;
      // Replaced on the version just read; a conflict (a concurrent writer, or an API server's injected 409) is
      // retried on a fresh read, as a controller would.
      for (let attempt = 1;; attempt++) {
        const current = await client.get<KubeObject>(res, o.metadata!.name!, { namespace });
        try {
          await client.update(res, {
            ...o,
            metadata: { ...o.metadata, resourceVersion: current.metadata?.resourceVersion },
          }, {
            namespace,
          });
          break;
        } catch (e) {
          if (!isConflict(e) || attempt >= UPDATE_ATTEMPTS) throw e;
        }
      }
    }
  }
}

/** One cluster's part of the authorization report. */
export interface ClusterAuthorization {
  /** `seed` or `shoot <technical id>`. */
  cluster: string;
  /** Rules (or parts of rules) of the RBAC we applied that no request of our components used. */
  unused: UnusedRule[];
  /** Requests of our components the cluster denied. */
  denied: AuditEntry[];
}

/** The RBAC applied to each cluster of a landscape, the tokens issued, and what the clusters' audits say. */
export class PlaygroundRbac {
  private readonly applied = new Map<ApiServer, { cluster: string; objects: KubeObject[] }>();

  /** `extensionRbac`: the extension's seed RBAC for its namespace (default: `extensionSeedRbac`). */
  constructor(private readonly extensionRbac: (namespace: string) => KubeObject[] = extensionSeedRbac) {}

  /** Applies objects to a cluster (its admin's client), remembering them for the report. */
  async apply(cluster: string, api: ApiServer, objects: KubeObject[]): Promise<void> {
    const client = new KubeClient(api.connection());
    try {
      await applyRbac(client, objects);
    } finally {
      client.close();
    }
    this.record(cluster, api, objects);
  }

  /**
   * Remembers, for the report, the cloud-controller-manager's RBAC among the objects a shoot ManagedResource applied
   * (the roles bound to its ServiceAccount and those bindings; the MR's other components do not run here).
   */
  recordApplied(cluster: string, api: ApiServer, objects: readonly KubeObject[]): void {
    this.record(cluster, api, rbacOfServiceAccount(objects, "kube-system", CCM_SERVICE_ACCOUNT));
  }

  private record(cluster: string, api: ApiServer, objects: readonly KubeObject[]): void {
    const entry = this.applied.get(api) ?? { cluster, objects: [] };
    const key = (o: KubeObject) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
    const rbac = objects.filter((o) => RESOURCES[o.kind ?? ""]?.group === RBAC_GROUP);
    const fresh = new Set(rbac.map(key));
    // The latest version of an object counts (an MR's object may change).
    entry.objects = [...entry.objects.filter((o) => !fresh.has(key(o))), ...rbac];
    this.applied.set(api, entry);
  }

  /**
   * The token of a shoot's cloud-controller-manager, once its ServiceAccount exists (before: none, and requests are
   * answered 401, as for a CCM whose token the token requestor has not written yet). One token per ServiceAccount.
   */
  ccmToken(api: ApiServer): () => Promise<string | undefined> {
    let token: string | undefined;
    return () => {
      try {
        token ??= api.serviceAccountToken("kube-system", CCM_SERVICE_ACCOUNT);
      } catch {
        // not created yet
      }
      return Promise.resolve(token);
    };
  }

  /** The extension's RBAC in the seed and a token of its ServiceAccount. */
  async extensionToken(seed: ApiServer, namespace: string): Promise<string> {
    await this.apply("seed", seed, this.extensionRbac(namespace));
    return seed.serviceAccountToken(namespace, EXTENSION_SERVICE_ACCOUNT);
  }

  /** machine-controller-manager's RBAC in the seed's shoot namespace and in the shoot, and a token of each. */
  async machineControllerTokens(
    seed: ApiServer,
    shoot: { technicalId: string; api: ApiServer },
  ): Promise<{ control: string; target: string }> {
    await this.apply("seed", seed, machineControllerSeedRbac(shoot.technicalId));
    await this.apply(`shoot ${shoot.technicalId}`, shoot.api, machineControllerShootRbac());
    return {
      control: seed.serviceAccountToken(shoot.technicalId, MCM_SERVICE_ACCOUNT),
      target: shoot.api.serviceAccountToken("kube-system", MCM_SERVICE_ACCOUNT),
    };
  }

  /**
   * Per cluster: the unused rules of what we applied and the denied requests, so far. A denial of a request that was
   * also allowed (the same user, verb, resource and name) is left out: it came while the grant was not applied yet
   * (a component started before its ManagedResource's RBAC) or no longer (after the ControlPlane's deletion), and
   * was retried; a missing permission is never allowed.
   */
  report(): ClusterAuthorization[] {
    return [...this.applied].map(([api, { cluster, objects }]) => {
      const entries = api.rbac.audit.all();
      const key = (e: AuditEntry) =>
        [e.user, e.verb, e.group, e.resource, e.subresource, e.namespace, e.name, e.path].join("\u0000");
      const allowed = new Set(entries.filter((e) => e.allowed).map(key));
      const denied = entries.filter((e) => !e.allowed && !allowed.has(key(e)));
      return { cluster, unused: unusedRules(policyOf(objects), entries), denied };
    });
  }
}

/** The demo's lines about RBAC: per cluster, the requests denied (each named) and how many grants went unused. */
export function authorizationLines(report: readonly ClusterAuthorization[]): string[] {
  const lines: string[] = [];
  for (const c of report) {
    const grants = c.unused.reduce((n, u) => n + u.grants.length, 0);
    lines.push(`rbac (${c.cluster}): ${c.denied.length} requests denied, ${grants} granted verbs unused`);
    for (const d of c.denied) {
      const res = d.path ||
        `${d.subresource ? `${d.resource}/${d.subresource}` : d.resource}${d.group ? `.${d.group}` : ""}`;
      lines.push(`  denied: ${d.user} ${d.verb} ${res} ${d.namespace ? `${d.namespace}/` : ""}${d.name}`);
    }
  }
  return lines;
}

/** A kubeconfig file of `api` for `token` written at `path`; without a token, the admin's file `admin`. */
export async function kubeconfigWithToken(
  api: ApiServer,
  path: string,
  token: string | undefined,
  admin: string,
): Promise<string> {
  if (token === undefined) return admin;
  await api.writeKubeconfig(path, token);
  return path;
}
