/** Entry point of the `provider-equinix-metal` binary: every component behind one permission-scoped CLI. */
import { buildCli } from "./cli/root.ts";
import { runCommandLine } from "./cli/errors.ts";

if (import.meta.main) {
  await runCommandLine(buildCli(), Deno.args);
}
