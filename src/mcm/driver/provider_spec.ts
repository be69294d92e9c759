/**
 * The MachineClass `providerSpec` of Equinix Metal machines: decoding with the semantics of Go's encoding/json (what
 * the upstream driver used, so every MachineClass in the wild keeps meaning the same) and validation with field paths.
 *
 * Decoding rules: unknown keys are ignored; a key matches a field exactly, else case-insensitively (Go's fallback:
 * `os` fills `OS`, `projectId` fills `projectID`); when several keys match one field the last one wins; `null` leaves
 * a field unset; a value of the wrong type is an error naming the field; a `null` or non-object spec is an error.
 */
import { z } from "zod";
import { isUuid } from "../../runtime/uuid.ts";

/** Billing cycles the Metal API accepts. */
export const BILLING_CYCLES = ["hourly", "daily", "monthly", "yearly"] as const;
export type BillingCycle = typeof BILLING_CYCLES[number];

/** Reservation id that lets the API pick any free reservation of the plan in the metro. */
export const NEXT_AVAILABLE = "next-available";

/** Substrings that identify the ownership tags (as upstream: the last tag containing each one). */
export const CLUSTER_TAG_MARKER = "kubernetes.io/cluster/";
export const ROLE_TAG_MARKER = "kubernetes.io/role/";

/** Root of every field path in error messages. */
export const SPEC_PATH = "providerSpec";

/** The decoded providerSpec; absent fields are undefined. */
export interface EquinixMetalProviderSpec {
  apiVersion?: string;
  metro?: string;
  /** Facilities within the metro to place devices in (our extension; upstream ignored the key since v0.8.0). */
  facilities?: string[];
  machineType?: string;
  billingCycle?: string;
  OS?: string;
  ipxeScriptUrl?: string;
  projectID?: string;
  tags?: string[];
  sshKeys?: string[];
  /** Decoded for compatibility, never used: user data comes from the secret. */
  userdata?: string;
  reservationIDs?: string[];
  reservedDevicesOnly?: boolean;
}

const optionalString = z.string().nullish();
const optionalStrings = z.array(z.string()).nullish();

const fieldSchemas = {
  apiVersion: optionalString,
  metro: optionalString,
  facilities: optionalStrings,
  machineType: optionalString,
  billingCycle: optionalString,
  OS: optionalString,
  ipxeScriptUrl: optionalString,
  projectID: optionalString,
  tags: optionalStrings,
  sshKeys: optionalStrings,
  userdata: optionalString,
  reservationIDs: optionalStrings,
  reservedDevicesOnly: z.boolean().nullish(),
} as const;

type FieldName = keyof typeof fieldSchemas;
const FIELD_NAMES = Object.keys(fieldSchemas) as FieldName[];
const specSchema = z.object(fieldSchemas);

/** Decoding or validation failed; `problems` are `<path>: <reason>` lines. */
export class ProviderSpecError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `[${problems.join(", ")}]`);
    this.name = "ProviderSpecError";
  }
}

/** Go's case-insensitive fallback uses Unicode simple folding; lower-casing covers every ASCII key we define. */
function foldKey(key: string): string {
  return key.toLowerCase();
}

const FOLDED = new Map<string, FieldName>(FIELD_NAMES.map((n) => [foldKey(n), n]));

function matchField(key: string): FieldName | undefined {
  if ((FIELD_NAMES as string[]).includes(key)) return key as FieldName;
  return FOLDED.get(foldKey(key));
}

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function parseRaw(raw: unknown): unknown {
  if (raw instanceof Uint8Array) raw = new TextDecoder("utf-8", { fatal: false }).decode(raw);
  if (typeof raw !== "string") return raw;
  if (raw.trim() === "") throw new ProviderSpecError([`${SPEC_PATH}: Required value: providerSpec is empty`]);
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new ProviderSpecError([`${SPEC_PATH}: Invalid value: not valid JSON (${(e as Error).message})`]);
  }
}

/**
 * Decodes a providerSpec given as a JSON value (from a MachineClass) or as JSON text/bytes (from CMI). Throws
 * ProviderSpecError naming each field with a wrong type.
 */
export function decodeProviderSpec(raw: unknown): EquinixMetalProviderSpec {
  const value = parseRaw(raw);
  if (value === null || value === undefined) {
    throw new ProviderSpecError([`${SPEC_PATH}: Required value: providerSpec is null`]);
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ProviderSpecError([`${SPEC_PATH}: Invalid value: expected a JSON object, got ${describeType(value)}`]);
  }
  // Map keys onto fields first (exact, then case-insensitive; later keys win), then type-check with zod.
  const canonical: Record<string, unknown> = {};
  const sourceKey: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = matchField(key);
    if (!field) continue;
    canonical[field] = v;
    sourceKey[field] = key;
  }
  const parsed = specSchema.safeParse(canonical);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const [field, ...rest] = issue.path;
      const path = [sourceKey[String(field)] ?? String(field), ...rest]
        .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
        .join("");
      const got = rest.reduce<unknown>(
        (v, p) => (v as Record<PropertyKey, unknown> | undefined)?.[p as PropertyKey],
        canonical[String(field)],
      );
      const expected = "expected" in issue ? String(issue.expected) : "a different value";
      return `${SPEC_PATH}${path}: Invalid value: expected ${expected}, got ${describeType(got)}`;
    });
    throw new ProviderSpecError(problems);
  }
  const out: EquinixMetalProviderSpec = {};
  for (const name of FIELD_NAMES) {
    const v = parsed.data[name];
    if (v !== null && v !== undefined) (out as Record<string, unknown>)[name] = v;
  }
  return out;
}

/** The cluster and role tags of a spec (the last tag containing each marker), as upstream selects them. */
export function ownershipTags(spec: EquinixMetalProviderSpec): { clusterTag?: string; roleTag?: string } {
  let clusterTag: string | undefined;
  let roleTag: string | undefined;
  for (const tag of spec.tags ?? []) {
    if (tag.includes(CLUSTER_TAG_MARKER)) clusterTag = tag;
    else if (tag.includes(ROLE_TAG_MARKER)) roleTag = tag;
  }
  return { clusterTag, roleTag };
}

const LOCATION_CODE = /^[a-z0-9][a-z0-9-]*$/i;

function required(path: string, msg: string): string {
  return `${SPEC_PATH}.${path}: Required value: ${msg}`;
}

function invalid(path: string, value: unknown, msg: string): string {
  return `${SPEC_PATH}.${path}: Invalid value: ${JSON.stringify(value)}: ${msg}`;
}

/** Problems that make a spec unusable for listing and deleting (project and ownership tags). */
export function ownershipProblems(spec: EquinixMetalProviderSpec): string[] {
  const problems: string[] = [];
  if (!spec.projectID) problems.push(required("projectID", "Project ID is required"));
  else if (!isUuid(spec.projectID)) problems.push(invalid("projectID", spec.projectID, "must be a project UUID"));
  const { clusterTag, roleTag } = ownershipTags(spec);
  if (!clusterTag) problems.push(required("tags", `Tag required of the form ${CLUSTER_TAG_MARKER}****`));
  if (!roleTag) problems.push(required("tags", `Tag required of the form ${ROLE_TAG_MARKER}****`));
  return problems;
}

/**
 * Every problem that prevents a create: upstream's rules and messages (OS or iPXE, machineType, projectID, metro,
 * cluster and role tags) plus checks upstream left to the API: billing cycle, reservation ids, facilities, SSH key ids,
 * and `reservedDevicesOnly` without reservations.
 */
export function createProblems(spec: EquinixMetalProviderSpec): string[] {
  const problems: string[] = [];
  // An empty ipxeScriptUrl counts as absent (upstream sent custom_ipxe without a URL, which the API rejects).
  if (!spec.OS && !spec.ipxeScriptUrl) problems.push(required("OS", "OS or IPXEScriptURL is required"));
  if (!spec.machineType) problems.push(required("machineType", "Machine Type is required"));
  if (!spec.metro) problems.push(required("metro", "Metro is required"));
  else if (!LOCATION_CODE.test(spec.metro)) problems.push(invalid("metro", spec.metro, "not a metro code"));
  problems.push(...ownershipProblems(spec));
  if (!spec.billingCycle) {
    problems.push(required("billingCycle", `one of ${BILLING_CYCLES.join(", ")} is required`));
  } else if (!(BILLING_CYCLES as readonly string[]).includes(spec.billingCycle)) {
    problems.push(invalid("billingCycle", spec.billingCycle, `supported values: ${BILLING_CYCLES.join(", ")}`));
  }
  if (spec.ipxeScriptUrl) {
    let ok = false;
    try {
      ok = ["http:", "https:"].includes(new URL(spec.ipxeScriptUrl).protocol);
    } catch { /* reported below */ }
    if (!ok) problems.push(invalid("ipxeScriptUrl", spec.ipxeScriptUrl, "must be an http or https URL"));
  }
  (spec.reservationIDs ?? []).forEach((id, i) => {
    if (id !== NEXT_AVAILABLE && !isUuid(id)) {
      problems.push(invalid(`reservationIDs[${i}]`, id, `must be a reservation UUID or "${NEXT_AVAILABLE}"`));
    }
  });
  if (spec.reservedDevicesOnly && (spec.reservationIDs ?? []).length === 0) {
    problems.push(
      invalid(
        "reservedDevicesOnly",
        true,
        `needs reservationIDs; use reservationIDs: ["${NEXT_AVAILABLE}"] to take any free reservation`,
      ),
    );
  }
  (spec.facilities ?? []).forEach((f, i) => {
    if (!LOCATION_CODE.test(f)) problems.push(invalid(`facilities[${i}]`, f, "not a facility code"));
  });
  (spec.sshKeys ?? []).forEach((k, i) => {
    if (!isUuid(k)) problems.push(invalid(`sshKeys[${i}]`, k, "must be the UUID of a project SSH key"));
  });
  return problems;
}

/** Decodes and validates a spec for creating devices; throws ProviderSpecError listing every problem. */
export function decodeForCreate(raw: unknown): EquinixMetalProviderSpec {
  const spec = decodeProviderSpec(raw);
  const problems = createProblems(spec);
  if (problems.length) throw new ProviderSpecError(problems);
  return spec;
}

/** A spec that identifies the devices of a cluster role: project and both ownership tags. */
export interface OwnershipSpec {
  projectID: string;
  clusterTag: string;
  roleTag: string;
}

/** Decodes a spec for listing/finding devices; only the fields that calls need must be valid. */
export function decodeForOwnership(raw: unknown): { spec: EquinixMetalProviderSpec; owner: OwnershipSpec } {
  const spec = decodeProviderSpec(raw);
  const problems = ownershipProblems(spec);
  if (problems.length) throw new ProviderSpecError(problems);
  const { clusterTag, roleTag } = ownershipTags(spec);
  return { spec, owner: { projectID: spec.projectID!, clusterTag: clusterTag!, roleTag: roleTag! } };
}

/** The operating system slug to send: `custom_ipxe` whenever an iPXE script URL is set. */
export function operatingSystemOf(spec: EquinixMetalProviderSpec): string {
  return spec.ipxeScriptUrl ? "custom_ipxe" : (spec.OS ?? "");
}
