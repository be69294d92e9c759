/**
 * Request bodies, validated with zod at the boundary. The schemas accept the wire-format tolerances real clients
 * rely on: `tags: null`, `customdata` and `spot_price_max` as strings, `facility`/`metro` as a
 * string or a list, `project_id` in the body, capacity `quantity` as a number or a string. Unknown fields are
 * ignored, as the API ignores them.
 */
import { z } from "zod";
import { unprocessable } from "./api_errors.ts";

const stringOrList = z.union([z.string(), z.array(z.string())]);
const tags = z.array(z.string()).nullable().optional().transform((t) => t ?? undefined);
const stringList = z.array(z.string()).nullable().optional().transform((t) => t ?? undefined);

/** `customdata`: an object, or a JSON-encoded object as packngo sends it. */
const customdata = z.union([z.record(z.string(), z.unknown()), z.string()]).nullable().optional().transform(
  (v, ctx) => {
    if (v === null || v === undefined) return undefined;
    if (typeof v !== "string") return v;
    if (v.trim() === "") return {};
    try {
      const parsed: unknown = JSON.parse(v);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: "custom", message: "must be an object or a JSON-encoded object" });
    return z.NEVER;
  },
);

/** A number that clients may also send as a decimal string (`json:",string"` in packngo). */
const lenientNumber = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === "number" ? v : Number(v.trim());
  if (typeof v === "string" && (v.trim() === "" || !Number.isFinite(n))) {
    ctx.addIssue({ code: "custom", message: `must be a number, got "${v}"` });
    return z.NEVER;
  }
  return n;
});

const lenientInt = lenientNumber.refine((n) => Number.isInteger(n), "must be an integer");

const IpAddressInput = z.object({
  address_family: z.union([z.literal(4), z.literal(6)]),
  public: z.boolean().optional(),
  cidr: z.number().int().optional(),
  ip_reservations: z.array(z.string()).optional(),
});

/** Body of `POST /projects/{id}/devices` (DeviceCreateInMetroInput / DeviceCreateInFacilityInput). */
export const DeviceCreateBody = z.object({
  metro: stringOrList.nullable().optional(),
  facility: stringOrList.nullable().optional(),
  plan: z.string().nullable().optional(),
  operating_system: z.string().nullable().optional(),
  hostname: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  billing_cycle: z.string().nullable().optional(),
  userdata: z.string().nullable().optional(),
  customdata,
  tags,
  ipxe_script_url: z.string().nullable().optional(),
  always_pxe: z.boolean().nullable().optional(),
  hardware_reservation_id: z.string().nullable().optional(),
  locked: z.boolean().nullable().optional(),
  project_ssh_keys: stringList,
  user_ssh_keys: stringList,
  ssh_keys: z.array(z.object({ label: z.string().optional(), key: z.string() })).nullable().optional(),
  no_ssh_keys: z.boolean().nullable().optional(),
  ip_addresses: z.array(IpAddressInput).nullable().optional(),
  public_ipv4_subnet_size: z.number().int().nullable().optional(),
  private_ipv4_subnet_size: z.number().int().nullable().optional(),
  spot_instance: z.boolean().nullable().optional(),
  spot_price_max: lenientNumber.nullable().optional(),
  termination_time: z.string().nullable().optional(),
  features: z.union([z.array(z.string()), z.record(z.string(), z.enum(["required", "preferred"]))]).nullable()
    .optional(),
  storage: z.unknown().optional(),
  network_frozen: z.boolean().nullable().optional(),
});
export type DeviceCreateBody = z.infer<typeof DeviceCreateBody>;

/** Body of `PUT/PATCH /devices/{id}` (DeviceUpdateInput). */
export const DeviceUpdateBody = z.object({
  hostname: z.string().optional(),
  description: z.string().nullable().optional(),
  billing_cycle: z.string().optional(),
  userdata: z.string().nullable().optional(),
  customdata,
  /** null clears the tags (packngo sends null for an empty list). */
  tags: z.array(z.string()).nullable().optional(),
  locked: z.boolean().optional(),
  always_pxe: z.boolean().optional(),
  ipxe_script_url: z.string().nullable().optional(),
  network_frozen: z.boolean().optional(),
  spot_instance: z.boolean().optional(),
  firmware_set_id: z.string().nullable().optional(),
});

/** Optional JSON body of `DELETE /devices/{id}` (packngo sends `{"force_delete":false}`). */
export const DeviceDeleteBody = z.object({ force_delete: z.boolean().optional() });

/** Body of `POST /devices/{id}/actions`. */
export const DeviceActionBody = z.object({
  type: z.enum(["power_on", "power_off", "reboot", "rescue", "reinstall"]),
  force_delete: z.boolean().optional(),
  deprovision_fast: z.boolean().optional(),
  preserve_data: z.boolean().optional(),
  operating_system: z.string().optional(),
  ipxe_script_url: z.string().optional(),
});

/** Body of `POST /projects/{id}/ssh-keys` and `POST /ssh-keys`. */
export const SshKeyCreateBody = z.object({
  label: z.string().optional(),
  key: z.string().optional(),
  tags,
  instances_ids: stringList,
});

/** Body of `PUT/PATCH /ssh-keys/{id}`. */
export const SshKeyUpdateBody = z.object({ label: z.string().optional(), key: z.string().optional(), tags });

/** Body of `POST /projects/{id}/bgp-configs`. */
export const BgpConfigBody = z.object({
  asn: lenientInt.refine((n) => n >= 0 && n <= 4294967295, "must be between 0 and 4294967295"),
  deployment_type: z.enum(["local", "global"]),
  md5: z.string().nullable().optional(),
  use_case: z.string().nullable().optional(),
});

/** Body of `POST /devices/{id}/bgp/sessions`. */
export const BgpSessionBody = z.object({
  address_family: z.enum(["ipv4", "ipv6"]).optional(),
  default_route: z.boolean().optional(),
});

/** Body of `PUT /bgp/sessions/{id}`: the spec's bare boolean, or packngo's `{"default_route": bool}`. */
export const BgpSessionUpdateBody = z.union([
  z.boolean(),
  z.object({ default_route: z.boolean() }).transform((o) => o.default_route),
]);

/** Body of `POST /projects/{id}/ips` (IPReservationRequestInput; VRF reservations are not simulated). */
export const IpReservationBody = z.object({
  type: z.string(),
  quantity: lenientInt,
  metro: z.string().nullable().optional(),
  facility: z.string().nullable().optional(),
  details: z.string().nullable().optional(),
  comments: z.string().nullable().optional(),
  customdata,
  tags,
  fail_on_approval_required: z.boolean().nullable().optional(),
});

/** Body of `POST /devices/{id}/ips`. */
export const IpAssignmentBody = z.object({ address: z.string(), customdata });

/** Body of `PATCH /ips/{id}`. */
export const IpUpdateBody = z.object({ details: z.string().nullable().optional(), customdata, tags });

/** Body of `POST /capacity/metros`. */
export const CapacityCheckBody = z.object({
  servers: z.array(z.object({
    metro: z.string().optional(),
    facility: z.string().optional(),
    plan: z.string(),
    quantity: z.union([z.number(), z.string()]),
  })),
});

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}

/** Validates a body; 422 listing every problem with the object and field it concerns. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, objectName: string): z.output<S> {
  if (body === undefined) throw unprocessable(`${objectName}: a JSON request body is required`);
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw unprocessable(
    ...parsed.error.issues.map((i) => {
      const field = pathText(i.path);
      return field ? `${objectName}.${field}: ${i.message}` : `${objectName}: ${i.message}`;
    }),
  );
}
