/**
 * `provider-equinix-metal extension`: the Gardener extension controller (gardener-extension-provider-equinix-metal's
 * `provider-equinix-metal-controller-manager`). Flags and defaults are the Go provider's (upstream-extension.md §1);
 * Go-style booleans (`--leader-election=false`) and comma-separated lists are accepted. The controllers run from
 * `src/extension/app.ts`, loaded only when this command runs (every other command starts without them).
 */
import { Command, Option } from "@commander-js/extra-typings";
import { getLogger } from "../observability/log.ts";
import { shutdownSignal } from "../runtime/shutdown.ts";
import { DEFAULT_METAL_API_URL } from "../metal/api_url.ts";
import {
  CONTROLLER_NAMES,
  DEFAULT_LEADER_ELECTION_ID,
  type RawExtensionFlags,
  resolveExtensionFlags,
  WEBHOOK_NAMES,
} from "../extension/settings.ts";

const flag = (name: string, description: string) => new Option(`--${name} <value>`, description);
const boolFlag = (name: string, description: string) => new Option(`--${name} [bool]`, description);
const listFlag = (name: string, description: string) =>
  new Option(`--${name} <names>`, description).argParser((v: string, prev?: string[]) => [...(prev ?? []), v]);

/** Builds the `extension` subcommand. */
export function extensionCommand() {
  return new Command("extension")
    .description("run the Gardener extension controllers for Equinix Metal (infrastructure, worker, heartbeat)")
    .addOption(flag("gardener-version", "version of the Gardener that deploys the extension"))
    .addOption(boolFlag("autonomous-shoot-cluster", "accepted for the webhook issues (default false)"))
    .addOption(flag("kubeconfig", "kubeconfig of the seed (default: KUBECONFIG, ~/.kube/config, in-cluster)"))
    .addOption(flag("master", "URL of the seed's API server (overrides the kubeconfig)"))
    .addOption(boolFlag("leader-election", "run the controllers only while holding the leader lease (default true)"))
    .addOption(flag("leader-election-id", `lease name (default ${DEFAULT_LEADER_ELECTION_ID})`))
    .addOption(flag("leader-election-namespace", "lease namespace (default $LEADER_ELECTION_NAMESPACE)"))
    .addOption(flag("metrics-bind-address", "address of /metrics (default :8080; 0 disables)"))
    .addOption(flag("health-bind-address", "address of /healthz and /readyz (default :8081; 0 disables)"))
    .addOption(flag("webhook-config-server-host", "accepted for the webhook issues"))
    .addOption(flag("webhook-config-server-port", "accepted for the webhook issues (default 443)"))
    .addOption(flag("webhook-config-cert-dir", "accepted for the webhook issues"))
    .addOption(flag("controlplane-max-concurrent-reconciles", "parallel ControlPlane reconciles (default 5)"))
    .addOption(flag("infrastructure-max-concurrent-reconciles", "parallel Infrastructure reconciles (default 5)"))
    .addOption(flag("worker-max-concurrent-reconciles", "parallel Worker reconciles (default 5)"))
    .addOption(flag("healthcheck-max-concurrent-reconciles", "parallel health checks (default 1)"))
    .addOption(flag("heartbeat-namespace", "namespace of the heartbeat lease (default $LEADER_ELECTION_NAMESPACE)"))
    .addOption(flag("heartbeat-renew-interval-seconds", "heartbeat renew interval, > 0 (default 30)"))
    .addOption(listFlag("controllers", `controllers to run (default all: ${CONTROLLER_NAMES.join(", ")})`))
    .addOption(listFlag("disable-controllers", "controllers not to run"))
    .addOption(flag("config-file", "ControllerConfiguration file (default: built-in defaults)"))
    .addOption(boolFlag("ignore-operation-annotation", "react to spec/Cluster changes, not gardenlet (default false)"))
    .addOption(flag("extension-class", "extension class to handle: shoot, seed or garden (default shoot)"))
    .addOption(listFlag("disable-webhooks", `accepted for the webhook issues (${WEBHOOK_NAMES.join(", ")}, *)`))
    .addOption(flag("webhook-config-mode", "accepted for the webhook issues (service, url, url-service)"))
    .addOption(flag("webhook-config-url", "accepted for the webhook issues"))
    .addOption(flag("webhook-config-service-port", "accepted for the webhook issues"))
    .addOption(flag("webhook-config-namespace", "accepted for the webhook issues (default $WEBHOOK_CONFIG_NAMESPACE)"))
    .addOption(flag("webhook-config-owner-namespace", "accepted for the webhook issues"))
    .addOption(flag("metal-api-url", `Equinix Metal API base URL (default ${DEFAULT_METAL_API_URL})`))
    .addOption(boolFlag("metal-api-allow-plain-http", "allow an http:// --metal-api-url on a non-loopback host"))
    .action(async (opts, cmd) => {
      const { settings, errors } = resolveExtensionFlags(opts as RawExtensionFlags, Deno.env.toObject());
      if (!settings) cmd.error(`error: invalid flags:\n  ${errors.join("\n  ")}`, { exitCode: 2 });
      const log = getLogger("extension");
      const signal = shutdownSignal(log);
      const { runExtension } = await import("../extension/app.ts");
      let reason: Awaited<ReturnType<typeof runExtension>>;
      try {
        reason = await runExtension({ settings: settings!, log }, signal);
      } catch (e) {
        cmd.error(`error: ${e instanceof Error ? e.message : String(e)}`, { exitCode: 1 });
      }
      if (reason === "leadership-lost") {
        log.error("Leader election lost; exiting");
        Deno.exitCode = 1;
      }
    });
}
