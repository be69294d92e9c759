/**
 * `provider-equinix-metal apiserver`: the fake Kubernetes API server as a standalone process, for kubectl and for
 * running our components against it by hand. Prints `kubeconfig: <path>` once it serves; stops on SIGTERM/SIGINT.
 */
import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { getLogger } from "../observability/log.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";

/** Parses a TCP port option (0 picks a free port); commander names the option in its error. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError(`expected a port number 0-65535, got ${value}`);
  return n;
}

/** Where to write the kubeconfig: the given path, or a new temporary file. */
export async function kubeconfigPath(given: string | undefined, prefix: string): Promise<string> {
  if (given) return given;
  const dir = await Deno.makeTempDir({ prefix });
  return `${dir}/kubeconfig`;
}

/** Builds the `apiserver` subcommand. */
export function apiserverCommand() {
  return new Command("apiserver")
    .description("run the fake Kubernetes API server (HTTPS with a generated CA; kubectl works against it)")
    .addOption(new Option("--port <port>", "port to listen on (0: any free port)").argParser(parsePort).default(0))
    .addOption(new Option("--hostname <host>", "address to listen on").default("127.0.0.1"))
    .addOption(new Option("--kubeconfig-out <path>", "write the kubeconfig here (default: a temporary file)"))
    .addOption(new Option("--plain-http", "serve plain HTTP without authentication instead of HTTPS"))
    .action(async (opts) => {
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
    });
}
