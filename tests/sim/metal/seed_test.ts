/** Seeds: JSON and YAML, defaults, references by name/id/email, errors naming the field. */
import assert from "node:assert/strict";
import {
  DEFAULT_SEED,
  parseSeedText,
  resolveSeed,
  validateSeed,
  withHardwareReservations,
} from "../../../src/sim/metal/mod.ts";
import { Rng } from "../../../src/sim/kernel/mod.ts";
import { KEYS, setup } from "./helpers.ts";

const YAML = `
organizations:
  - name: acme
    facilitiesAllowed: false
  - id: 0f9e0a52-3c1b-4d5e-8f70-123456789abc
    name: partner
users:
  - email: ops@acme.test
    firstName: Op
    organizations: [acme, 0f9e0a52-3c1b-4d5e-8f70-123456789abc]
projects:
  - name: garden
    organization: acme
  - name: partner-project
    organization: partner
tokens:
  - token: user-token-123456
    user: ops@acme.test
  - token: project-token-123456
    project: partner-project
sshKeys:
  - label: ops
    key: "${KEYS.ed25519.key}"
    user: ops@acme.test
  - label: infra
    key: "${KEYS.rsa.key}"
    project: garden
capacity:
  - metro: sv
    plan: m3.large.x86
    count: unlimited
  - facility: ny5
    plan: c3.small.x86
    count: 0
timings:
  queuedMs: 0
`;

Deno.test("seed: YAML and JSON parse to the same seed; references resolve by name, id and email", () => {
  const fromYaml = parseSeedText(YAML, "seed.yaml");
  const fromJson = parseSeedText(JSON.stringify(fromYaml), "seed.json");
  assert.deepEqual(fromJson, fromYaml);
  const r = resolveSeed(fromYaml, new Rng(1));
  assert.deepEqual(r.users[0].orgIds, [r.organizations[0].id, "0f9e0a52-3c1b-4d5e-8f70-123456789abc"]);
  assert.equal(r.projects[1].orgId, "0f9e0a52-3c1b-4d5e-8f70-123456789abc");
  assert.equal(r.tokens[1].projectId, r.projects[1].id);
  assert.equal(r.timings.queuedMs, 0);
  assert.equal(r.timings.provisioningMs, 30_000, "unset timings keep their defaults");
  assert.deepEqual(r.capacity, [
    { location: "sv", plan: "m3.large.x86", count: "unlimited" },
    { location: "ny5", plan: "c3.small.x86", count: 0 },
  ]);
});

Deno.test("seed: errors name the source and the field", () => {
  assert.throws(
    () => parseSeedText("projects: [{name: 1, organization: x}]", "a.yaml"),
    /a\.yaml: seed\.projects\[0\]\.name/,
  );
  assert.throws(() => parseSeedText("{", "b.json"), /b\.json: not valid JSON or YAML/);
  assert.throws(
    () => validateSeed({ capacity: [{ plan: "c3.small.x86", count: 1 }] }),
    /exactly one of metro or facility/,
  );
  assert.throws(
    () => validateSeed({ tokens: [{ token: "long-enough-token", user: "a", project: "b" }] }),
    /exactly one/,
  );
  assert.throws(
    () =>
      resolveSeed(
        validateSeed({ hardwareReservations: [{ project: "default", plan: "x", facility: "ny5" }] }),
        new Rng(1),
        "s.yaml",
      ),
    /s\.yaml: seed\.hardwareReservations\[0\]\.plan: unknown plan "x"/,
  );
  assert.throws(
    () => resolveSeed(validateSeed({ sshKeys: [{ label: "k", key: "ssh-rsa nope", project: "default" }] }), new Rng(1)),
    /seed\.sshKeys\[0\]\.key/,
  );
});

Deno.test("seed: an empty seed gets one organisation, user, project, user token and project token", () => {
  const r = resolveSeed(validateSeed({}), new Rng(3));
  assert.equal(r.organizations.length, 1);
  assert.equal(r.users.length, 1);
  assert.equal(r.projects.length, 1);
  assert.deepEqual(r.tokens.map((t) => (t.userId ? "user" : "project")), ["user", "project"]);
});

Deno.test("seed: the simulator honours seeded tokens, keys, capacity and the facility switch", async () => {
  const { sim, api } = setup({ seed: parseSeedText(YAML, "seed.yaml") });
  assert.equal(sim.defaultToken, "user-token-123456");
  const [garden, partner] = sim.seed.projects;
  assert.deepEqual((await api.get("/projects")).body.projects.map((p: { name: string }) => p.name), [
    "garden",
    "partner-project",
  ]);
  assert.equal((await api.get(`/projects/${garden.id}`, "project-token-123456")).status, 403);
  assert.equal((await api.get(`/projects/${partner.id}`, "project-token-123456")).status, 200);
  const keys = (await api.get(`/projects/${garden.id}/ssh-keys`)).body.ssh_keys;
  assert.deepEqual(keys.map((k: { fingerprint: string }) => k.fingerprint), [KEYS.rsa.fingerprint]);
  assert.equal((await api.get("/ssh-keys")).body.ssh_keys[0].fingerprint, KEYS.ed25519.fingerprint);
  const base = { plan: "c3.small.x86", operating_system: "flatcar_stable" };
  const facility = await api.post(`/projects/${garden.id}/devices`, { ...base, facility: "ny7" });
  assert.equal(facility.status, 422, "acme was created after the facility deprecation");
  const d = (await api.post(`/projects/${garden.id}/devices`, { ...base, metro: "ny" })).body;
  assert.equal(d.facility.code, "ny7", "ny5 has no c3.small.x86 capacity in this seed");
  assert.equal(d.state, "provisioning", "queuedMs 0");
  assert.equal(
    (await api.get("/capacity/metros")).body.capacity.sv["m3.large.x86"].level,
    "normal",
    "unlimited is normal",
  );
});

Deno.test("withHardwareReservations: count reservations of a plan in a facility, or in a metro's first facility", () => {
  const seed = withHardwareReservations(DEFAULT_SEED, "gardener-dev", [
    { plan: "m3.small.x86", location: "ny", count: 2 },
    { plan: "c3.small.x86", location: "da11", count: 1 },
  ]);
  const added = seed.hardwareReservations!.slice(DEFAULT_SEED.hardwareReservations!.length);
  assert.deepEqual(added, [
    { project: "gardener-dev", plan: "m3.small.x86", facility: "ny5" },
    { project: "gardener-dev", plan: "m3.small.x86", facility: "ny5" },
    { project: "gardener-dev", plan: "c3.small.x86", facility: "da11" },
  ]);
  assert.equal(
    resolveSeed(seed, new Rng(1)).hardwareReservations.length,
    DEFAULT_SEED.hardwareReservations!.length + 3,
  );
  assert.throws(() => withHardwareReservations(DEFAULT_SEED, "p", [{ plan: "x9.huge", location: "ny", count: 1 }]), {
    message: 'hardware reservation x9.huge:ny: unknown plan "x9.huge"',
  });
  assert.throws(
    () => withHardwareReservations(DEFAULT_SEED, "p", [{ plan: "m3.small.x86", location: "zz", count: 1 }]),
    {
      message: 'hardware reservation m3.small.x86:zz: "zz" is neither a metro nor a facility',
    },
  );
});
