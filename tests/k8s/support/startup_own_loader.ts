/**
 * Start-up cost of our kubeconfig loader and client, the counterpart of startup_client_node.ts:
 *   /usr/bin/time -f "%e s %M KB" .tools/deno run -A tests/k8s/support/startup_own_loader.ts <kubeconfig>
 */
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { loadConnection } from "../../../src/k8s/client/kubeconfig.ts";

const conn = await loadConnection({ path: Deno.args[0] });
const client = new KubeClient(conn);
console.log(conn.server, (await conn.token?.()) ? "token" : "no token");
client.close();
