/**
 * The `mcm_*` metrics of MCM's machine controller. Machine gauges are computed at scrape time from the informer
 * caches of the controllers that report to a registry, so they never go stale.
 */
import type { Machine } from "../../apis/machine/v1alpha1.ts";
import { LABEL_DEPLOYMENT_NAME, phaseOf } from "../../apis/machine/v1alpha1.ts";
import {
  counter,
  Gauge,
  histogram,
  type MetricConfiguration,
  type Registry,
  registry,
} from "../../observability/metrics.ts";

/** What a running controller exposes to the scrape-time collectors. */
export interface MetricsSource {
  machines(): Machine[];
  frozen(): boolean;
}

/** MCM's numeric encoding of phases in mcm_machine_current_status_phase. */
export function phaseValue(phase: string): number {
  switch (phase) {
    case "Pending":
      return -2;
    case "Available":
      return -1;
    case "Running":
      return 0;
    case "Terminating":
      return 1;
    case "Unknown":
      return 2;
    case "Failed":
      return 3;
    default:
      return 0;
  }
}

/** MCM's numeric encoding of condition statuses. */
export function conditionValue(status: string): number {
  return status === "True" ? 1 : status === "Unknown" ? 2 : 0;
}

const scrapeFailures = counter({
  name: "mcm_misc_scrape_failure_total",
  help: "Total count of scrape failures.",
  labelNames: ["kind"] as const,
});

function guarded(kind: string, fn: () => void): void {
  try {
    fn();
  } catch {
    scrapeFailures.inc({ kind });
  }
}

/** mcm_machine_items_total; it also holds the sources of every machine gauge of its registry. */
class MachineItemsGauge extends Gauge {
  readonly sources = new Set<MetricsSource>();
}

/**
 * The sources of a registry's machine gauges: the gauges are registered with the first source, and each scrape reads
 * the caches of every controller reporting to that registry (one `/metrics` per process sums them, as it always did).
 * The sources belong to the registry, not to this module: controllers given different registries share nothing.
 */
function machineSources(reg: Registry): Set<MetricsSource> {
  const existing = reg.getSingleMetric("mcm_machine_items_total");
  if (existing instanceof MachineItemsGauge) return existing.sources;
  const items = new MachineItemsGauge({
    name: "mcm_machine_items_total",
    help: "Count of machines currently managed by the mcm.",
    collect() {
      guarded("Machine-count", () => this.set(machines().length));
    },
  });
  reg.registerMetric(items);
  const sources = items.sources;
  const machines = () => [...sources].flatMap((s) => s.machines());
  const gauge = <T extends string>(config: MetricConfiguration<T, Gauge<T>>) => reg.registerMetric(new Gauge(config));
  gauge({
    name: "mcm_machine_controller_frozen",
    help: "Frozen status of the machine controller manager.",
    collect() {
      this.set([...sources].some((s) => s.frozen()) ? 1 : 0);
    },
  });

  gauge({
    name: "mcm_machine_current_status_phase",
    help: "Current status phase of the Machines currently managed by the mcm.",
    labelNames: ["name", "namespace"] as const,
    collect() {
      guarded("Machine-phase", () => {
        this.reset();
        for (const m of machines()) {
          this.set({ name: m.metadata.name!, namespace: m.metadata.namespace ?? "" }, phaseValue(phaseOf(m)));
        }
      });
    },
  });

  gauge({
    name: "mcm_machine_info",
    help: "Information of the Machines currently managed by the mcm.",
    labelNames: [
      "name",
      "namespace",
      "createdAt",
      "spec_provider_id",
      "spec_class_api_group",
      "spec_class_kind",
      "spec_class_name",
      "node_name",
    ] as const,
    collect() {
      guarded("Machine-info", () => {
        this.reset();
        for (const m of machines()) {
          const created = m.metadata.creationTimestamp
            ? Math.floor(Date.parse(m.metadata.creationTimestamp) / 1000)
            : 0;
          this.set({
            name: m.metadata.name!,
            namespace: m.metadata.namespace ?? "",
            createdAt: String(created),
            spec_provider_id: m.spec?.providerID ?? "",
            spec_class_api_group: m.spec?.class?.apiGroup ?? "",
            spec_class_kind: m.spec?.class?.kind ?? "",
            spec_class_name: m.spec?.class?.name ?? "",
            node_name: m.metadata.labels?.node ?? "",
          }, 1);
        }
      });
    },
  });

  gauge({
    name: "mcm_machine_status_condition",
    help: "Information of the mcm managed Machines' status conditions.",
    labelNames: ["name", "namespace", "condition"] as const,
    collect() {
      guarded("Machine-condition", () => {
        this.reset();
        for (const m of machines()) {
          for (const c of m.status?.conditions ?? []) {
            this.set(
              { name: m.metadata.name!, namespace: m.metadata.namespace ?? "", condition: c.type },
              conditionValue(c.status),
            );
          }
        }
      });
    },
  });
  return sources;
}

/** Adds a controller's caches to the scrape-time metrics of a registry; returns a function that removes it. */
export function registerMetricsSource(source: MetricsSource, reg: Registry = registry): () => void {
  const sources = machineSources(reg);
  sources.add(source);
  return () => sources.delete(source);
}

const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

const durations = {
  create: histogram({
    name: "mcm_machine_create_duration_seconds",
    help: "Duration in seconds to create a Machine of a MachineDeployment.",
    labelNames: ["namespace", "machine_deployment"] as const,
    buckets: DURATION_BUCKETS,
  }),
  initialize: histogram({
    name: "mcm_machine_initialize_duration_seconds",
    help: "Duration in seconds to initialize a Machine of a MachineDeployment.",
    labelNames: ["namespace", "machine_deployment"] as const,
    buckets: DURATION_BUCKETS,
  }),
  join: histogram({
    name: "mcm_machine_join_duration_seconds",
    help: "Duration in seconds for a Machine of a MachineDeployment to join the cluster.",
    labelNames: ["namespace", "machine_deployment"] as const,
    buckets: DURATION_BUCKETS,
  }),
  drain: histogram({
    name: "mcm_machine_drain_duration_seconds",
    help: "Duration in seconds to drain a Machine of a MachineDeployment.",
    labelNames: ["namespace", "machine_deployment"] as const,
    buckets: DURATION_BUCKETS,
  }),
  delete: histogram({
    name: "mcm_machine_delete_duration_seconds",
    help: "Duration in seconds to delete a Machine of a MachineDeployment.",
    labelNames: ["namespace", "machine_deployment"] as const,
    buckets: DURATION_BUCKETS,
  }),
};

/** Records one lifecycle duration of a machine (machines without a `name` label have no deployment and are skipped). */
export function observeMachineDuration(kind: keyof typeof durations, machine: Machine, ms: number): void {
  const md = machine.metadata.labels?.[LABEL_DEPLOYMENT_NAME];
  if (!md) return;
  durations[kind].observe({ namespace: machine.metadata.namespace ?? "", machine_deployment: md }, ms / 1000);
}

const failedJoin = counter({
  name: "mcm_machine_num_failed_join",
  help: "Number of Machines of a MachineDeployment that failed to join the cluster.",
  labelNames: ["namespace", "machine_deployment", "instance_type", "zone"] as const,
});

/** Counts a machine that did not join within its creation timeout. */
export function countFailedJoin(machine: Machine, instanceType: string | undefined): void {
  const md = machine.metadata.labels?.[LABEL_DEPLOYMENT_NAME];
  if (!md) return;
  failedJoin.inc({
    namespace: machine.metadata.namespace ?? "",
    machine_deployment: md,
    instance_type: instanceType ?? "",
    zone: machine.spec?.nodeTemplate?.metadata?.labels?.["topology.kubernetes.io/zone"] ?? "",
  });
}

const apiRequests = counter({
  name: "mcm_cloud_api_requests_total",
  help: "Number of Cloud Service API requests, partitioned by provider, and service.",
  labelNames: ["provider", "service"] as const,
});
const apiFailures = counter({
  name: "mcm_cloud_api_requests_failed_total",
  help: "Number of Failed Cloud Service API requests, partitioned by provider, and service.",
  labelNames: ["provider", "service"] as const,
});
const driverDuration = histogram({
  name: "mcm_cloud_api_driver_request_duration_seconds",
  help: "Total time (in seconds) taken for a driver API request to complete",
  labelNames: ["provider", "operation"] as const,
});
const driverFailures = counter({
  name: "mcm_cloud_api_driver_requests_failed_total",
  help: "Number of failed Driver API requests, partitioned by provider, operation and error code",
  labelNames: ["provider", "operation", "error_code"] as const,
});

/** Records one driver call: its outcome code ("OK" on success) and duration. */
export function observeDriverCall(provider: string, operation: string, code: string, seconds: number): void {
  apiRequests.inc({ provider, service: operation });
  if (code !== "OK") {
    apiFailures.inc({ provider, service: operation });
    driverFailures.inc({ provider, operation, error_code: code });
  } else {
    driverDuration.observe({ provider, operation }, seconds);
  }
}
