/** Shoot admission rules, one table row per rule, including old/new update cases. */
import assert from "node:assert/strict";
import { formatFieldError } from "../../src/apis/decode.ts";
import type { Shoot } from "../../src/apis/core/v1beta1.ts";
import { validateShoot } from "../../src/admission/shoot.ts";
import { profileSpec, shoot } from "./fixtures.ts";

type Edit = (s: Shoot) => void;
const w0 = (s: Shoot) => s.spec.provider.workers![0];

const refused: { name: string; edit: Edit; field: string; text: RegExp }[] = [
  {
    name: "a zone outside the shoot's metro",
    edit: (s) => (w0(s).zones = ["ny5"]),
    field: "spec.provider.workers[0].zones[0]",
    text: /not a facility of metro "da"/,
  },
  {
    name: "a duplicate zone",
    edit: (s) => (w0(s).zones = ["da11", "da11"]),
    field: "spec.provider.workers[0].zones[1]",
    text: /Duplicate value/,
  },
  {
    name: "a metro the profile lacks",
    edit: (s) => (s.spec.region = "sv"),
    field: "spec.region",
    text: /Unsupported value: "sv"/,
  },
  {
    name: "an unknown machine type",
    edit: (s) => (w0(s).machine.type = "m9.huge"),
    field: "spec.provider.workers[0].machine.type",
    text: /Unsupported value: "m9.huge"/,
  },
  {
    name: "an unknown image",
    edit: (s) => (w0(s).machine.image = { name: "ubuntu", version: "1" }),
    field: "spec.provider.workers[0].machine.image.name",
    text: /Unsupported value: "ubuntu"/,
  },
  {
    name: "an unknown image version",
    edit: (s) => (w0(s).machine.image = { name: "flatcar", version: "1.0.0" }),
    field: "spec.provider.workers[0].machine.image.version",
    text: /supported values: "4081.2.0", "4100.0.0"/,
  },
  {
    name: "an unknown Kubernetes version",
    edit: (s) => (s.spec.kubernetes.version = "1.20.0"),
    field: "spec.kubernetes.version",
    text: /Unsupported value: "1.20.0"/,
  },
  {
    name: "an unknown WorkerConfig field",
    edit: (s) => (w0(s).providerConfig!.reservationIds = ["x"]),
    field: "spec.provider.workers[0].providerConfig.reservationIds",
    text: /unknown field/,
  },
  {
    name: "a WorkerConfig of the wrong kind",
    edit: (s) => (w0(s).providerConfig!.kind = "InfrastructureConfig"),
    field: "spec.provider.workers[0].providerConfig.kind",
    text: /Unsupported value/,
  },
  {
    name: "reservedDevicesOnly without reservations",
    edit: (s) => (w0(s).providerConfig = { ...w0(s).providerConfig, reservationIDs: [], reservedDevicesOnly: true }),
    field: "spec.provider.workers[0].providerConfig.reservationIDs",
    text: /reservedDevicesOnly requires at least one reservation ID/,
  },
  {
    name: "a malformed reservation ID",
    edit: (s) => (w0(s).providerConfig = { ...w0(s).providerConfig, reservationIDs: ["abc"] }),
    field: "spec.provider.workers[0].providerConfig.reservationIDs[0]",
    text: /hardware reservation UUID/,
  },
  {
    name: "an AutoInPlaceUpdate strategy",
    edit: (s) => (w0(s).updateStrategy = "AutoInPlaceUpdate"),
    field: "spec.provider.workers[0].updateStrategy",
    text: /AutoInPlaceUpdate is not supported by Equinix Metal/,
  },
  {
    name: "a ManualInPlaceUpdate strategy",
    edit: (s) => (w0(s).updateStrategy = "ManualInPlaceUpdate"),
    field: "spec.provider.workers[0].updateStrategy",
    text: /use AutoRollingUpdate/,
  },
  {
    name: "an unknown InfrastructureConfig field",
    edit: (s) => (s.spec.provider.infrastructureConfig!.networks = {}),
    field: "spec.provider.infrastructureConfig.networks",
    text: /unknown field/,
  },
  {
    name: "an unknown ControlPlaneConfig field",
    edit: (s) => (s.spec.provider.controlPlaneConfig!.loadBalancer = "x"),
    field: "spec.provider.controlPlaneConfig.loadBalancer",
    text: /unknown field/,
  },
  {
    name: "a malformed nodes CIDR",
    edit: (s) => (s.spec.networking!.nodes = "10.250.0.0/33"),
    field: "spec.networking.nodes",
    text: /must be a CIDR block/,
  },
  {
    name: "a CIDR with host bits",
    edit: (s) => (s.spec.networking!.services = "100.64.0.1/13"),
    field: "spec.networking.services",
    text: /host bits must be zero/,
  },
  {
    name: "overlapping pods and nodes",
    edit: (s) => (s.spec.networking!.pods = "10.250.128.0/17"),
    field: "spec.networking.pods",
    text: /must not overlap spec.networking.nodes/,
  },
];

for (const row of refused) {
  Deno.test(`shoot admission: refuses ${row.name} at ${row.field}`, () => {
    const s = shoot();
    row.edit(s);
    const errors = validateShoot(s, profileSpec());
    const hit = errors.find((e) => e.field === row.field);
    assert.ok(hit, `no error at ${row.field}: ${errors.map(formatFieldError).join("; ")}`);
    assert.match(formatFieldError(hit), row.text);
  });
}

Deno.test("shoot admission: the valid shoot, an iPXE-only image version and a RollingUpdate pass", () => {
  assert.deepEqual(validateShoot(shoot(), profileSpec()), []);
  const s = shoot();
  w0(s).machine.image = { name: "flatcar", version: "4100.0.0" };
  w0(s).updateStrategy = "AutoRollingUpdate";
  delete s.spec.provider.infrastructureConfig;
  assert.deepEqual(validateShoot(s, profileSpec()), []);
});

Deno.test("shoot admission: an image version without a mapping in the CloudProfileConfig is refused", () => {
  const profile = profileSpec();
  profile.machineImages[0].versions.push({ version: "5000.0.0" });
  const s = shoot();
  w0(s).machine.image = { name: "flatcar", version: "5000.0.0" };
  const errors = validateShoot(s, profile);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].field, "spec.provider.workers[0].machine.image.version");
  assert.match(errors[0].message, /no mapping/);
});

Deno.test("shoot admission: without a profile only the profile-free rules run", () => {
  const s = shoot();
  w0(s).zones = ["zz1"];
  w0(s).updateStrategy = "AutoInPlaceUpdate";
  assert.deepEqual(validateShoot(s, undefined).map((e) => e.field), ["spec.provider.workers[0].updateStrategy"]);
});

const updates: {
  name: string;
  edit: Edit;
  fields: string[];
  profileEdit?: (p: ReturnType<typeof profileSpec>) => void;
}[] = [
  { name: "an unchanged spec is not checked, even if invalid", edit: () => {}, fields: [] },
  {
    name: "changing the metro",
    edit: (s) => (s.spec.region = "ny"),
    fields: ["spec.region", "spec.provider.workers[0].zones[0]"],
  },
  {
    name: "changing the pods CIDR",
    edit: (s) => (s.spec.networking!.pods = "100.128.0.0/11"),
    fields: ["spec.networking.pods"],
  },
  {
    name: "removing a zone from an existing pool",
    edit: (s) => (w0(s).zones = ["da12"]),
    fields: ["spec.provider.workers[0].zones"],
  },
  { name: "adding a zone to an existing pool", edit: (s) => (w0(s).zones = ["da11", "da12"]), fields: [] },
  {
    name: "keeping an image version the profile has since dropped",
    edit: (s) => (w0(s).maximum = 5),
    profileEdit: (p) => (p.machineImages[0].versions = [{ version: "4100.0.0" }]),
    fields: [],
  },
  {
    name: "moving to an image version the profile lacks",
    edit: (s) => (w0(s).machine.image = { name: "flatcar", version: "9.9.9" }),
    fields: ["spec.provider.workers[0].machine.image.version"],
  },
  {
    name: "switching an existing pool to in-place updates",
    edit: (s) => (w0(s).updateStrategy = "ManualInPlaceUpdate"),
    fields: ["spec.provider.workers[0].updateStrategy"],
  },
];

for (const row of updates) {
  Deno.test(`shoot admission, update: ${row.name}`, () => {
    const old = shoot();
    const s = shoot();
    row.edit(s);
    const profile = profileSpec();
    row.profileEdit?.(profile);
    if (row.name.startsWith("an unchanged")) {
      // Invalid in both, but the spec did not change: nothing to refuse (metadata-only updates must pass).
      w0(old).zones = ["zz1"];
      w0(s).zones = ["zz1"];
      s.metadata!.labels = { changed: "yes" };
    }
    assert.deepEqual(validateShoot(s, profile, old).map((e) => e.field).sort(), [...row.fields].sort());
  });
}
