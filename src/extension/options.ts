/**
 * The extension's options: the flag table of the Go provider's `provider-equinix-metal-controller-manager` (names,
 * Go syntax, defaults, help; Gardener's current names with the old ones beside them), the options it resolves into,
 * controller and webhook names, and the validation, every error naming its flag. Light on purpose: the CLI loads it
 * for every `extension` invocation before the heavy controller graph.
 */
import { EXTENSION_NAME, ExtensionClass } from "../apis/extensions/constants.ts";
import { DEFAULT_METAL_API_URL, metalApiUrlProblem } from "../metal/api_url.ts";
import { DEFAULT_RENEW_INTERVAL_SECONDS } from "./heartbeat/renew_interval.ts";
import { parseListenAddress } from "../observability/listen_address.ts";
import { inFlagOrder, pflag, pick, type RawValues, resolveFlagValues, type Values } from "../runtime/flags.ts";
import { WEBHOOK_CONFIG_MODES, type WebhookConfigMode } from "./webhook/registration.ts";
import type { WebhookSettings } from "./webhook/add.ts";

/** Controller names of `--controllers` / `--disable-controllers` (the Go provider's). */
export const CONTROLLER_NAMES = ["infrastructure", "controlplane", "worker", "healthcheck", "heartbeat"] as const;
export type ControllerName = (typeof CONTROLLER_NAMES)[number];
/** Controllers this build implements; the others are accepted and reported as not available. */
export const IMPLEMENTED_CONTROLLERS: ReadonlySet<ControllerName> = new Set([
  "infrastructure",
  "controlplane",
  "worker",
  "healthcheck",
  "heartbeat",
]);
/** Webhook names of `--disable-webhooks` (`*` disables all). */
export const WEBHOOK_NAMES = ["controlplane", "seedprovider", "shoot"] as const;
const DEFAULT_LEADER_ELECTION_ID = `${EXTENSION_NAME}-leader-election`;

/** Where the serving certificate is written, as upstream (`--webhook-config-cert-dir`). */
export const DEFAULT_WEBHOOK_CERT_DIR = "/tmp/gardener-extensions-cert";
const absent = CONTROLLER_NAMES.filter((n) => !IMPLEMENTED_CONTROLLERS.has(n));

/** A listen address, or `0` (controller-runtime's "disabled"). */
function bindAddress(text: string): string {
  if (text !== "0") parseListenAddress(text);
  return text;
}

function webhookMode(text: string): WebhookConfigMode {
  if (!(WEBHOOK_CONFIG_MODES as readonly string[]).includes(text)) {
    throw new Error(`unsupported value ${JSON.stringify(text)} (one of ${WEBHOOK_CONFIG_MODES.join(", ")})`);
  }
  return text as WebhookConfigMode;
}

/** The flags of `extension`. */
export const EXTENSION_FLAGS = {
  gardenerVersion: pflag.string({
    placeholder: "<version>",
    help: "version of the Gardener that deploys the extension",
  }),
  selfHostedShootCluster: pflag.bool({
    help: "the extension runs in a self-hosted shoot cluster: shoot webhooks go into the seed configuration",
    default: false,
  }),
  autonomousShootCluster: pflag.bool({ help: "old name of --self-hosted-shoot-cluster", default: false }),
  kubeconfig: pflag.string({
    placeholder: "<path>",
    help: "kubeconfig of the seed",
    defaultText: "KUBECONFIG, ~/.kube/config, in-cluster",
  }),
  master: pflag.string({ placeholder: "<url>", help: "URL of the seed's API server (overrides the kubeconfig)" }),
  leaderElection: pflag.bool({ help: "run the controllers only while holding the leader lease", default: true }),
  leaderElectionId: pflag.string({ placeholder: "<name>", help: "lease name", default: DEFAULT_LEADER_ELECTION_ID }),
  leaderElectionNamespace: pflag.string({
    placeholder: "<namespace>",
    help: "lease namespace",
    defaultText: "$LEADER_ELECTION_NAMESPACE",
  }),
  metricsBindAddress: pflag.string({
    placeholder: "<address>",
    help: "address of /metrics; 0 disables",
    default: ":8080",
    parse: bindAddress,
  }),
  healthBindAddress: pflag.string({
    placeholder: "<address>",
    help: "address of /healthz and /readyz; 0 disables",
    default: ":8081",
    parse: bindAddress,
  }),
  webhookConfigServerHost: pflag.string({
    placeholder: "<host>",
    help: "host the webhook server listens on",
    defaultText: "all interfaces",
  }),
  webhookConfigServerPort: pflag.int({
    placeholder: "<port>",
    help: "port the webhook server listens on (the chart sets 10250)",
    default: 443,
    min: 0,
  }),
  webhookConfigCertDir: pflag.string({
    placeholder: "<path>",
    help: "directory the serving certificate is written to (tls.crt, tls.key); empty: kept in memory only",
    default: DEFAULT_WEBHOOK_CERT_DIR,
  }),
  controlplaneMaxConcurrentReconciles: pflag.int({ help: "parallel ControlPlane reconciles", default: 5, min: 1 }),
  infrastructureMaxConcurrentReconciles: pflag.int({ help: "parallel Infrastructure reconciles", default: 5, min: 1 }),
  workerMaxConcurrentReconciles: pflag.int({ help: "parallel Worker reconciles", default: 5, min: 1 }),
  healthcheckMaxConcurrentReconciles: pflag.int({ help: "parallel health checks", default: 1, min: 1 }),
  heartbeatNamespace: pflag.string({
    placeholder: "<namespace>",
    help: "namespace of the heartbeat lease",
    defaultText: "$LEADER_ELECTION_NAMESPACE",
  }),
  heartbeatRenewIntervalSeconds: pflag.int({
    placeholder: "<seconds>",
    help: "heartbeat renew interval, > 0",
    default: DEFAULT_RENEW_INTERVAL_SECONDS,
    min: 1,
  }),
  controllers: pflag.list({
    help: `controllers to run, comma-separated${
      absent.length === 0
        ? ""
        : `; ${absent.join(" and ")} ${absent.length === 1 ? "is" : "are"} accepted but not part of this version`
    }`,
    defaultText: `all of ${CONTROLLER_NAMES.join(", ")}`,
  }),
  disableControllers: pflag.list({ help: "controllers not to run, comma-separated" }),
  configFile: pflag.string({
    placeholder: "<path>",
    help: "ControllerConfiguration file",
    defaultText: "built-in defaults",
  }),
  ignoreOperationAnnotation: pflag.bool({
    help: "react to spec and Cluster changes, not to gardenlet",
    default: false,
  }),
  extensionClasses: pflag.list({
    placeholder: "<classes>",
    help: "extension classes to handle, comma-separated: shoot, seed, garden",
    defaultText: "shoot",
  }),
  extensionClass: pflag.string({ placeholder: "<class>", help: "old name of --extension-classes (one class)" }),
  disableWebhooks: pflag.list({ help: `webhooks not to run: ${WEBHOOK_NAMES.join(", ")}, * (all)` }),
  webhookConfigMode: pflag.string({
    placeholder: "<mode>",
    help: "how kube-apiservers reach the webhooks: service, url (--webhook-config-url), url-service",
    default: "service",
    parse: webhookMode,
  }),
  webhookConfigUrl: pflag.string({ placeholder: "<host[:port]>", help: "where the webhooks are reached in url mode" }),
  webhookConfigServicePort: pflag.int({
    placeholder: "<port>",
    help: "port of the extension's Service in the webhook configurations",
    defaultText: "--webhook-config-server-port",
    min: 1,
  }),
  webhookConfigNamespace: pflag.string({
    placeholder: "<namespace>",
    help: "the extension's namespace: certificates kept and rotated in its Secrets, Service namespace; " +
      "empty: a one-off certificate",
    defaultText: "$WEBHOOK_CONFIG_NAMESPACE",
  }),
  webhookConfigOwnerNamespace: pflag.string({
    placeholder: "<namespace>",
    help: "Namespace owning the seed webhook configuration (garbage-collected with it)",
    defaultText: "--webhook-config-namespace",
  }),
  metalApiUrl: pflag.string({
    placeholder: "<url>",
    help: "Equinix Metal API base URL",
    default: DEFAULT_METAL_API_URL,
  }),
  metalApiAllowPlainHttp: pflag.bool({
    help: "allow an http:// --metal-api-url on a host that is not loopback",
    default: false,
  }),
};

type ExtensionFlags = typeof EXTENSION_FLAGS;

/** The flags' text as the command line gives it. */
export type RawExtensionOptions = RawValues<ExtensionFlags>;

/** The flags passed on as they are. */
const AS_GIVEN = [
  "gardenerVersion",
  "kubeconfig",
  "master",
  "ignoreOperationAnnotation",
  "metalApiUrl",
  "metalApiAllowPlainHttp",
] as const;

/** Everything the extension needs, resolved and validated. */
export type ExtensionOptions = Pick<Values<ExtensionFlags>, (typeof AS_GIVEN)[number]> & {
  leaderElection?: { id: string; namespace?: string };
  /** Listen addresses of /healthz, /readyz and /metrics (each serves all three); empty: none. */
  probeAddresses: string[];
  concurrency: Record<"controlplane" | "infrastructure" | "worker" | "healthcheck", number>;
  heartbeat: { namespace?: string; renewIntervalSeconds: number };
  /** `GARDENER_SHOOT_CLIENT=external`: the health checks read shoots through the `gardener` secret first. */
  shootClientExternal: boolean;
  controllers: ControllerName[];
  configFile?: string;
  /** Extension classes whose objects the controllers handle (`spec.class`, unset meaning `shoot`); never empty. */
  extensionClasses: string[];
  /** The webhook server and its registration; `disabled`: names of `--disable-webhooks` (`*`: all). */
  webhooks: WebhookSettings & { disabled: string[]; selfHostedShootCluster: boolean };
};

/** The enabled controllers: `--controllers` (default all) minus `--disable-controllers`; unknown names are errors. */
export function resolveControllers(
  enabled: readonly string[] | undefined,
  disabled: readonly string[] | undefined,
  errors: string[],
): ControllerName[] {
  const known = new Set<string>(CONTROLLER_NAMES);
  for (const [flag, names] of [["--controllers", enabled], ["--disable-controllers", disabled]] as const) {
    const unknown = (names ?? []).filter((n) => !known.has(n));
    if (unknown.length) {
      errors.push(`${flag}: unknown controller(s) ${unknown.join(", ")} (known: ${CONTROLLER_NAMES.join(", ")})`);
    }
  }
  const off = new Set(disabled ?? []);
  return CONTROLLER_NAMES.filter((n) => (enabled === undefined || enabled.includes(n)) && !off.has(n));
}

/**
 * The extension classes of `--extension-classes` (a list, Gardener's current flag) and the old singular
 * `--extension-class`, together and without repeats; none given means `shoot`. Unknown classes are errors.
 */
export function resolveExtensionClasses(
  classes: readonly string[] | undefined,
  oldSingular: string | undefined,
  errors: string[],
): string[] {
  const known = Object.values(ExtensionClass) as string[];
  const out: string[] = [];
  for (
    const [flag, names] of [["--extension-classes", classes ?? []], ["--extension-class", [oldSingular ?? ""]]] as const
  ) {
    for (const name of names) {
      if (name === "") continue;
      if (!known.includes(name)) {
        errors.push(`${flag}: unsupported value ${JSON.stringify(name)} (one of ${known.join(", ")})`);
      } else if (!out.includes(name)) out.push(name);
    }
  }
  return out.length ? out : [ExtensionClass.Shoot];
}

/** Resolves and validates the flags (environment as fallback); every problem names its flag. */
export function resolveExtensionOptions(
  raw: RawExtensionOptions,
  env: Record<string, string | undefined>,
): { options?: ExtensionOptions; errors: string[] } {
  const { values: v, errors } = resolveFlagValues(EXTENSION_FLAGS, raw);
  const leNamespace = v.leaderElectionNamespace || env.LEADER_ELECTION_NAMESPACE || undefined;
  const probeAddresses: string[] = [];
  for (const address of [v.healthBindAddress, v.metricsBindAddress]) {
    if (address === "0") continue; // controller-runtime's "disabled"
    // The same fixed address twice is one server; port 0 asks for two different ones.
    if (parseListenAddress(address).port === 0 || !probeAddresses.includes(address)) probeAddresses.push(address);
  }
  const controllers = resolveControllers(v.controllers, v.disableControllers, errors);
  const extensionClasses = resolveExtensionClasses(v.extensionClasses, v.extensionClass, errors);
  const disabledWebhooks = v.disableWebhooks ?? [];
  const unknownWebhooks = disabledWebhooks.filter((w) =>
    w !== "*" && !(WEBHOOK_NAMES as readonly string[]).includes(w)
  );
  if (unknownWebhooks.length) {
    errors.push(
      `--disable-webhooks: unknown webhook(s) ${unknownWebhooks.join(", ")} (known: ${WEBHOOK_NAMES.join(", ")}, *)`,
    );
  }
  const metalUrlProblem = metalApiUrlProblem(v.metalApiUrl, v.metalApiAllowPlainHttp);
  if (metalUrlProblem) errors.push(`--metal-api-url: ${metalUrlProblem}`);
  if (v.master !== undefined) {
    try {
      new URL(v.master);
    } catch {
      errors.push(`--master: not an absolute URL: ${JSON.stringify(v.master)}`);
    }
  }
  const webhookNamespace = v.webhookConfigNamespace || env.WEBHOOK_CONFIG_NAMESPACE || undefined;
  if (v.webhookConfigMode === "url" && !v.webhookConfigUrl && !disabledWebhooks.includes("*")) {
    errors.push("--webhook-config-url: required with --webhook-config-mode=url");
  }
  if (errors.length) return { errors: inFlagOrder(EXTENSION_FLAGS, errors) };
  return {
    errors,
    options: {
      ...pick(v, AS_GIVEN),
      leaderElection: v.leaderElection
        ? { id: v.leaderElectionId || DEFAULT_LEADER_ELECTION_ID, namespace: leNamespace }
        : undefined,
      probeAddresses,
      concurrency: {
        controlplane: v.controlplaneMaxConcurrentReconciles,
        infrastructure: v.infrastructureMaxConcurrentReconciles,
        worker: v.workerMaxConcurrentReconciles,
        healthcheck: v.healthcheckMaxConcurrentReconciles,
      },
      heartbeat: {
        namespace: v.heartbeatNamespace || env.LEADER_ELECTION_NAMESPACE || undefined,
        renewIntervalSeconds: v.heartbeatRenewIntervalSeconds,
      },
      shootClientExternal: env.GARDENER_SHOOT_CLIENT === "external",
      controllers,
      configFile: v.configFile || undefined,
      extensionClasses,
      webhooks: {
        disabled: disabledWebhooks,
        selfHostedShootCluster: v.selfHostedShootCluster || v.autonomousShootCluster,
        host: v.webhookConfigServerHost ?? "",
        port: v.webhookConfigServerPort,
        certDir: v.webhookConfigCertDir || undefined,
        mode: v.webhookConfigMode as WebhookConfigMode,
        url: v.webhookConfigUrl || undefined,
        namespace: webhookNamespace,
        ownerNamespace: v.webhookConfigOwnerNamespace || webhookNamespace,
        servicePort: v.webhookConfigServicePort ?? v.webhookConfigServerPort,
      },
    },
  };
}
