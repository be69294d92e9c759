/**
 * `provider-equinix-metal extension`: the Gardener extension controller (gardener-extension-provider-equinix-metal's
 * `provider-equinix-metal-controller-manager`). Flags and defaults are the Go provider's, with Gardener's current
 * names (`--extension-classes`, `--self-hosted-shoot-cluster`) and their old names as aliases; Go-style booleans
 * (`--leader-election=false`) and comma-separated lists are accepted. Invalid flags are reported together, in one
 * usage error. The controllers run from `src/extension/app.ts`, loaded only when this command runs (every other
 * command starts without them).
 */
import { Command, Option } from "@commander-js/extra-typings";
import { getLogger } from "../observability/log.ts";
import { shutdownSignal } from "../runtime/shutdown.ts";
import { DEFAULT_METAL_API_URL } from "../metal/api_url.ts";
import {
  CONTROLLER_NAMES,
  DEFAULT_LEADER_ELECTION_ID,
  IMPLEMENTED_CONTROLLERS,
  type RawExtensionFlags,
  resolveExtensionFlags,
  WEBHOOK_NAMES,
} from "../extension/settings.ts";

const flag = (name: string, value: string, description: string) => new Option(`--${name} <${value}>`, description);
const boolFlag = (name: string, description: string) => new Option(`--${name} [bool]`, description);
const listFlag = (name: string, value: string, description: string) =>
  new Option(`--${name} <${value}>`, description).argParser((v: string, prev?: string[]) => [...(prev ?? []), v]);

const NO_WEBHOOKS = "accepted for compatibility; this version serves no webhooks";
const absent = CONTROLLER_NAMES.filter((n) => !IMPLEMENTED_CONTROLLERS.has(n));

/** Builds the `extension` subcommand. */
export function extensionCommand() {
  return new Command("extension")
    .description("run the Gardener extension controllers for Equinix Metal (infrastructure, worker, heartbeat)")
    .addOption(flag("gardener-version", "version", "version of the Gardener that deploys the extension"))
    .addOption(boolFlag(
      "self-hosted-shoot-cluster",
      "the extension runs in a self-hosted shoot cluster (default: false; only webhooks use it, and this version " +
        "serves none)",
    ))
    .addOption(boolFlag("autonomous-shoot-cluster", "old name of --self-hosted-shoot-cluster"))
    .addOption(flag("kubeconfig", "path", "kubeconfig of the seed (default: KUBECONFIG, ~/.kube/config, in-cluster)"))
    .addOption(flag("master", "url", "URL of the seed's API server (overrides the kubeconfig)"))
    .addOption(boolFlag("leader-election", "run the controllers only while holding the leader lease (default: true)"))
    .addOption(flag("leader-election-id", "name", `lease name (default: ${DEFAULT_LEADER_ELECTION_ID})`))
    .addOption(
      flag("leader-election-namespace", "namespace", "lease namespace (default: $LEADER_ELECTION_NAMESPACE)"),
    )
    .addOption(flag("metrics-bind-address", "address", "address of /metrics (default: :8080; 0 disables)"))
    .addOption(flag("health-bind-address", "address", "address of /healthz and /readyz (default: :8081; 0 disables)"))
    .addOption(flag("webhook-config-server-host", "host", `webhook server host (${NO_WEBHOOKS})`))
    .addOption(flag("webhook-config-server-port", "port", `webhook server port (default: 443; ${NO_WEBHOOKS})`))
    .addOption(flag("webhook-config-cert-dir", "path", `webhook certificate directory (${NO_WEBHOOKS})`))
    .addOption(
      flag("controlplane-max-concurrent-reconciles", "n", "parallel ControlPlane reconciles (default: 5)"),
    )
    .addOption(
      flag("infrastructure-max-concurrent-reconciles", "n", "parallel Infrastructure reconciles (default: 5)"),
    )
    .addOption(flag("worker-max-concurrent-reconciles", "n", "parallel Worker reconciles (default: 5)"))
    .addOption(flag("healthcheck-max-concurrent-reconciles", "n", "parallel health checks (default: 1)"))
    .addOption(
      flag(
        "heartbeat-namespace",
        "namespace",
        "namespace of the heartbeat lease (default: $LEADER_ELECTION_NAMESPACE)",
      ),
    )
    .addOption(flag("heartbeat-renew-interval-seconds", "seconds", "heartbeat renew interval, > 0 (default: 30)"))
    .addOption(
      listFlag(
        "controllers",
        "names",
        `controllers to run, comma-separated (default: all of ${CONTROLLER_NAMES.join(", ")}; ` +
          `${absent.join(" and ")} are accepted but not part of this version)`,
      ),
    )
    .addOption(listFlag("disable-controllers", "names", "controllers not to run, comma-separated"))
    .addOption(flag("config-file", "path", "ControllerConfiguration file (default: built-in defaults)"))
    .addOption(
      boolFlag("ignore-operation-annotation", "react to spec and Cluster changes, not to gardenlet (default: false)"),
    )
    .addOption(
      listFlag(
        "extension-classes",
        "classes",
        "extension classes to handle, comma-separated: shoot, seed, garden (default: shoot)",
      ),
    )
    .addOption(flag("extension-class", "class", "old name of --extension-classes (one class)"))
    .addOption(
      listFlag("disable-webhooks", "names", `webhooks not to run: ${WEBHOOK_NAMES.join(", ")}, * (${NO_WEBHOOKS})`),
    )
    .addOption(
      flag("webhook-config-mode", "mode", `how webhooks are reached: service, url, url-service (${NO_WEBHOOKS})`),
    )
    .addOption(flag("webhook-config-url", "url", `webhook URL in the url modes (${NO_WEBHOOKS})`))
    .addOption(flag("webhook-config-service-port", "port", `webhook service port (${NO_WEBHOOKS})`))
    .addOption(
      flag(
        "webhook-config-namespace",
        "namespace",
        `webhook namespace (default: $WEBHOOK_CONFIG_NAMESPACE; ${NO_WEBHOOKS})`,
      ),
    )
    .addOption(
      flag(
        "webhook-config-owner-namespace",
        "namespace",
        `namespace owning the webhook configuration (${NO_WEBHOOKS})`,
      ),
    )
    .addOption(flag("metal-api-url", "url", `Equinix Metal API base URL (default: ${DEFAULT_METAL_API_URL})`))
    .action(async (opts, cmd) => {
      const { settings, errors } = resolveExtensionFlags(opts as RawExtensionFlags, Deno.env.toObject());
      if (!settings) return cmd.error(`invalid flags: ${errors.join("; ")}`);
      const log = getLogger("extension");
      const signal = shutdownSignal(log);
      const { runExtension } = await import("../extension/app.ts");
      const reason = await runExtension({ settings, log }, signal);
      if (reason === "leadership-lost") {
        log.error("Leader election lost; exiting");
        Deno.exitCode = 1;
      }
    });
}
