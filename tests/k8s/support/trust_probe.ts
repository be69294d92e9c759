/**
 * Child process of tests/k8s/client/ca_trust_test.ts: for each argument (`kubeconfig=<path>` or `in-cluster=<root>:<port>`)
 * connects the way the product does and prints one JSON line: `{"ok":true}` or `{"ok":false,"error":"…"}`.
 */
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { inClusterConnection, loadConnection } from "../../../src/k8s/client/kubeconfig.ts";
import { CoreV1 } from "../../../src/k8s/api/resources.ts";

for (const arg of Deno.args) {
  const [kind, value] = arg.split(/=(.*)/s);
  let client: KubeClient | undefined;
  try {
    const conn = kind === "kubeconfig" ? await loadConnection({ path: value }) : await inCluster(value);
    client = new KubeClient(conn, { timeoutMs: 10_000 });
    await client.list(CoreV1.namespaces);
    console.log(JSON.stringify({ arg, ok: true }));
  } catch (e) {
    console.log(JSON.stringify({ arg, ok: false, error: e instanceof Error ? e.message : String(e) }));
  } finally {
    client?.close();
  }
}

function inCluster(value: string) {
  const [root, port] = value.split(":");
  return inClusterConnection(root, { env: { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: port } });
}
