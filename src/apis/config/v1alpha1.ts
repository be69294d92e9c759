/**
 * The component configuration `equinixmetal.provider.extensions.config.gardener.cloud/v1alpha1`
 * `ControllerConfiguration`, read from `--config-file`.
 *
 * Fixes of upstream: `clientConnection.qps/burst` are honoured (upstream parsed them and hard-coded 100/130), and
 * defaults are applied per field (upstream replaced the whole `healthCheckConfig`, so setting only `syncPeriod` lost
 * the shoot client's QPS 100 / burst 130). Values are validated: Go durations, quantities, positive rates.
 */
import { z } from "zod";
import { decodeTyped, type FieldError, fieldPath, invalid, throwIfErrors, type TypedKind } from "../decode.ts";
import { DurationParseError, parseDuration } from "../../runtime/duration.ts";
import { isQuantity, parseQuantity } from "../quantity.ts";

export const GROUP = "equinixmetal.provider.extensions.config.gardener.cloud";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}` as const;
export const KIND = "ControllerConfiguration";

/** component-base `ClientConnectionConfiguration`: how we talk to the seed API server. */
export const ClientConnectionSchema = z.object({
  acceptContentTypes: z.string().optional(),
  contentType: z.string().optional(),
  qps: z.number().optional(),
  burst: z.number().int().optional(),
  kubeconfig: z.string().optional(),
});

/** Storage of the shoot's `etcd-main`, applied by the seedprovider webhook. */
export const ETCDSchema = z.object({
  storage: z
    .object({
      className: z.string().optional(),
      /** A quantity such as `25Gi` (a plain number is bytes). */
      capacity: z.union([z.string(), z.number()]).optional(),
    })
    .optional(),
});

/** Settings of the shoot REST client the health checks use. */
export const RESTOptionsSchema = z.object({
  qps: z.number().optional(),
  burst: z.number().int().optional(),
  /**
   * Request timeout: Go duration text (`30s`), or integer nanoseconds, which is how Go's `*time.Duration` field of the
   * upstream file serialises.
   */
  timeout: z.union([z.string(), z.number().int()]).optional(),
});

/** Gardener's `HealthCheckConfig`. */
export const HealthCheckConfigSchema = z.object({
  /** Go duration, e.g. `30s`. */
  syncPeriod: z.string().optional(),
  shootRESTOptions: RESTOptionsSchema.optional(),
});

export const ControllerConfigurationSchema = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(KIND),
  clientConnection: ClientConnectionSchema.optional(),
  etcd: ETCDSchema.optional(),
  healthCheckConfig: HealthCheckConfigSchema.optional(),
});
/** The file as written (nothing defaulted). */
export type ControllerConfiguration = z.output<typeof ControllerConfigurationSchema>;

export const ControllerConfigurationKind: TypedKind<typeof ControllerConfigurationSchema> = {
  apiVersion: API_VERSION,
  kind: KIND,
  schema: ControllerConfigurationSchema,
};

/** Defaults, each applied on its own when the field is absent. */
export const DEFAULTS = {
  clientConnection: { acceptContentTypes: "", contentType: "application/json", qps: 100, burst: 130, kubeconfig: "" },
  healthCheck: { syncPeriodMs: 30_000, shootRESTOptions: { qps: 100, burst: 130 } },
} as const;

/** The configuration with every default applied and every value parsed. */
export interface ResolvedControllerConfiguration {
  clientConnection: {
    acceptContentTypes: string;
    contentType: string;
    qps: number;
    burst: number;
    /** Empty: use `--kubeconfig`/in-cluster configuration. */
    kubeconfig: string;
  };
  etcd: {
    storage: {
      /** Storage class for etcd-main; undefined keeps gardenlet's class. */
      className?: string;
      /** Quantity text for etcd-main, e.g. `40Gi`; undefined: gardenlet's 25Gi (the seedprovider webhook). */
      capacity?: string;
    };
  };
  healthCheck: {
    syncPeriodMs: number;
    shootRESTOptions: {
      qps: number;
      burst: number;
      /** Undefined or 0: no timeout (client-go's default). */
      timeoutMs?: number;
    };
  };
}

function positive(errors: FieldError[], field: string, value: number | undefined): void {
  if (value !== undefined && !(value > 0)) errors.push(invalid(field, value, "must be greater than 0"));
}

/** Parses a duration field, recording Go's error text as a field error. */
function duration(errors: FieldError[], field: string, value: string): number | undefined {
  try {
    return parseDuration(value);
  } catch (e) {
    if (!(e instanceof DurationParseError)) throw e;
    errors.push(invalid(field, value, `${e.message} (use Go duration syntax such as 30s, 1m30s, 2h)`));
    return undefined;
  }
}

/** Validates a decoded configuration and applies the defaults per field (pure). */
export function resolveControllerConfiguration(cfg: ControllerConfiguration): {
  config?: ResolvedControllerConfiguration;
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const cc = cfg.clientConnection ?? {};
  positive(errors, "clientConnection.qps", cc.qps);
  positive(errors, "clientConnection.burst", cc.burst);

  const storage = cfg.etcd?.storage ?? {};
  const capacity = storage.capacity === undefined ? undefined : String(storage.capacity);
  if (capacity !== undefined) {
    if (!isQuantity(capacity)) {
      errors.push(invalid("etcd.storage.capacity", storage.capacity, "must be a quantity such as 25Gi"));
    } else if (!(parseQuantity(capacity) > 0)) {
      errors.push(invalid("etcd.storage.capacity", storage.capacity, "must be greater than 0"));
    }
  }
  if (storage.className !== undefined && storage.className.trim() === "") {
    errors.push(invalid("etcd.storage.className", storage.className, "must not be empty (omit it for the default)"));
  }

  const hc = cfg.healthCheckConfig ?? {};
  let syncPeriodMs: number | undefined = DEFAULTS.healthCheck.syncPeriodMs;
  if (hc.syncPeriod !== undefined) {
    syncPeriodMs = duration(errors, "healthCheckConfig.syncPeriod", hc.syncPeriod);
    if (syncPeriodMs !== undefined && syncPeriodMs <= 0) {
      errors.push(invalid("healthCheckConfig.syncPeriod", hc.syncPeriod, "must be greater than 0"));
    }
  }
  const rest = hc.shootRESTOptions ?? {};
  const restPath = "healthCheckConfig.shootRESTOptions";
  positive(errors, fieldPath(restPath, "qps"), rest.qps);
  positive(errors, fieldPath(restPath, "burst"), rest.burst);
  let timeoutMs: number | undefined;
  if (typeof rest.timeout === "string") timeoutMs = duration(errors, fieldPath(restPath, "timeout"), rest.timeout);
  else if (typeof rest.timeout === "number") timeoutMs = rest.timeout / 1e6;
  if (timeoutMs !== undefined && timeoutMs < 0) {
    errors.push(invalid(fieldPath(restPath, "timeout"), rest.timeout, "must not be negative"));
  }
  if (errors.length > 0) return { errors };

  const config: ResolvedControllerConfiguration = {
    clientConnection: {
      acceptContentTypes: cc.acceptContentTypes ?? DEFAULTS.clientConnection.acceptContentTypes,
      contentType: cc.contentType ?? DEFAULTS.clientConnection.contentType,
      qps: cc.qps ?? DEFAULTS.clientConnection.qps,
      burst: cc.burst ?? DEFAULTS.clientConnection.burst,
      kubeconfig: cc.kubeconfig ?? DEFAULTS.clientConnection.kubeconfig,
    },
    etcd: { storage: {} },
    healthCheck: {
      syncPeriodMs: syncPeriodMs!,
      shootRESTOptions: {
        qps: rest.qps ?? DEFAULTS.healthCheck.shootRESTOptions.qps,
        burst: rest.burst ?? DEFAULTS.healthCheck.shootRESTOptions.burst,
      },
    },
  };
  if (storage.className !== undefined) config.etcd.storage.className = storage.className;
  if (capacity !== undefined) config.etcd.storage.capacity = capacity;
  if (timeoutMs !== undefined && timeoutMs > 0) config.healthCheck.shootRESTOptions.timeoutMs = timeoutMs;
  return { config, errors };
}

/** Decodes (strictly) and resolves configuration text; errors name `source` (e.g. the file) and the field. */
export function parseControllerConfiguration(text: string, source = "config file"): ResolvedControllerConfiguration {
  const cfg = decodeTyped(ControllerConfigurationKind, text, { object: source });
  const { config, errors } = resolveControllerConfiguration(cfg);
  throwIfErrors(errors, source);
  return config!;
}

/** Reads `--config-file` strictly; errors name the file and the field (`FieldValidationError`) or the I/O problem. */
export async function loadControllerConfiguration(path: string): Promise<ResolvedControllerConfiguration> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`cannot read config file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseControllerConfiguration(text, `config file ${path}`);
}
