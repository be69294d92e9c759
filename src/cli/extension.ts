/**
 * `provider-equinix-metal extension`: the Gardener extension controller (gardener-extension-provider-equinix-metal's
 * `provider-equinix-metal-controller-manager`). Flags and defaults are the Go provider's, with Gardener's current
 * names (`--extension-classes`, `--self-hosted-shoot-cluster`) and their old names as aliases; Go-style booleans
 * (`--leader-election=false`) and comma-separated lists are accepted. Invalid flags are reported together, in one
 * usage error. The controllers run from `src/extension/app.ts`, loaded only when this command runs (every other
 * command starts without them).
 */
import { getLogger } from "../observability/log.ts";
import { keepOnlyPermissions } from "../runtime/permissions.ts";
import { bool, command, list, UsageError, value } from "./parser.ts";
import { shutdownSignal } from "../runtime/shutdown.ts";
import { DEFAULT_METAL_API_URL } from "../metal/api_url.ts";
import {
  CONTROLLER_NAMES,
  DEFAULT_LEADER_ELECTION_ID,
  IMPLEMENTED_CONTROLLERS,
  resolveExtensionFlags,
  WEBHOOK_NAMES,
} from "../extension/settings.ts";

const flag = (placeholder: string, help: string) => value(`<${placeholder}>`, help);
const listFlag = (placeholder: string, help: string) => list(`<${placeholder}>`, help);

const NO_WEBHOOKS = "accepted for compatibility; this version serves no webhooks";
const absent = CONTROLLER_NAMES.filter((n) => !IMPLEMENTED_CONTROLLERS.has(n));

/** The `extension` command. */
export const extensionCommand = command({
  name: "extension",
  summary: "run the Gardener extension controllers for Equinix Metal (infrastructure, worker, heartbeat)",
  flags: {
    gardenerVersion: flag("version", "version of the Gardener that deploys the extension"),
    selfHostedShootCluster: bool(
      "the extension runs in a self-hosted shoot cluster (default: false; only webhooks use it, and this version " +
        "serves none)",
    ),
    autonomousShootCluster: bool("old name of --self-hosted-shoot-cluster"),
    kubeconfig: flag("path", "kubeconfig of the seed (default: KUBECONFIG, ~/.kube/config, in-cluster)"),
    master: flag("url", "URL of the seed's API server (overrides the kubeconfig)"),
    leaderElection: bool("run the controllers only while holding the leader lease (default: true)"),
    leaderElectionId: flag("name", `lease name (default: ${DEFAULT_LEADER_ELECTION_ID})`),
    leaderElectionNamespace: flag("namespace", "lease namespace (default: $LEADER_ELECTION_NAMESPACE)"),
    metricsBindAddress: flag("address", "address of /metrics (default: :8080; 0 disables)"),
    healthBindAddress: flag("address", "address of /healthz and /readyz (default: :8081; 0 disables)"),
    webhookConfigServerHost: flag("host", `webhook server host (${NO_WEBHOOKS})`),
    webhookConfigServerPort: flag("port", `webhook server port (default: 443; ${NO_WEBHOOKS})`),
    webhookConfigCertDir: flag("path", `webhook certificate directory (${NO_WEBHOOKS})`),
    controlplaneMaxConcurrentReconciles: flag("n", "parallel ControlPlane reconciles (default: 5)"),
    infrastructureMaxConcurrentReconciles: flag("n", "parallel Infrastructure reconciles (default: 5)"),
    workerMaxConcurrentReconciles: flag("n", "parallel Worker reconciles (default: 5)"),
    healthcheckMaxConcurrentReconciles: flag("n", "parallel health checks (default: 1)"),
    heartbeatNamespace: flag("namespace", "namespace of the heartbeat lease (default: $LEADER_ELECTION_NAMESPACE)"),
    heartbeatRenewIntervalSeconds: flag("seconds", "heartbeat renew interval, > 0 (default: 30)"),
    controllers: listFlag(
      "names",
      `controllers to run, comma-separated (default: all of ${CONTROLLER_NAMES.join(", ")}; ` +
        `${absent.join(" and ")} are accepted but not part of this version)`,
    ),
    disableControllers: listFlag("names", "controllers not to run, comma-separated"),
    configFile: flag("path", "ControllerConfiguration file (default: built-in defaults)"),
    ignoreOperationAnnotation: bool("react to spec and Cluster changes, not to gardenlet (default: false)"),
    extensionClasses: listFlag(
      "classes",
      "extension classes to handle, comma-separated: shoot, seed, garden (default: shoot)",
    ),
    extensionClass: flag("class", "old name of --extension-classes (one class)"),
    disableWebhooks: listFlag("names", `webhooks not to run: ${WEBHOOK_NAMES.join(", ")}, * (${NO_WEBHOOKS})`),
    webhookConfigMode: flag("mode", `how webhooks are reached: service, url, url-service (${NO_WEBHOOKS})`),
    webhookConfigUrl: flag("url", `webhook URL in the url modes (${NO_WEBHOOKS})`),
    webhookConfigServicePort: flag("port", `webhook service port (${NO_WEBHOOKS})`),
    webhookConfigNamespace: flag("namespace", `webhook namespace (default: $WEBHOOK_CONFIG_NAMESPACE; ${NO_WEBHOOKS})`),
    webhookConfigOwnerNamespace: flag("namespace", `namespace owning the webhook configuration (${NO_WEBHOOKS})`),
    metalApiUrl: flag("url", `Equinix Metal API base URL (default: ${DEFAULT_METAL_API_URL})`),
    metalApiAllowPlainHttp: bool("allow an http:// --metal-api-url on a host that is not loopback (default: false)"),
  },
  async run(opts) {
    // No files written, no programs run (run comes back only for a kubeconfig exec plugin: see runExtension).
    keepOnlyPermissions(["read", "net", "env", "sys", "run"]);
    const { settings, errors } = resolveExtensionFlags(opts, Deno.env.toObject());
    if (!settings) throw new UsageError(`invalid flags: ${errors.join("; ")}`, "extension");
    const log = getLogger("extension");
    const signal = shutdownSignal(log);
    const { runExtension } = await import("../extension/app.ts");
    const reason = await runExtension({ settings, log }, signal);
    if (reason === "leadership-lost") {
      log.error("Leader election lost; exiting");
      Deno.exitCode = 1;
    }
  },
});
