/**
 * `provider-equinix-metal extension`: the Gardener extension controller (gardener-extension-provider-equinix-metal's
 * `provider-equinix-metal-controller-manager`). Flags and defaults are the Go provider's, with Gardener's current
 * names (`--extension-classes`, `--self-hosted-shoot-cluster`) and their old names as aliases; Go-style booleans
 * (`--leader-election=false`) and comma-separated lists are accepted. Invalid flags are reported together, in one
 * usage error. The flags are declared in `src/extension/options.ts`. The controllers run from `src/extension/app.ts`,
 * loaded only when this command runs (every other command starts without them).
 */
import { getLogger } from "../observability/log.ts";
import { keepOnlyPermissions } from "../runtime/permissions.ts";
import { command, unparsed, UsageError } from "./parser.ts";
import { shutdownSignal } from "../runtime/shutdown.ts";
import { EXTENSION_FLAGS, resolveExtensionOptions } from "../extension/options.ts";

/** The `extension` command. */
export const extensionCommand = command({
  name: "extension",
  summary:
    "run the Gardener extension controllers for Equinix Metal (infrastructure, worker, heartbeat) and its webhooks",
  flags: unparsed(EXTENSION_FLAGS),
  async run(opts) {
    const { options, errors } = resolveExtensionOptions(opts, Deno.env.toObject());
    // Files written only to the webhook certificate directory, when webhooks may be served; no programs run (run
    // comes back only for a kubeconfig exec plugin: see runExtension).
    const writesCertDir = !!options?.webhooks.certDir && !options.webhooks.disabled.includes("*");
    keepOnlyPermissions(["read", "net", "env", "sys", "run", ...(writesCertDir ? ["write" as const] : [])]);
    if (!options) throw new UsageError(`invalid flags: ${errors.join("; ")}`, "extension");
    const log = getLogger("extension");
    const signal = shutdownSignal(log);
    const { runExtension } = await import("../extension/app.ts");
    const reason = await runExtension({ options, log }, signal);
    if (reason === "leadership-lost") {
      log.error("Leader election lost; exiting");
      Deno.exitCode = 1;
    }
  },
});
