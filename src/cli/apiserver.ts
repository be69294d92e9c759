/**
 * `provider-equinix-metal apiserver`: the fake Kubernetes API server as a standalone process, for kubectl and for
 * running our components against it by hand. Prints `kubeconfig: <path>` once it serves; stops on SIGTERM/SIGINT.
 */
import { getLogger } from "../observability/log.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";
import { keepOnlyPermissions } from "../runtime/permissions.ts";
import { command } from "./parser.ts";
import { toggle, value } from "../runtime/flags.ts";

/** Parses a TCP port (0 picks a free port). */
export function parsePort(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new Error(`expected a port number 0-65535, got ${raw}`);
  return n;
}

/** Where to write the kubeconfig: the given path, or a new temporary file. */
export async function kubeconfigPath(given: string | undefined, prefix: string): Promise<string> {
  if (given) return given;
  const dir = await Deno.makeTempDir({ prefix });
  return `${dir}/kubeconfig`;
}

/** The `apiserver` command. */
export const apiserverCommand = command({
  name: "apiserver",
  summary: "run the fake Kubernetes API server (HTTPS with a generated CA; kubectl works against it)",
  flags: {
    port: value("<port>", "port to listen on (0: any free port)", { parse: parsePort, default: 0 }),
    hostname: value("<host>", "address to listen on", { default: "127.0.0.1" }),
    kubeconfigOut: value("<path>", "write the kubeconfig here", { defaultText: "a temporary file" }),
    plainHttp: toggle("serve plain HTTP without authentication instead of HTTPS"),
  },
  async run(opts) {
    // It serves, and writes its kubeconfig (and the temporary directory holding it).
    keepOnlyPermissions(["net", "write", "env", "sys"]);
    const log = getLogger("apiserver");
    const { startApiServer } = await import("../sim/apiserver/mod.ts");
    const signal = shutdownSignal(log);
    const api = await startApiServer({
      port: opts.port,
      hostname: opts.hostname,
      tls: !opts.plainHttp,
      log: getLogger("fake-apiserver"),
    });
    try {
      const path = await kubeconfigPath(opts.kubeconfigOut, "fake-apiserver-");
      await api.writeKubeconfig(path);
      console.log(`kubeconfig: ${path}`);
      console.log(`server: ${api.url}`);
      await aborted(signal);
    } finally {
      await api.stop();
    }
  },
});
