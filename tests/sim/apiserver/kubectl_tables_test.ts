/**
 * `kubectl get` against the fake API server prints what a real cluster prints: custom resources with their CRD's
 * printer columns (`machines`: STATUS and NODE; `workers`: TYPE, REGION, STATUS), Nodes with STATUS Ready and, with
 * `-o wide`, their IPs and node info; Secrets and Namespaces with kube's columns. The real kubectl, in-process server.
 */
import assert from "node:assert/strict";
import { KUBECTL, KUBECTL_MISSING, testUnless } from "../../support/needs.ts";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { CoreV1, ExtensionsV1alpha1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import { configureLogging } from "../../../src/observability/log.ts";

configureLogging({ level: "error" });

testUnless(KUBECTL_MISSING, {
  name: "kubectl get shows the CRDs' printer columns and kube's columns of Nodes, Secrets and Namespaces",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "kubectl-tables-" });
    const api = await startApiServer({ namespaces: ["default", "kube-system", "shoot--p--s"] });
    const client = new KubeClient(api.connection());
    try {
      await api.installCrds(loadCrds({
        groups: ["gardener", "machine"],
        names: ["workers.extensions.gardener.cloud", "machines.machine.sapcloud.io"],
      }));
      await api.writeKubeconfig(`${dir}/kubeconfig`);
      const ns = "shoot--p--s";
      const m = await client.create(MachineV1alpha1.machines, {
        apiVersion: "machine.sapcloud.io/v1alpha1",
        kind: "Machine",
        metadata: { name: "shoot--p--s-pool-a-z1-abc", namespace: ns, labels: { node: "node-a" } },
        spec: { class: { kind: "MachineClass", name: "c" }, providerID: "equinixmetal://ny/uuid-1" },
      } as KubeObject, { namespace: ns });
      await client.updateStatus(MachineV1alpha1.machines, {
        ...m,
        status: { currentStatus: { phase: "Running", lastUpdateTime: m.metadata.creationTimestamp } },
      } as KubeObject, { namespace: ns });
      const w = await client.create(ExtensionsV1alpha1.workers, {
        apiVersion: "extensions.gardener.cloud/v1alpha1",
        kind: "Worker",
        metadata: { name: "playground", namespace: ns },
        spec: { type: "equinixmetal", region: "ny", secretRef: { name: "cloudprovider", namespace: ns }, pools: [] },
      } as KubeObject, { namespace: ns });
      await client.updateStatus(ExtensionsV1alpha1.workers, {
        ...w,
        status: {
          lastOperation: {
            type: "Reconcile",
            state: "Succeeded",
            progress: 100,
            description: "ok",
            lastUpdateTime: w.metadata.creationTimestamp,
          },
        },
      } as KubeObject, { namespace: ns });
      const n = await client.create(CoreV1.nodes, {
        apiVersion: "v1",
        kind: "Node",
        metadata: { name: "node-a", labels: { "node-role.kubernetes.io/worker": "" } },
        spec: {},
      } as KubeObject);
      await client.updateStatus(CoreV1.nodes, {
        ...n,
        status: {
          conditions: [{ type: "Ready", status: "True" }],
          addresses: [{ type: "InternalIP", address: "10.0.0.5" }, { type: "ExternalIP", address: "147.75.1.2" }],
          nodeInfo: {
            kubeletVersion: "v1.31.4",
            osImage: "Garden Linux 1592.1",
            kernelVersion: "6.6.41",
            containerRuntimeVersion: "containerd://1.7.20",
          },
        },
      } as KubeObject);
      await client.create(CoreV1.secrets, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "cloudprovider", namespace: ns },
        type: "Opaque",
        data: { apiToken: "eA==", projectID: "eQ==" },
      } as KubeObject, { namespace: ns });

      const kubectl = async (...args: string[]) => {
        const res = await new Deno.Command(KUBECTL, {
          args: ["--kubeconfig", `${dir}/kubeconfig`, ...args],
          env: { HOME: dir, KUBECONFIG: `${dir}/kubeconfig` },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const out = new TextDecoder().decode(res.stdout);
        assert.ok(res.success, `kubectl ${args.join(" ")}: ${new TextDecoder().decode(res.stderr)}`);
        return out.trim().split("\n").map((l) => l.trim().split(/\s{2,}/));
      };

      const machines = await kubectl("get", "machines", "-n", ns);
      assert.deepEqual(machines[0], ["NAME", "STATUS", "AGE", "NODE"]);
      assert.deepEqual([machines[1][0], machines[1][1], machines[1][3]], [
        "shoot--p--s-pool-a-z1-abc",
        "Running",
        "node-a",
      ]);
      assert.match(machines[1][2], /^\d+s$/);
      const wide = await kubectl("get", "machines", "-n", ns, "-o", "wide");
      assert.deepEqual(wide[0], ["NAME", "STATUS", "AGE", "NODE", "PROVIDERID"]);
      assert.equal(wide[1][4], "equinixmetal://ny/uuid-1");

      const workers = await kubectl("get", "workers", "-n", ns);
      assert.deepEqual(workers[0], ["NAME", "TYPE", "REGION", "STATUS", "AGE"]);
      assert.deepEqual(workers[1].slice(0, 4), ["playground", "equinixmetal", "ny", "Succeeded"]);

      const nodes = await kubectl("get", "nodes", "-o", "wide");
      assert.deepEqual(nodes[0], [
        "NAME",
        "STATUS",
        "ROLES",
        "AGE",
        "VERSION",
        "INTERNAL-IP",
        "EXTERNAL-IP",
        "OS-IMAGE",
        "KERNEL-VERSION",
        "CONTAINER-RUNTIME",
      ]);
      assert.deepEqual(nodes[1].filter((_, i) => i !== 3), [
        "node-a",
        "Ready",
        "worker",
        "v1.31.4",
        "10.0.0.5",
        "147.75.1.2",
        "Garden Linux 1592.1",
        "6.6.41",
        "containerd://1.7.20",
      ]);

      const secrets = await kubectl("get", "secrets", "-n", ns);
      assert.deepEqual(secrets[0], ["NAME", "TYPE", "DATA", "AGE"]);
      assert.deepEqual(secrets[1].slice(0, 3), ["cloudprovider", "Opaque", "2"]);
      const namespaces = await kubectl("get", "namespaces");
      assert.deepEqual(namespaces[0], ["NAME", "STATUS", "AGE"]);
      assert.ok(namespaces.some((r) => r[0] === ns && r[1] === "Active"));
      // Built-ins without a printer here: NAME and AGE. -A adds the namespace from the row's object metadata.
      await client.create(CoreV1.configMaps, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "cm", namespace: ns },
      } as KubeObject, { namespace: ns });
      assert.deepEqual((await kubectl("get", "configmaps", "-n", ns))[0], ["NAME", "AGE"]);
      const everywhere = await kubectl("get", "workers", "-A");
      assert.deepEqual(everywhere[0], ["NAMESPACE", "NAME", "TYPE", "REGION", "STATUS", "AGE"]);
      assert.equal(everywhere[1][0], ns);
    } finally {
      client.close();
      await api.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
