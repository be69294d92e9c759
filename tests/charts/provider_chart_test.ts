/**
 * charts/gardener-extension-provider-equinix-metal with real helm: `helm lint --strict`, and `helm template` with the
 * values gardenlet merges in. The rendered objects must be accepted by an API server (built-in kinds) or their CRDs,
 * and must fit the code: the Deployment's arguments parse as the `extension` command's flags, the ConfigMap decodes
 * as our ControllerConfiguration, the RBAC names the Leases and webhook configuration the code writes.
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import type { Container, PodSpec } from "kubernetes-types/core/v1.d.ts";
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { ClusterRole, Role } from "kubernetes-types/rbac/v1.d.ts";
import { testUnless } from "../support/needs.ts";
import { CHARTS_DIR, HELM_MISSING, helmTemplate, runHelm } from "../support/helm.ts";
import {
  find,
  GARDENLET_VALUES,
  grantedResources,
  resourcesNamedBy,
  SELF_HOSTED_VALUES,
  validateRendered,
} from "./render.ts";
import { parse } from "../../src/cli/parser.ts";
import { cli } from "../../src/cli/root.ts";
import { type RawExtensionOptions, resolveExtensionOptions } from "../../src/extension/options.ts";
import { parseControllerConfiguration } from "../../src/apis/config/v1alpha1.ts";
import { EXTENSION_NAME } from "../../src/apis/extensions/constants.ts";
import { webhookConfigurationName } from "../../src/extension/webhook/registration.ts";
import { HEARTBEAT_LEASE_NAME } from "../../src/extension/heartbeat/heartbeat_apply.ts";
import { IMAGEVECTOR_OVERWRITE_ENV, parseImageVector } from "../../src/extension/imagevector/imagevector.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { registry } from "../../src/observability/metrics.ts";
import { metalApiMetrics } from "../../src/metal/api_metrics.ts";
import { renderReleaseTemplate } from "../../src/playground/rbac.ts";

const CHART = `${CHARTS_DIR}gardener-extension-provider-equinix-metal`;
const NS = "extension-provider-equinix-metal-x2b7t";
const RELEASE = "provider-equinix-metal";
const NAME = "gardener-extension-provider-equinix-metal";

function container(objects: KubeObject[]): { pod: PodSpec; c: Container; d: Deployment } {
  const d = find<Deployment>(objects, "Deployment", NAME);
  const pod = d.spec!.template.spec!;
  return { d, pod, c: pod.containers[0] };
}

/** The container's arguments as the `extension` command resolves them (with the env the chart sets). */
function resolvedArgs(c: Container) {
  const env = { LEADER_ELECTION_NAMESPACE: NS } as Record<string, string>;
  const inv = parse(cli, c.args ?? [], (n) => env[n]);
  assert.equal(inv.kind, "run");
  if (inv.kind !== "run") throw new Error("unreachable");
  assert.equal(inv.command.name, "extension");
  return resolveExtensionOptions(inv.values as RawExtensionOptions, env);
}

testUnless(HELM_MISSING, {
  name: "provider chart: helm lint --strict, with the chart's defaults and with gardenlet's values",
  async fn() {
    await runHelm(["lint", "--strict", CHART]);
    const file = await Deno.makeTempFile({ suffix: ".json" });
    try {
      await Deno.writeTextFile(file, JSON.stringify(GARDENLET_VALUES));
      await runHelm(["lint", "--strict", CHART, "--values", file]);
      await Deno.writeTextFile(file, JSON.stringify(SELF_HOSTED_VALUES));
      await runHelm(["lint", "--strict", CHART, "--values", file]);
    } finally {
      await Deno.remove(file);
    }
  },
});

testUnless(HELM_MISSING, {
  name: "provider chart: gardenlet's values render objects an API server and the CRDs accept",
  async fn() {
    const values = {
      ...GARDENLET_VALUES,
      imageVectorOverwrite:
        "images:\n- name: cloud-controller-manager\n  repository: registry.example.com/ccm\n  tag: v1\n",
      metrics: { serviceMonitor: { enabled: true } },
    };
    const objects = await helmTemplate(CHART, { release: RELEASE, namespace: NS, values });
    const { builtin, crd } = await validateRendered(objects, [NS]);
    assert.deepEqual(builtin.sort(), [
      "ClusterRole",
      "ClusterRoleBinding",
      "ConfigMap",
      "ConfigMap",
      "Deployment",
      "PodDisruptionBudget",
      "Role",
      "RoleBinding",
      "Service",
      "ServiceAccount",
    ]);
    assert.deepEqual(crd.sort(), ["PrometheusRule", "ServiceMonitor", "VerticalPodAutoscaler"]);
    for (const o of objects.filter((o) => o.metadata.namespace !== undefined)) assert.equal(o.metadata.namespace, NS);
  },
});

testUnless(HELM_MISSING, {
  name: "provider chart: the Deployment runs `extension` with valid flags, gardenlet's labels and a locked-down pod",
  async fn() {
    const objects = await helmTemplate(CHART, { release: RELEASE, namespace: NS, values: GARDENLET_VALUES });
    const { d, pod, c } = container(objects);
    const { options, errors } = resolvedArgs(c);
    assert.deepEqual(errors, []);
    assert.equal(options!.gardenerVersion, "v1.128.2");
    assert.equal(options!.webhooks.namespace, NS);
    assert.equal(options!.webhooks.port, 10250);
    assert.equal(options!.webhooks.servicePort, 443);
    assert.equal(options!.heartbeat.namespace, NS);
    assert.deepEqual(options!.leaderElection, { id: `${EXTENSION_NAME}-leader-election`, namespace: NS });
    assert.equal(options!.webhooks.selfHostedShootCluster, false);

    assert.equal(pod.priorityClassName, "gardener-system-900");
    const labels = d.spec!.template.metadata!.labels!;
    for (
      const l of [
        "networking.gardener.cloud/to-dns",
        "networking.gardener.cloud/to-runtime-apiserver",
        "networking.gardener.cloud/to-public-networks",
        "networking.gardener.cloud/to-private-networks",
        "networking.resources.gardener.cloud/to-all-shoots-kube-apiserver-tcp-443",
      ]
    ) assert.equal(labels[l], "allowed", l);
    assert.equal(d.metadata!.labels!["extensions.gardener.cloud/inject-garden-kubeconfig"], "false");
    assert.ok(d.spec!.replicas! >= 2);
    assert.equal(
      c.env?.find((e) => e.name === "LEADER_ELECTION_NAMESPACE")?.valueFrom?.fieldRef?.fieldPath,
      "metadata.namespace",
    );
    assert.equal(c.env?.some((e) => e.name === "SEED_NAME" || e.name === "GARDEN_KUBECONFIG"), false);

    // Probes on the health port the flags open; the pod cannot write its image.
    const healthPort = c.ports!.find((p) => p.name === "health")!.containerPort;
    assert.ok(options!.probeAddresses.includes(`:${healthPort}`));
    assert.equal(c.livenessProbe?.httpGet?.path, "/healthz");
    assert.equal(c.readinessProbe?.httpGet?.path, "/readyz");
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext?.capabilities?.drop, ["ALL"]);
    const certDir = options!.webhooks.certDir!;
    const tmp = c.volumeMounts!.find((m) => certDir.startsWith(`${m.mountPath}/`));
    assert.ok(tmp, `the webhook certificate directory ${certDir} is on a writable volume`);
    assert.ok(pod.volumes!.find((v) => v.name === tmp.name)?.emptyDir);

    // The Service selects these pods and forwards to the webhook port; gardener's network annotations are set.
    const svc = find<
      KubeObject & { spec: { selector: Record<string, string>; ports: { port: number; targetPort: number }[] } }
    >(
      objects,
      "Service",
      NAME,
    );
    for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(labels[k], v);
    assert.deepEqual(svc.spec.ports[0], { name: "webhook-server", port: 443, protocol: "TCP", targetPort: 10250 });
    const annotations = svc.metadata.annotations!;
    assert.deepEqual(
      JSON.parse(annotations["networking.resources.gardener.cloud/from-all-webhook-targets-allowed-ports"]),
      [{ protocol: "TCP", port: 10250 }],
    );
    assert.equal(annotations["networking.resources.gardener.cloud/pod-label-selector-namespace-alias"], "extensions");
    assert.ok(
      (JSON.parse(annotations["networking.resources.gardener.cloud/namespace-selectors"]) as unknown[]).some((s) =>
        JSON.stringify(s) === JSON.stringify({ matchLabels: { "gardener.cloud/role": "shoot" } })
      ),
    );

    // The config file decodes as the extension reads it.
    const cm = find<KubeObject & { data: Record<string, string> }>(objects, "ConfigMap", `${NAME}-configmap`);
    const config = parseControllerConfiguration(cm.data["config.yaml"], "chart");
    assert.equal(config.etcd.storage.className, "gardener.cloud-fast");
    const configArg = c.args!.find((a) => a.startsWith("--config-file="))!.slice("--config-file=".length);
    const mount = c.volumeMounts!.find((m) => configArg.startsWith(`${m.mountPath}/`))!;
    assert.equal(pod.volumes!.find((v) => v.name === mount.name)?.configMap?.name, cm.metadata.name);
  },
});

testUnless(HELM_MISSING, {
  name: "provider chart: self-hosted shoots (no gardener.seed) and the image vector overwrite",
  async fn() {
    const overwrite = "images:\n- name: metallb-speaker\n  repository: registry.example.com/speaker\n  tag: v9\n";
    const objects = await helmTemplate(CHART, {
      release: RELEASE,
      namespace: "kube-system",
      values: { ...SELF_HOSTED_VALUES, imageVectorOverwrite: overwrite },
    });
    const { c, pod } = container(objects);
    const { options, errors } = resolvedArgs(c);
    assert.deepEqual(errors, []);
    assert.equal(options!.webhooks.selfHostedShootCluster, true);
    const path = c.env!.find((e) => e.name === IMAGEVECTOR_OVERWRITE_ENV)!.value!;
    const cm = find<KubeObject & { data: Record<string, string> }>(
      objects,
      "ConfigMap",
      `${NAME}-imagevector-overwrite`,
    );
    const mount = c.volumeMounts!.find((m) => path.startsWith(`${m.mountPath}/`))!;
    assert.equal(pod.volumes!.find((v) => v.name === mount.name)?.configMap?.name, cm.metadata.name);
    const file = path.slice(mount.mountPath.length + 1);
    assert.equal(parseImageVector(cm.data[file], "chart").get("metallb-speaker")?.tag, "v9");
  },
});

testUnless(HELM_MISSING, {
  name: "provider chart: RBAC in one file; by-name rules name exactly what the code writes",
  async fn() {
    const objects = await helmTemplate(CHART, { release: RELEASE, namespace: NS, values: GARDENLET_VALUES });
    const rbacSource = await runHelm([
      "template",
      RELEASE,
      CHART,
      "--namespace",
      NS,
      "--show-only",
      "templates/rbac.yaml",
    ]);
    const rbacKinds = ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];
    assert.equal(objects.filter((o) => rbacKinds.includes(o.kind!)).length, 4);
    for (const k of rbacKinds) assert.ok(rbacSource.includes(`kind: ${k}\n`), `${k} comes from templates/rbac.yaml`);
    const role = find<Role>(objects as unknown as KubeObject[], "Role");
    const leaseNames = role.rules!.flatMap((r) => r.resourceNames ?? []).sort();
    assert.deepEqual(leaseNames, [HEARTBEAT_LEASE_NAME, `${EXTENSION_NAME}-leader-election`].sort());
    const cr = find<ClusterRole>(objects as unknown as KubeObject[], "ClusterRole");
    const byName = cr.rules!.filter((r) => r.resourceNames);
    assert.deepEqual(byName.map((r) => [r.resources, r.resourceNames]), [
      [["mutatingwebhookconfigurations"], [webhookConfigurationName(EXTENSION_NAME, "seed")]],
    ]);
    // Nothing is granted on every resource or with every verb.
    for (const r of [...cr.rules!, ...role.rules!]) {
      assert.ok(
        !r.resources!.includes("*") && !r.verbs.includes("*") && !r.apiGroups!.includes("*"),
        JSON.stringify(r),
      );
    }
  },
});

testUnless(HELM_MISSING, {
  name: "provider chart: templates/rbac.yaml renders by substituting the release name and namespace (as helm does)",
  async fn() {
    // The playground renders the chart's file this way (the binary has no helm): it must equal helm's output.
    const source = await Deno.readTextFile(`${CHART}/templates/rbac.yaml`);
    const substituted = parseAllDocuments(renderReleaseTemplate(source, { name: RELEASE, namespace: NS }))
      .map((d) => d.toJS());
    const rendered = parseAllDocuments(
      await runHelm(["template", RELEASE, CHART, "--namespace", NS, "--show-only", "templates/rbac.yaml"]),
    ).map((d) => d.toJS());
    assert.deepEqual(substituted, rendered);
  },
});

testUnless(HELM_MISSING, {
  name: "provider chart: every metric the alerting rules use is one the extension exports",
  async fn() {
    // The extension's modules register their metrics when loaded; the Metal client's on first use.
    await import("../../src/extension/app.ts");
    metalApiMetrics();
    const objects = await helmTemplate(CHART, { release: RELEASE, namespace: NS, values: GARDENLET_VALUES });
    const rule = find<KubeObject & { spec: { groups: { rules: { alert: string; expr: string }[] }[] } }>(
      objects,
      "PrometheusRule",
    );
    const rules = rule.spec.groups.flatMap((g) => g.rules);
    assert.ok(rules.length >= 5);
    for (const r of rules) {
      const names = [...r.expr.matchAll(/([a-z_][a-z0-9_]*)\{/g)].map((m) => m[1]).filter((n) => n !== "absent");
      assert.ok(names.length > 0, r.alert);
      for (const name of names) assert.ok(registry.getSingleMetric(name), `${r.alert}: ${name} is not exported`);
      assert.ok(r.expr.includes(`namespace="${NS}"`), `${r.alert} is scoped to the release namespace`);
    }
  },
});

testUnless(HELM_MISSING, {
  name:
    "provider chart: the RBAC grants exactly the resource types the extension's code names (the shoot's Nodes aside)",
  async fn() {
    const objects = await helmTemplate(CHART, { release: RELEASE, namespace: NS, values: GARDENLET_VALUES });
    const granted = grantedResources(objects);
    const named = await resourcesNamedBy(["src/extension", "src/k8s/controller", "src/k8s/cache"]);
    // Nodes are read in the shoot, with the shoot's own access token, never in the seed.
    named.delete("/nodes");
    assert.deepEqual([...granted].sort(), [...named].sort());
  },
});
