/** Entry point of the `provider-equinix-metal` binary: every component behind one permission-scoped CLI. */
import { cli } from "./cli/root.ts";
import { runCommandLine } from "./cli/errors.ts";
import { configureLogging } from "./observability/log.ts";

if (import.meta.main) {
  await runCommandLine(cli, Deno.args, (g) => {
    configureLogging({ level: g.logLevel, format: g.logFormat });
  });
}
