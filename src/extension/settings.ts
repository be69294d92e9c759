/**
 * The extension's flags resolved into settings: controller and webhook names, defaults and validation, with the Go
 * provider's flag semantics (Go-style booleans, comma-separated lists, env fallbacks). Light on purpose: the CLI
 * loads it for every `extension` invocation before the heavy controller graph.
 */
import { EXTENSION_NAME, ExtensionClass } from "../apis/extensions/constants.ts";
import { DEFAULT_METAL_API_URL, metalApiUrlProblem } from "../metal/api_url.ts";
import { DEFAULT_RENEW_INTERVAL_SECONDS } from "./heartbeat/renew_interval.ts";
import { parseListenAddress } from "../observability/listen_address.ts";
import { goBool } from "../apis/go_bool.ts";

/** Controller names of `--controllers` / `--disable-controllers` (the Go provider's). */
export const CONTROLLER_NAMES = ["infrastructure", "controlplane", "worker", "healthcheck", "heartbeat"] as const;
export type ControllerName = (typeof CONTROLLER_NAMES)[number];
/** Controllers this build implements; the others are accepted and reported as not available. */
export const IMPLEMENTED_CONTROLLERS: ReadonlySet<ControllerName> = new Set(["infrastructure", "worker", "heartbeat"]);
/** Webhook names of `--disable-webhooks` (`*` disables all). */
export const WEBHOOK_NAMES = ["controlplane", "seedprovider", "shoot"] as const;
export const DEFAULT_LEADER_ELECTION_ID = `${EXTENSION_NAME}-leader-election`;

/** Flag values as given on the command line (strings, as Go's pflag receives them). */
export interface RawExtensionFlags {
  gardenerVersion?: string;
  selfHostedShootCluster?: string | boolean;
  /** Old name of `selfHostedShootCluster` (Gardener renamed the flag). */
  autonomousShootCluster?: string | boolean;
  kubeconfig?: string;
  master?: string;
  leaderElection?: string | boolean;
  leaderElectionId?: string;
  leaderElectionNamespace?: string;
  metricsBindAddress?: string;
  healthBindAddress?: string;
  webhookConfigServerHost?: string;
  webhookConfigServerPort?: string;
  webhookConfigCertDir?: string;
  controlplaneMaxConcurrentReconciles?: string;
  infrastructureMaxConcurrentReconciles?: string;
  workerMaxConcurrentReconciles?: string;
  healthcheckMaxConcurrentReconciles?: string;
  heartbeatNamespace?: string;
  heartbeatRenewIntervalSeconds?: string;
  controllers?: string[];
  disableControllers?: string[];
  configFile?: string;
  ignoreOperationAnnotation?: string | boolean;
  extensionClasses?: string[];
  /** Old singular flag (one class); merged into `extensionClasses`. */
  extensionClass?: string;
  disableWebhooks?: string[];
  webhookConfigMode?: string;
  webhookConfigUrl?: string;
  webhookConfigServicePort?: string;
  webhookConfigNamespace?: string;
  webhookConfigOwnerNamespace?: string;
  metalApiUrl?: string;
  metalApiAllowPlainHttp?: string | boolean;
}

/** Everything the extension needs, resolved and validated. */
export interface ExtensionSettings {
  gardenerVersion?: string;
  kubeconfig?: string;
  master?: string;
  leaderElection?: { id: string; namespace?: string };
  /** Listen addresses of /healthz, /readyz and /metrics (each serves all three); empty: none. */
  probeAddresses: string[];
  concurrency: Record<"controlplane" | "infrastructure" | "worker" | "healthcheck", number>;
  heartbeat: { namespace?: string; renewIntervalSeconds: number };
  controllers: ControllerName[];
  configFile?: string;
  ignoreOperationAnnotation: boolean;
  /** Extension classes whose objects the controllers handle (`spec.class`, unset meaning `shoot`); never empty. */
  extensionClasses: string[];
  metalApiUrl: string;
  /** `--metal-api-allow-plain-http`: an http:// Metal API URL on a host that is not loopback. */
  metalApiAllowPlainHttp: boolean;
  /** Webhook settings, validated for compatibility; this version serves no webhooks. */
  webhooks: { disabled: string[]; mode: string; serverPort: number; namespace?: string };
}

function int(v: string | undefined, flag: string, fallback: number, errors: string[], min = 1): number {
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v.trim())) {
    errors.push(`${flag}: invalid integer ${JSON.stringify(v)}`);
    return fallback;
  }
  const n = Number(v);
  if (n < min) errors.push(`${flag}: must be at least ${min}, got ${n}`);
  return n;
}

/** Splits repeated, comma-separated list flags (`--controllers a,b --controllers c`). */
function list(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter((s) => s !== "");
}

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
export function resolveExtensionFlags(
  raw: RawExtensionFlags,
  env: Record<string, string | undefined>,
): { settings?: ExtensionSettings; errors: string[] } {
  const errors: string[] = [];
  // Only the (not served) webhooks would read it; validated so that a chart's typo does not go unnoticed.
  goBool(raw.selfHostedShootCluster, "--self-hosted-shoot-cluster", false, errors);
  goBool(raw.autonomousShootCluster, "--autonomous-shoot-cluster", false, errors);
  const elect = goBool(raw.leaderElection, "--leader-election", true, errors);
  const leNamespace = raw.leaderElectionNamespace || env.LEADER_ELECTION_NAMESPACE || undefined;
  const probeAddresses: string[] = [];
  for (
    const [flag, value] of [
      ["--health-bind-address", raw.healthBindAddress ?? ":8081"],
      ["--metrics-bind-address", raw.metricsBindAddress ?? ":8080"],
    ] as const
  ) {
    if (value === "0") continue; // controller-runtime's "disabled"
    try {
      const { port } = parseListenAddress(value);
      // The same fixed address twice is one server; port 0 asks for two different ones.
      if (port === 0 || !probeAddresses.includes(value)) probeAddresses.push(value);
    } catch (e) {
      errors.push(`${flag}: ${(e as Error).message}`);
    }
  }
  const concurrency = {
    controlplane: int(raw.controlplaneMaxConcurrentReconciles, "--controlplane-max-concurrent-reconciles", 5, errors),
    infrastructure: int(
      raw.infrastructureMaxConcurrentReconciles,
      "--infrastructure-max-concurrent-reconciles",
      5,
      errors,
    ),
    worker: int(raw.workerMaxConcurrentReconciles, "--worker-max-concurrent-reconciles", 5, errors),
    healthcheck: int(raw.healthcheckMaxConcurrentReconciles, "--healthcheck-max-concurrent-reconciles", 1, errors),
  };
  const renew = int(
    raw.heartbeatRenewIntervalSeconds,
    "--heartbeat-renew-interval-seconds",
    DEFAULT_RENEW_INTERVAL_SECONDS,
    errors,
  );
  const controllers = resolveControllers(list(raw.controllers), list(raw.disableControllers), errors);
  const extensionClasses = resolveExtensionClasses(list(raw.extensionClasses), raw.extensionClass, errors);
  const disabledWebhooks = list(raw.disableWebhooks) ?? [];
  const unknownWebhooks = disabledWebhooks.filter((w) =>
    w !== "*" && !(WEBHOOK_NAMES as readonly string[]).includes(w)
  );
  if (unknownWebhooks.length) {
    errors.push(
      `--disable-webhooks: unknown webhook(s) ${unknownWebhooks.join(", ")} (known: ${WEBHOOK_NAMES.join(", ")}, *)`,
    );
  }
  const mode = raw.webhookConfigMode ?? "service";
  if (!["service", "url", "url-service"].includes(mode)) {
    errors.push(`--webhook-config-mode: unsupported value ${JSON.stringify(mode)} (one of service, url, url-service)`);
  }
  const serverPort = int(raw.webhookConfigServerPort, "--webhook-config-server-port", 443, errors, 0);
  if (raw.webhookConfigServicePort !== undefined) {
    int(raw.webhookConfigServicePort, "--webhook-config-service-port", serverPort, errors, 0);
  }
  const metalApiUrl = raw.metalApiUrl ?? DEFAULT_METAL_API_URL;
  const allowPlainHttp = goBool(raw.metalApiAllowPlainHttp, "--metal-api-allow-plain-http", false, errors);
  const metalUrlProblem = metalApiUrlProblem(metalApiUrl, allowPlainHttp);
  if (metalUrlProblem) errors.push(`--metal-api-url: ${metalUrlProblem}`);
  if (raw.master !== undefined) {
    try {
      new URL(raw.master);
    } catch {
      errors.push(`--master: not an absolute URL: ${JSON.stringify(raw.master)}`);
    }
  }
  const ignore = goBool(raw.ignoreOperationAnnotation, "--ignore-operation-annotation", false, errors);
  if (errors.length) return { errors };
  return {
    errors,
    settings: {
      gardenerVersion: raw.gardenerVersion,
      kubeconfig: raw.kubeconfig,
      master: raw.master,
      leaderElection: elect
        ? { id: raw.leaderElectionId || DEFAULT_LEADER_ELECTION_ID, namespace: leNamespace }
        : undefined,
      probeAddresses,
      concurrency,
      heartbeat: {
        namespace: raw.heartbeatNamespace || env.LEADER_ELECTION_NAMESPACE || undefined,
        renewIntervalSeconds: renew,
      },
      controllers,
      configFile: raw.configFile || undefined,
      ignoreOperationAnnotation: ignore,
      extensionClasses,
      metalApiUrl,
      metalApiAllowPlainHttp: allowPlainHttp,
      webhooks: {
        disabled: disabledWebhooks,
        mode,
        serverPort,
        namespace: raw.webhookConfigNamespace || env.WEBHOOK_CONFIG_NAMESPACE || undefined,
      },
    },
  };
}
