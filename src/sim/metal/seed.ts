/**
 * The simulator's initial world: organisations, users, projects, API tokens, SSH keys, hardware reservations,
 * capacity and lifecycle timings. A seed file (JSON or YAML) is validated with zod; errors name the field.
 * Everything a seed leaves out gets a default, so `{}` is a valid seed.
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { FACILITIES, findFacility, findMetro, findPlan } from "./catalog.ts";
import { parsePublicKey } from "./fingerprint.ts";
import { randomUuid } from "./ids.ts";
import { DEFAULT_TIMINGS, type DeviceTimings } from "./lifecycle.ts";
import type { Rng } from "../kernel/mod.ts";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const id = z.string().regex(UUID_RE, "must be a UUID");
const ms = z.number().int().nonnegative();

const TimingsSchema = z.object({
  queuedMs: ms,
  provisioningMs: ms,
  deprovisionVisibleMs: ms,
  reservationCooldownMs: ms,
  powerTransitionMs: ms,
  vanishedGoneMs: ms,
}).partial().strict();

/** Schema of a seed file. Names refer to organisations/projects/users by name (or id, or email for users). */
export const SeedDataSchema = z.object({
  organizations: z.array(
    z.object({
      id: id.optional(),
      name: z.string().min(1),
      /** Organisations created after 2023-05-30 cannot use `facility`; default true (a legacy organisation). */
      facilitiesAllowed: z.boolean().optional(),
    }).strict(),
  ).optional(),
  users: z.array(
    z.object({
      id: id.optional(),
      email: z.string().min(3),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      organizations: z.array(z.string()).min(1),
    }).strict(),
  ).optional(),
  projects: z.array(
    z.object({
      id: id.optional(),
      name: z.string().min(1).max(80),
      organization: z.string(),
      /** Public IPv4 addresses the project may reserve before requests need approval (default 32). */
      publicIpv4Quota: z.number().int().nonnegative().optional(),
    }).strict(),
  ).optional(),
  tokens: z.array(
    z.object({
      token: z.string().min(8),
      user: z.string().optional(),
      project: z.string().optional(),
    }).strict().refine((t) => (t.user === undefined) !== (t.project === undefined), {
      message: "exactly one of user or project must be set",
    }),
  ).optional(),
  sshKeys: z.array(
    z.object({
      id: id.optional(),
      label: z.string().min(1),
      key: z.string().min(1),
      project: z.string().optional(),
      user: z.string().optional(),
    }).strict().refine((k) => (k.user === undefined) !== (k.project === undefined), {
      message: "exactly one of user or project must be set",
    }),
  ).optional(),
  hardwareReservations: z.array(
    z.object({
      id: id.optional(),
      project: z.string(),
      plan: z.string(),
      facility: z.string(),
      spare: z.boolean().optional(),
      needOfService: z.boolean().optional(),
    }).strict(),
  ).optional(),
  capacity: z.array(
    z.object({
      metro: z.string().optional(),
      facility: z.string().optional(),
      plan: z.string(),
      count: z.union([z.number().int().nonnegative(), z.literal("unlimited")]),
    }).strict().refine((c) => (c.metro === undefined) !== (c.facility === undefined), {
      message: "exactly one of metro or facility must be set",
    }),
  ).optional(),
  timings: TimingsSchema.optional(),
}).strict();

/** A seed as written by a user. */
export type SeedData = z.infer<typeof SeedDataSchema>;

/** A seed with every reference resolved to ids and every default filled in. */
export interface ResolvedSeed {
  organizations: { id: string; name: string; facilitiesAllowed: boolean }[];
  users: { id: string; email: string; firstName: string; lastName: string; orgIds: string[] }[];
  projects: { id: string; name: string; orgId: string; publicIpv4Quota: number }[];
  tokens: { token: string; userId?: string; projectId?: string }[];
  sshKeys: { id: string; label: string; key: string; projectId?: string; userId?: string }[];
  hardwareReservations: {
    id: string;
    projectId: string;
    plan: string;
    facility: string;
    spare: boolean;
    needOfService: boolean;
  }[];
  capacity: { location: string; plan: string; count: number | "unlimited" }[];
  timings: DeviceTimings;
}

/** Default public IPv4 quota of a project (addresses of elastic IP reservations). */
export const DEFAULT_PUBLIC_IPV4_QUOTA = 32;

function formatIssues(error: z.ZodError, source: string): string {
  return error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    return `${source}: seed${path}: ${i.message}`;
  }).join("\n");
}

/** Validates a seed object; throws an Error naming every bad field. */
export function validateSeed(value: unknown, source = "seed"): SeedData {
  const parsed = SeedDataSchema.safeParse(value);
  if (!parsed.success) throw new Error(`invalid simulator seed\n${formatIssues(parsed.error, source)}`);
  return parsed.data;
}

/** Parses a seed file's text (JSON or YAML) and validates it. */
export function parseSeedText(text: string, source: string): SeedData {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    throw new Error(`invalid simulator seed\n${source}: not valid JSON or YAML: ${(e as Error).message}`);
  }
  return validateSeed(value ?? {}, source);
}

const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A 32-character API token like the ones the real API issued. */
export function randomToken(rng: Rng): string {
  let s = "";
  for (let i = 0; i < 32; i++) s += TOKEN_ALPHABET[rng.int(TOKEN_ALPHABET.length)];
  return s;
}

/** The world a simulator starts with when no seed is given: our operator's org plus a foreign tenant. */
export const DEFAULT_SEED: SeedData = {
  organizations: [{ name: "Gardener Operators" }, { name: "Other Tenant" }],
  users: [
    {
      email: "operator@example.com",
      firstName: "Gardener",
      lastName: "Operator",
      organizations: ["Gardener Operators"],
    },
    { email: "someone@example.org", firstName: "Some", lastName: "One", organizations: ["Other Tenant"] },
  ],
  projects: [
    { name: "gardener-dev", organization: "Gardener Operators" },
    { name: "other-tenant", organization: "Other Tenant" },
  ],
  hardwareReservations: [
    { project: "gardener-dev", plan: "c3.small.x86", facility: "ny5" },
    { project: "gardener-dev", plan: "c3.small.x86", facility: "ny5" },
    { project: "gardener-dev", plan: "c3.small.x86", facility: "ny5", spare: true },
    { project: "gardener-dev", plan: "m3.small.x86", facility: "da11" },
  ],
};

/** Resolves names to ids and fills defaults. Throws an Error naming the field of any dangling reference. */
export function resolveSeed(seed: SeedData, rng: Rng, source = "seed"): ResolvedSeed {
  const fail = (path: string, msg: string): never => {
    throw new Error(`invalid simulator seed\n${source}: seed.${path}: ${msg}`);
  };
  type Seeded<K extends keyof SeedData> = NonNullable<SeedData[K]>;
  const orgSeeds: Seeded<"organizations"> = seed.organizations?.length
    ? seed.organizations
    : [{ name: "Default Organization" }];
  const organizations = orgSeeds.map((o) => ({
    id: o.id?.toLowerCase() ?? randomUuid(rng),
    name: o.name,
    facilitiesAllowed: o.facilitiesAllowed ?? true,
  }));
  const orgRef = (ref: string, path: string) =>
    (organizations.find((o) => o.id === ref.toLowerCase() || o.name === ref) ??
      fail(path, `unknown organization "${ref}"`))
      .id;

  const users = (seed.users?.length ? seed.users : [{
    email: "user@example.com",
    firstName: "Default",
    lastName: "User",
    organizations: organizations.map((o) => o.id),
  }])
    .map((u, i) => ({
      id: ("id" in u && u.id ? u.id.toLowerCase() : undefined) ?? randomUuid(rng),
      email: u.email,
      firstName: u.firstName ?? "",
      lastName: u.lastName ?? "",
      orgIds: u.organizations.map((ref, j) => orgRef(ref, `users[${i}].organizations[${j}]`)),
    }));
  const userRef = (ref: string, path: string) =>
    (users.find((u) => u.id === ref.toLowerCase() || u.email === ref) ?? fail(path, `unknown user "${ref}"`)).id;

  const projectSeeds: Seeded<"projects"> = seed.projects?.length
    ? seed.projects
    : [{ name: "default", organization: organizations[0].id }];
  const projects = projectSeeds.map((p, i) => ({
    id: p.id?.toLowerCase() ?? randomUuid(rng),
    name: p.name,
    orgId: orgRef(p.organization, `projects[${i}].organization`),
    publicIpv4Quota: p.publicIpv4Quota ?? DEFAULT_PUBLIC_IPV4_QUOTA,
  }));
  const projectRef = (ref: string, path: string) =>
    (projects.find((p) => p.id === ref.toLowerCase() || p.name === ref) ?? fail(path, `unknown project "${ref}"`)).id;

  const tokens = seed.tokens?.length
    ? seed.tokens.map((t, i) => ({
      token: t.token,
      userId: t.user !== undefined ? userRef(t.user, `tokens[${i}].user`) : undefined,
      projectId: t.project !== undefined ? projectRef(t.project, `tokens[${i}].project`) : undefined,
    }))
    : [
      // One user token per user (the first is the default token), one project token for the first project.
      ...users.map((u) => ({ token: randomToken(rng), userId: u.id, projectId: undefined })),
      { token: randomToken(rng), userId: undefined, projectId: projects[0].id },
    ];

  const sshKeys = (seed.sshKeys ?? []).map((k, i) => ({
    id: k.id?.toLowerCase() ?? randomUuid(rng),
    key: "error" in parsePublicKey(k.key) ? fail(`sshKeys[${i}].key`, "not an OpenSSH public key") : k.key.trim(),
    label: k.label,
    projectId: k.project !== undefined ? projectRef(k.project, `sshKeys[${i}].project`) : undefined,
    userId: k.user !== undefined ? userRef(k.user, `sshKeys[${i}].user`) : undefined,
  }));

  const hardwareReservations = (seed.hardwareReservations ?? []).map((r, i) => {
    if (!findPlan(r.plan)) fail(`hardwareReservations[${i}].plan`, `unknown plan "${r.plan}"`);
    const facility = findFacility(r.facility) ??
      fail(`hardwareReservations[${i}].facility`, `unknown facility "${r.facility}"`);
    return {
      id: r.id?.toLowerCase() ?? randomUuid(rng),
      projectId: projectRef(r.project, `hardwareReservations[${i}].project`),
      plan: findPlan(r.plan)!.slug,
      facility: facility.code,
      spare: r.spare ?? false,
      needOfService: r.needOfService ?? false,
    };
  });

  const capacity = (seed.capacity ?? []).map((c, i) => {
    if (!findPlan(c.plan)) fail(`capacity[${i}].plan`, `unknown plan "${c.plan}"`);
    const location = c.metro !== undefined
      ? (findMetro(c.metro) ?? fail(`capacity[${i}].metro`, `unknown metro "${c.metro}"`)).code
      : (findFacility(c.facility!) ?? fail(`capacity[${i}].facility`, `unknown facility "${c.facility}"`)).code;
    return { location, plan: findPlan(c.plan)!.slug, count: c.count };
  });

  return {
    organizations,
    users,
    projects,
    tokens,
    sshKeys,
    hardwareReservations,
    capacity,
    timings: { ...DEFAULT_TIMINGS, ...seed.timings },
  };
}

/** Hardware reservations to add to a seed: `count` of `plan` in `location` (a facility, or a metro). */
export interface ReservationRequest {
  plan: string;
  location: string;
  count: number;
}

/**
 * The seed with more hardware reservations for `project` (a name or id of the seed): a metro stands for its first
 * facility in the catalogue. Throws naming the request when the plan or location is unknown. Pure.
 */
export function withHardwareReservations(seed: SeedData, project: string, requests: ReservationRequest[]): SeedData {
  const added = requests.flatMap((r) => {
    const what = `hardware reservation ${r.plan}:${r.location}`;
    const plan = findPlan(r.plan);
    if (!plan) throw new Error(`${what}: unknown plan "${r.plan}"`);
    const facility = findFacility(r.location) ??
      FACILITIES.find((f) => f.metro === findMetro(r.location)?.code);
    if (!facility) throw new Error(`${what}: "${r.location}" is neither a metro nor a facility`);
    return Array.from({ length: r.count }, () => ({ project, plan: plan.slug, facility: facility.code }));
  });
  return { ...seed, hardwareReservations: [...(seed.hardwareReservations ?? []), ...added] };
}
