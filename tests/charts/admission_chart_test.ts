/**
 * charts/gardener-extension-admission-equinix-metal with real helm: the umbrella (both parts in one cluster) and its
 * two parts as gardener-operator installs them: `runtime` into the garden runtime cluster with the values the operator
 * injects, `application` (RBAC) into the virtual garden, bound to the ServiceAccount the operator names.
 */
import assert from "node:assert/strict";
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { ClusterRoleBinding, RoleBinding } from "kubernetes-types/rbac/v1.d.ts";
import { testUnless } from "../support/needs.ts";
import { CHARTS_DIR, HELM_MISSING, helmTemplate, runHelm } from "../support/helm.ts";
import { find, grantedResources, resourcesNamedBy, validateRendered } from "./render.ts";
import { WEBHOOK_CONFIGURATION_NAME } from "../../src/admission/registration.ts";
import { type AdmissionFlagValues, resolveAdmissionOptions } from "../../src/admission/options.ts";
import type { ClusterRole } from "kubernetes-types/rbac/v1.d.ts";
import { parse } from "../../src/cli/parser.ts";
import { cli } from "../../src/cli/root.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";

const CHART = `${CHARTS_DIR}gardener-extension-admission-equinix-metal`;
const NAME = "gardener-extension-admission-equinix-metal";

/** What gardener-operator merges into the admission charts (§ admission deployment of Gardener's docs). */
const OPERATOR_VALUES = {
  gardener: {
    runtimeCluster: { priorityClassName: "gardener-garden-system-400" },
    virtualCluster: {
      enabled: true,
      namespace: "garden",
      serviceAccount: { name: "extension-admission-provider-equinix-metal", namespace: "kube-system" },
    },
  },
};

testUnless(HELM_MISSING, {
  name: "admission chart: helm lint --strict of the umbrella and of both parts",
  async fn() {
    for (const chart of [CHART, `${CHART}/charts/runtime`, `${CHART}/charts/application`]) {
      await runHelm(["lint", "--strict", chart]);
    }
  },
});

testUnless(HELM_MISSING, {
  name: "admission chart: one cluster (umbrella) renders objects an API server and the CRDs accept",
  async fn() {
    const objects = await helmTemplate(CHART, { release: "admission", namespace: "garden" });
    const { builtin, crd } = await validateRendered(objects, ["garden"]);
    assert.deepEqual(builtin.sort(), [
      "ClusterRole",
      "ClusterRoleBinding",
      "Deployment",
      "PodDisruptionBudget",
      "Role",
      "RoleBinding",
      "Service",
      "ServiceAccount",
    ]);
    assert.deepEqual(crd, ["VerticalPodAutoscaler"]);
    const d = find<Deployment>(objects, "Deployment", NAME);
    const args = d.spec!.template.spec!.containers[0].args!;
    assert.ok(args.includes("--webhook-config-mode=service"));
    // The RBAC binds the runtime part's own ServiceAccount.
    const binding = find<ClusterRoleBinding>(objects as KubeObject[], "ClusterRoleBinding");
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: NAME, namespace: "garden" }]);
  },
});

testUnless(HELM_MISSING, {
  name: "admission chart: gardener-operator's parts: url mode towards the virtual garden, RBAC for its ServiceAccount",
  async fn() {
    const runtime = await helmTemplate(`${CHART}/charts/runtime`, {
      release: "admission",
      namespace: "garden",
      values: OPERATOR_VALUES,
    });
    const application = await helmTemplate(`${CHART}/charts/application`, {
      release: "admission",
      namespace: "garden",
      values: OPERATOR_VALUES,
    });
    assert.deepEqual(runtime.map((o) => o.kind).sort(), [
      "Deployment",
      "PodDisruptionBudget",
      "Service",
      "ServiceAccount",
      "VerticalPodAutoscaler",
    ]);
    assert.deepEqual(application.map((o) => o.kind).sort(), [
      "ClusterRole",
      "ClusterRoleBinding",
      "Role",
      "RoleBinding",
    ]);
    await validateRendered(runtime, ["garden"]);
    await validateRendered(application, ["garden"]);
    const d = find<Deployment>(runtime, "Deployment", NAME);
    const pod = d.spec!.template.spec!;
    assert.equal(pod.priorityClassName, "gardener-garden-system-400");
    const args = pod.containers[0].args!;
    assert.ok(args.includes("--webhook-config-mode=url"));
    assert.ok(args.includes(`--webhook-config-url=https://${NAME}.garden`));
    const sa = find<KubeObject & { automountServiceAccountToken: boolean }>(runtime, "ServiceAccount");
    assert.equal(sa.automountServiceAccountToken, false, "the admission talks to the virtual garden only");
    const subject = {
      kind: "ServiceAccount",
      name: "extension-admission-provider-equinix-metal",
      namespace: "kube-system",
    };
    assert.deepEqual(find<ClusterRoleBinding>(application, "ClusterRoleBinding").subjects, [subject]);
    assert.deepEqual(find<RoleBinding>(application, "RoleBinding").subjects, [subject]);
    // The arguments are the `admission` command's flags.
    const inv = parse(cli, args, (n) => (n === "LEADER_ELECTION_NAMESPACE" ? "garden" : undefined));
    assert.equal(inv.kind, "run");
    if (inv.kind !== "run") throw new Error("unreachable");
    assert.equal(inv.command.name, "admission");
    const options = resolveAdmissionOptions(inv.values as unknown as AdmissionFlagValues);
    assert.deepEqual(options.webhookClient, { mode: "url", url: `https://${NAME}.garden` });
    assert.equal(options.leaderElection?.namespace, "garden");
    assert.equal(options.certNamespace, "garden");
  },
});

testUnless(HELM_MISSING, {
  name: "admission chart: the RBAC grants exactly what the admission's code names, its webhook configuration by name",
  async fn() {
    const application = await helmTemplate(`${CHART}/charts/application`, {
      release: "admission",
      namespace: "garden",
      values: OPERATOR_VALUES,
    });
    const named = await resourcesNamedBy(["src/admission", "src/k8s/webhook"]);
    named.add("coordination.k8s.io/leases"); // leader election (src/k8s/controller)
    assert.deepEqual([...grantedResources(application)].sort(), [...named].sort());
    const cr = find<ClusterRole>(application, "ClusterRole");
    assert.deepEqual(
      cr.rules!.filter((r) => r.resourceNames).map((r) => [r.resources, r.resourceNames]),
      [[["validatingwebhookconfigurations"], [WEBHOOK_CONFIGURATION_NAME]]],
    );
  },
});
