/**
 * Start-up cost of @kubernetes/client-node's KubeConfig, for docs/decisions.md ("Kubernetes client"):
 *   /usr/bin/time -f "%e s %M KB" .tools/deno run -A tests/k8s/support/startup_client_node.ts <kubeconfig>
 */
import { KubeConfig } from "@kubernetes/client-node";

const kc = new KubeConfig();
kc.loadFromFile(Deno.args[0]);
const opts: { headers: Record<string, string> } = { headers: {} };
await kc.applyToHTTPSOptions(opts);
console.log(kc.getCurrentCluster()?.server, opts.headers.Authorization ? "token" : "no token");
