/**
 * zod schemas of Metal API responses (OpenAPI `components/schemas`). They accept unknown fields (loose objects)
 * and `null` wherever a value is optional, because the API sends nulls for absent values and adds fields over time.
 * Nested references are either expanded objects or `{href}` stubs (see `include`/`exclude`), so nested schemas have
 * no required fields; top-level objects require their `id`.
 */
import { z } from "zod";

const str = z.string().nullish();
const num = z.number().nullish();
const bool = z.boolean().nullish();
/** `tags: null` (packngo-era devices) reads as no tags. */
const tags = z.array(z.string()).nullish().transform((v) => v ?? []);

/** Device states (the Go SDK rejects any other value, so do we). */
export const DEVICE_STATES = [
  "queued",
  "provisioning",
  "deprovisioning",
  "reinstalling",
  "active",
  "inactive",
  "failed",
  "powering_on",
  "powering_off",
  "deleted",
] as const;

export const DeviceStateSchema = z.enum(DEVICE_STATES);

/** `{"href": "/metal/v1/..."}`. */
export const HrefSchema = z.looseObject({ href: str });

/** Pagination metadata of list responses. */
export const MetaSchema = z.looseObject({
  first: HrefSchema.nullish(),
  previous: HrefSchema.nullish(),
  self: HrefSchema.nullish(),
  next: HrefSchema.nullish(),
  last: HrefSchema.nullish(),
  total: num,
  current_page: num,
  last_page: num,
});

const MetroFields = { id: str, href: str, code: str, name: str, country: str };
export const MetroRefSchema = z.looseObject(MetroFields);
export const MetroSchema = z.looseObject({ ...MetroFields, id: z.string() });

const AddressSchema = z.looseObject({
  address: str,
  address2: str,
  city: str,
  state: str,
  zip_code: str,
  country: str,
  coordinates: z.looseObject({ latitude: str, longitude: str }).nullish(),
});

const FacilityFields = {
  id: str,
  href: str,
  code: str,
  name: str,
  features: z.array(z.string()).nullish(),
  ip_ranges: z.array(z.string()).nullish(),
  metro: MetroRefSchema.nullish(),
  address: AddressSchema.nullish(),
};
export const FacilityRefSchema = z.looseObject(FacilityFields);
export const FacilitySchema = z.looseObject({ ...FacilityFields, id: z.string() });

const PriceSchema = z.looseObject({ hour: num });
const AvailableInSchema = z.looseObject({ href: str, price: PriceSchema.nullish() });

const PlanFields = {
  id: str,
  href: str,
  slug: str,
  name: str,
  class: str,
  line: str,
  description: str,
  type: str,
  categories: z.array(z.string()).nullish(),
  deployment_types: z.array(z.string()).nullish(),
  legacy: bool,
  available_in: z.array(AvailableInSchema).nullish(),
  available_in_metros: z.array(AvailableInSchema).nullish(),
  pricing: z.record(z.string(), z.unknown()).nullish(),
  specs: z.record(z.string(), z.unknown()).nullish(),
};
export const PlanRefSchema = z.looseObject(PlanFields);
export const PlanSchema = z.looseObject({ ...PlanFields, id: z.string() });

const OperatingSystemFields = {
  id: str,
  href: str,
  slug: str,
  name: str,
  distro: str,
  distro_label: str,
  version: str,
  provisionable_on: z.array(z.string()).nullish(),
  preinstallable: bool,
  licensed: bool,
  pricing: z.record(z.string(), z.unknown()).nullish(),
  default_operating_system: bool,
  lifecycle_state: str,
  build_date: str,
  release_date: str,
  deprecation_date: str,
  end_of_service_date: str,
  end_of_life_date: str,
  release_notes: str,
};
export const OperatingSystemRefSchema = z.looseObject(OperatingSystemFields);
export const OperatingSystemSchema = z.looseObject({ ...OperatingSystemFields, id: z.string() });

/** `{href}` of a project unless `include=project`. */
export const ProjectRefSchema = z.looseObject({ id: str, href: str, name: str });

export const ParentBlockSchema = z.looseObject({ network: str, netmask: str, cidr: num, href: str });

/** One address of a device (`device.ip_addresses[]`). */
export const IpAssignmentSchema = z.looseObject({
  id: str,
  href: str,
  type: str,
  address: str,
  address_family: num,
  cidr: num,
  netmask: str,
  network: str,
  gateway: str,
  public: bool,
  management: bool,
  manageable: bool,
  enabled: bool,
  global_ip: bool,
  created_at: str,
  assigned_to: HrefSchema.nullish(),
  metro: MetroRefSchema.nullish(),
  parent_block: ParentBlockSchema.nullish(),
  state: str,
  next_hop: str,
});

/** The device a reservation is used by (expanded only with `include=device`). */
export const DeviceRefSchema = z.looseObject({ id: str, href: str, short_id: str, hostname: str, state: str });

const HardwareReservationFields = {
  id: str,
  short_id: str,
  href: str,
  created_at: str,
  custom_rate: num,
  device: DeviceRefSchema.nullish(),
  facility: FacilityRefSchema.nullish(),
  plan: PlanRefSchema.nullish(),
  project: ProjectRefSchema.nullish(),
  provisionable: bool,
  spare: bool,
  need_of_service: bool,
  switch_uuid: str,
  termination_time: str,
};
export const HardwareReservationRefSchema = z.looseObject(HardwareReservationFields);
export const HardwareReservationSchema = z.looseObject({ ...HardwareReservationFields, id: z.string() });

/** packngo-era clients sent some numbers as strings; read both. */
const looseNumber = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]).nullish();

export const DeviceSchema = z.looseObject({
  id: z.string(),
  short_id: str,
  href: str,
  hostname: str,
  description: str,
  state: DeviceStateSchema.nullish(),
  tags,
  billing_cycle: str,
  locked: bool,
  always_pxe: bool,
  ipxe_script_url: str,
  userdata: str,
  customdata: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
  created_at: str,
  updated_at: str,
  created_by: z.looseObject({ id: str, href: str, email: str, full_name: str }).nullish(),
  user: str,
  iqn: str,
  image_url: str,
  bonding_mode: num,
  plan: PlanRefSchema.nullish(),
  operating_system: OperatingSystemRefSchema.nullish(),
  metro: MetroRefSchema.nullish(),
  facility: FacilityRefSchema.nullish(),
  project: ProjectRefSchema.nullish(),
  project_lite: HrefSchema.nullish(),
  hardware_reservation: HardwareReservationRefSchema.nullish(),
  ip_addresses: z.array(IpAssignmentSchema).nullish(),
  network_ports: z.array(z.looseObject({ id: str, name: str, type: str })).nullish(),
  ssh_keys: z.array(HrefSchema).nullish(),
  volumes: z.array(HrefSchema).nullish(),
  provisioning_events: z.array(z.looseObject({ id: str, type: str, body: str, created_at: str })).nullish(),
  provisioning_percentage: num,
  root_password: str,
  spot_instance: bool,
  spot_price_max: looseNumber,
  termination_time: str,
  switch_uuid: str,
  sos: str,
  network_frozen: bool,
  firmware_set_id: str,
  storage: z.record(z.string(), z.unknown()).nullish(),
  actions: z.array(z.looseObject({ type: str, name: str })).nullish(),
});

export const DeviceListSchema = z.looseObject({ devices: z.array(DeviceSchema), meta: MetaSchema.nullish() });

export const SshKeySchema = z.looseObject({
  id: z.string(),
  href: str,
  label: str,
  key: str,
  fingerprint: str,
  created_at: str,
  updated_at: str,
  entity: HrefSchema.nullish(),
  tags,
});

export const SshKeyListSchema = z.looseObject({ ssh_keys: z.array(SshKeySchema) });

export const HardwareReservationListSchema = z.looseObject({
  hardware_reservations: z.array(HardwareReservationSchema),
  meta: MetaSchema.nullish(),
});

export const MetroListSchema = z.looseObject({ metros: z.array(MetroSchema) });
export const FacilityListSchema = z.looseObject({ facilities: z.array(FacilitySchema) });
export const PlanListSchema = z.looseObject({ plans: z.array(PlanSchema) });
export const OperatingSystemListSchema = z.looseObject({ operating_systems: z.array(OperatingSystemSchema) });

/** Capacity of one plan in one metro: `level` is normal, limited or unavailable. */
export const CapacityLevelSchema = z.looseObject({ level: str, available_servers: num });

/** `GET /capacity/metros`: metro code → plan slug → level (a metro may map to `{}`). */
export const CapacityListSchema = z.looseObject({
  capacity: z.record(z.string(), z.record(z.string(), CapacityLevelSchema).nullish().transform((v) => v ?? {})),
});

/** `POST /capacity/metros` answer; `quantity` is a string in the spec, some servers echo a number. */
export const CapacityCheckListSchema = z.looseObject({
  servers: z.array(z.looseObject({
    metro: str,
    plan: str,
    quantity: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
    available: z.boolean(),
  })),
});
