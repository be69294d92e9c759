/** Entry point of the `provider-equinix-metal` binary: every component behind one permission-scoped CLI. */
import { buildCli } from "./cli/root.ts";

if (import.meta.main) {
  await buildCli().parseAsync(Deno.args, { from: "user" });
}
