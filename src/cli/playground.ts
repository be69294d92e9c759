/**
 * `provider-equinix-metal playground` (alias `demo`): a fake API server with the real CRDs and the example
 * manifests applied. Prints `kubeconfig: <path>` and one line per object; serves until interrupted, or with
 * `--once` exits 0 after the scenario (1 with the reason otherwise).
 */
import { Command, Option } from "@commander-js/extra-typings";
import { getLogger } from "../observability/log.ts";
import { shutdownSignal } from "../runtime/shutdown.ts";
import { runPlayground } from "../playground/mod.ts";
import { parsePort } from "./apiserver.ts";

/** Builds the `playground` subcommand. */
export function playgroundCommand() {
  return new Command("playground")
    .alias("demo")
    .description("run the demo scenario: fake API server, real CRDs, example manifests")
    .addOption(new Option("--once", "run the scenario once and exit (0 on success, 1 with the reason otherwise)"))
    .addOption(new Option("--port <port>", "API server port (0: any free port)").argParser(parsePort).default(0))
    .addOption(new Option("--kubeconfig-out <path>", "write the kubeconfig here (default: a temporary file)"))
    .addOption(new Option("--crds-dir <dir>", "directory with gardener/ and machine/ CRDs (default: ../shared/crds)"))
    .addOption(new Option("--examples-dir <dir>", "directory of example manifests (default: example/)"))
    .action(async (opts) => {
      const log = getLogger("playground");
      const signal = opts.once ? undefined : shutdownSignal(log);
      try {
        await runPlayground({
          once: !!opts.once,
          port: opts.port,
          kubeconfigOut: opts.kubeconfigOut,
          crdsDir: opts.crdsDir,
          examplesDir: opts.examplesDir,
          signal,
          log,
        });
      } catch (e) {
        console.error(`playground failed: ${e instanceof Error ? e.message : String(e)}`);
        Deno.exit(1);
      }
    });
}
