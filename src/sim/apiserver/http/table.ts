/**
 * `meta.k8s.io/v1` Tables, what `kubectl get` asks for (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`):
 * custom resources get a Name column and their CRD version's `additionalPrinterColumns` (kube's default Age column when
 * there are none; date columns as ages, other types as JSON values); Nodes, Pods, Deployments, Secrets and Namespaces
 * get the columns kube's printers show (with `-o wide` the priority-1 ones); every other built-in gets Name and Age.
 * Rows carry the object's metadata (`includeObject=Metadata`, the default), the whole object (`Object`) or nothing
 * (`None`). Pure: the caller passes the time.
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";
import type { PrinterColumn, ServedResource } from "../registry/served_resource.ts";
import { findResults, text } from "./jsonpath.ts";

/** A Table column as kube declares it. */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean | null;
type Json = Record<string, unknown>;

/** The Table version the Accept header asks for (first match wins), or undefined for plain JSON. */
export function tableVersionOf(accept: string | null): "v1" | "v1beta1" | undefined {
  for (const part of (accept ?? "").split(",")) {
    const params = new Map(
      part.split(";").slice(1).map((p) => p.trim().split("=") as [string, string]).map(([k, v]) => [k, v ?? ""]),
    );
    if (params.get("as") !== "Table" || params.get("g") !== "meta.k8s.io") continue;
    const v = params.get("v");
    if (v === "v1" || v === "v1beta1") return v;
  }
  return undefined;
}

/** kube's `HumanDuration`: 45s, 3m20s, 12m, 5h3m, 30h, 3d4h, 50d, 2y10d, 9y. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  if (y < 8) return `${y}y${Math.floor(h / 24) % 365}d`;
  return `${y}y`;
}

function age(obj: KubeObject, nowMs: number): string {
  const t = Date.parse(obj.metadata.creationTimestamp ?? "");
  return Number.isNaN(t) ? "<unknown>" : humanDuration(nowMs - t);
}

const col = (name: string, type = "string", priority = 0, format = "", description = ""): TableColumn => ({
  name,
  type,
  format,
  description,
  priority,
});
const NAME = col("Name", "string", 0, "name", "Name must be unique within a namespace.");
const AGE = col(
  "Age",
  "string",
  0,
  "",
  "CreationTimestamp is a timestamp representing the server time when this object was created.",
);

interface Printer {
  columns: TableColumn[];
  cells(obj: KubeObject, nowMs: number): Cell[];
}

const get = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Json)[k] : undefined), o);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v as Json[] : []);

function nodeStatus(node: KubeObject): string {
  const ready = arr(get(node, "status", "conditions")).find((c) => c.type === "Ready");
  let status = ready?.status === "True" ? "Ready" : ready?.status === "False" ? "NotReady" : "Unknown";
  if (get(node, "spec", "unschedulable") === true) status += ",SchedulingDisabled";
  return status;
}

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/") && k.length > "node-role.kubernetes.io/".length) {
      roles.add(k.slice("node-role.kubernetes.io/".length));
    } else if (k === "kubernetes.io/role" && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(",") : "<none>";
}

function address(node: KubeObject, type: string): string {
  return String(arr(get(node, "status", "addresses")).find((a) => a.type === type)?.address ?? "<none>");
}

function podCells(pod: KubeObject, nowMs: number): Cell[] {
  const statuses = arr(get(pod, "status", "containerStatuses"));
  const total = arr(get(pod, "spec", "containers")).length || statuses.length;
  const ready = statuses.filter((s) => s.ready === true).length;
  const restarts = statuses.reduce((n, s) => n + Number(s.restartCount ?? 0), 0);
  let reason = String(get(pod, "status", "reason") ?? get(pod, "status", "phase") ?? "Unknown");
  for (const s of statuses) {
    const waiting = get(s, "state", "waiting", "reason");
    const terminated = get(s, "state", "terminated", "reason");
    if (typeof waiting === "string" && waiting) reason = waiting;
    else if (typeof terminated === "string" && terminated) reason = terminated;
  }
  if (pod.metadata.deletionTimestamp) reason = "Terminating";
  return [
    pod.metadata.name ?? "",
    `${ready}/${total}`,
    reason,
    restarts,
    age(pod, nowMs),
    String(get(pod, "status", "podIP") ?? "<none>"),
    String(get(pod, "spec", "nodeName") ?? "<none>"),
    String(get(pod, "status", "nominatedNodeName") ?? "<none>"),
    "<none>",
  ];
}

function selectorText(selector: unknown): string {
  const labels = (get(selector, "matchLabels") ?? {}) as Record<string, string>;
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  for (const e of arr(get(selector, "matchExpressions"))) {
    parts.push(`${e.key} ${String(e.operator).toLowerCase()} (${arr(e.values).join(",")})`);
  }
  return parts.length ? parts.join(",") : "<none>";
}

/** The printers of the built-ins kube shows more than Name and Age for, by `group/resource`. */
const BUILTIN_PRINTERS: Record<string, Printer> = {
  "/nodes": {
    columns: [
      NAME,
      col("Status"),
      col("Roles"),
      AGE,
      col("Version"),
      col("Internal-IP", "string", 1),
      col("External-IP", "string", 1),
      col("OS-Image", "string", 1),
      col("Kernel-Version", "string", 1),
      col("Container-Runtime", "string", 1),
    ],
    cells: (n, now) => [
      n.metadata.name ?? "",
      nodeStatus(n),
      nodeRoles(n),
      age(n, now),
      String(get(n, "status", "nodeInfo", "kubeletVersion") ?? ""),
      address(n, "InternalIP"),
      address(n, "ExternalIP"),
      String(get(n, "status", "nodeInfo", "osImage") ?? "<unknown>"),
      String(get(n, "status", "nodeInfo", "kernelVersion") ?? "<unknown>"),
      String(get(n, "status", "nodeInfo", "containerRuntimeVersion") ?? "<unknown>"),
    ],
  },
  "/pods": {
    columns: [
      NAME,
      col("Ready"),
      col("Status"),
      col("Restarts", "integer"),
      AGE,
      col("IP", "string", 1),
      col("Node", "string", 1),
      col("Nominated Node", "string", 1),
      col("Readiness Gates", "string", 1),
    ],
    cells: podCells,
  },
  "apps/deployments": {
    columns: [
      NAME,
      col("Ready"),
      col("Up-to-date", "integer"),
      col("Available", "integer"),
      AGE,
      col("Containers", "string", 1),
      col("Images", "string", 1),
      col("Selector", "string", 1),
    ],
    cells: (d, now) => {
      const containers = arr(get(d, "spec", "template", "spec", "containers"));
      return [
        d.metadata.name ?? "",
        `${Number(get(d, "status", "readyReplicas") ?? 0)}/${Number(get(d, "spec", "replicas") ?? 1)}`,
        Number(get(d, "status", "updatedReplicas") ?? 0),
        Number(get(d, "status", "availableReplicas") ?? 0),
        age(d, now),
        containers.map((c) => String(c.name)).join(","),
        containers.map((c) => String(c.image)).join(","),
        selectorText(get(d, "spec", "selector")),
      ];
    },
  },
  "/secrets": {
    columns: [NAME, col("Type"), col("Data", "string"), AGE],
    cells: (s, now) => [
      s.metadata.name ?? "",
      String(get(s, "type") ?? "Opaque"),
      String(Object.keys({ ...(get(s, "data") as Json ?? {}), ...(get(s, "stringData") as Json ?? {}) }).length),
      age(s, now),
    ],
  },
  "/namespaces": {
    columns: [NAME, col("Status"), AGE],
    cells: (ns, now) => [ns.metadata.name ?? "", String(get(ns, "status", "phase") ?? "Active"), age(ns, now)],
  },
};

const DEFAULT_PRINTER: Printer = { columns: [NAME, AGE], cells: (o, now) => [o.metadata.name ?? "", age(o, now)] };

/** kube's default column of a CRD version without printer columns. */
const DEFAULT_CRD_COLUMNS: PrinterColumn[] = [{ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" }];

/** A custom resource's cell: date → age, string → JSONPath text, number/integer/boolean → the JSON value. */
function customCell(column: PrinterColumn, obj: KubeObject, nowMs: number): Cell {
  let values: unknown[];
  try {
    values = findResults(column.jsonPath, obj);
  } catch {
    return null;
  }
  if (values.length === 0 || values[0] === undefined || values[0] === null) return null;
  const v = values[0];
  switch (column.type) {
    case "date": {
      const t = Date.parse(String(v));
      return Number.isNaN(t) ? "<invalid>" : humanDuration(nowMs - t);
    }
    case "integer":
    case "number":
      return typeof v === "number" ? v : null;
    case "boolean":
      return typeof v === "boolean" ? v : null;
    default:
      return values.map(text).join(" ");
  }
}

function printerOf(resource: ServedResource): Printer {
  if (resource.custom) {
    const custom = resource.custom.printerColumns?.length ? resource.custom.printerColumns : DEFAULT_CRD_COLUMNS;
    return {
      columns: [
        NAME,
        ...custom.map((c) =>
          col(c.name, c.type === "date" ? "date" : c.type, c.priority ?? 0, c.format ?? "", c.description ?? "")
        ),
      ],
      cells: (o, now) => [o.metadata.name ?? "", ...custom.map((c) => customCell(c, o, now))],
    };
  }
  return BUILTIN_PRINTERS[`${resource.type.group}/${resource.type.resource}`] ?? DEFAULT_PRINTER;
}

/** The row object for `includeObject` (`Metadata` by default). */
function rowObject(obj: KubeObject, includeObject: string | null, version: string): unknown {
  if (includeObject === "None") return undefined;
  if (includeObject === "Object") return obj;
  return { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

/** A list (or one object) as a Table of the given version. */
export function toTable(
  resource: ServedResource,
  objects: readonly KubeObject[],
  opts: {
    nowMs: number;
    version: "v1" | "v1beta1";
    includeObject: string | null;
    listMeta?: Record<string, unknown>;
  },
): Record<string, unknown> {
  const printer = printerOf(resource);
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: opts.listMeta ?? {},
    columnDefinitions: printer.columns,
    rows: objects.map((o) => {
      const object = rowObject(o, opts.includeObject, opts.version);
      return object === undefined
        ? { cells: printer.cells(o, opts.nowMs) }
        : { cells: printer.cells(o, opts.nowMs), object };
    }),
  };
}
