/** CloudProfile and NamespacedCloudProfile admission rules, and the merged profile a Shoot is checked against. */
import assert from "node:assert/strict";
import type { NamespacedCloudProfile } from "../../src/apis/core/v1beta1.ts";
import {
  effectiveProfile,
  validateCloudProfileSpec,
  validateNamespacedCloudProfile,
} from "../../src/admission/cloud_profile.ts";
import { profileSpec } from "./fixtures.ts";

type Spec = ReturnType<typeof profileSpec>;
const images = (p: Spec) => (p.providerConfig!.machineImages as { versions: Record<string, unknown>[] }[]);

const rows: { name: string; edit: (p: Spec) => void; fields: string[] }[] = [
  { name: "the valid profile", edit: () => {}, fields: [] },
  {
    name: "a spec image version without mapping",
    edit: (p) => p.machineImages[0].versions.push({ version: "9.0.0" }),
    fields: ["spec.machineImages[0].versions[2]"],
  },
  {
    name: "a mapping with neither id nor ipxeScriptUrl",
    edit: (p) => delete images(p)[0].versions[0].id,
    fields: ["spec.providerConfig.machineImages[0].versions[0].id"],
  },
  {
    name: "an unknown CloudProfileConfig field",
    edit: (p) => (p.providerConfig!.regions = []),
    fields: ["spec.providerConfig.regions"],
  },
  {
    name: "a missing providerConfig",
    edit: (p) => delete p.providerConfig,
    fields: ["spec.providerConfig"],
  },
  {
    name: "a non-http iPXE URL",
    edit: (p) => (images(p)[0].versions[1].ipxeScriptUrl = "ftp://x/y"),
    fields: ["spec.providerConfig.machineImages[0].versions[1].ipxeScriptUrl"],
  },
  { name: "another provider's profile", edit: (p) => ((p.type = "aws"), delete p.providerConfig), fields: [] },
];

for (const row of rows) {
  Deno.test(`cloud profile admission: ${row.name}`, () => {
    const p = profileSpec();
    row.edit(p);
    assert.deepEqual(validateCloudProfileSpec(p).map((e) => e.field), row.fields);
  });
}

function namespaced(): NamespacedCloudProfile {
  return {
    apiVersion: "core.gardener.cloud/v1beta1",
    kind: "NamespacedCloudProfile",
    metadata: { name: "custom", namespace: "garden-dev" },
    spec: {
      parent: { kind: "CloudProfile", name: "equinix" },
      machineImages: [{ name: "flatcar", versions: [{ version: "4200.0.0" }] }],
      providerConfig: {
        apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
        kind: "CloudProfileConfig",
        machineImages: [{ name: "flatcar", versions: [{ version: "4200.0.0", id: "flatcar_beta" }] }],
      },
    },
  };
}

Deno.test("namespaced cloud profile admission: own mappings, parent's mappings, missing mappings, status", () => {
  assert.deepEqual(validateNamespacedCloudProfile(namespaced(), profileSpec()), []);
  // A version the parent maps needs no mapping of its own.
  const inherits = namespaced();
  inherits.spec.machineImages = [{ name: "flatcar", versions: [{ version: "4081.2.0" }] }];
  delete inherits.spec.providerConfig;
  assert.deepEqual(validateNamespacedCloudProfile(inherits, profileSpec()), []);
  const unmapped = namespaced();
  unmapped.spec.machineImages![0].versions.push({ version: "4300.0.0" });
  assert.deepEqual(validateNamespacedCloudProfile(unmapped, profileSpec()).map((e) => e.field), [
    "spec.machineImages[0].versions[1]",
  ]);
  const status = namespaced();
  const merged = profileSpec();
  merged.machineImages[0].versions.push({ version: "7.0.0" });
  status.status = { cloudProfileSpec: merged };
  assert.deepEqual(validateNamespacedCloudProfile(status, profileSpec()).map((e) => e.field), [
    "status.cloudProfileSpec.machineImages[0].versions[2]",
  ]);
});

Deno.test("namespaced cloud profile: the merged profile adds the project's images and mappings to the parent's", () => {
  const merged = effectiveProfile(namespaced(), profileSpec())!;
  assert.deepEqual(merged.machineImages[0].versions.map((v) => v.version), ["4081.2.0", "4100.0.0", "4200.0.0"]);
  assert.deepEqual(validateCloudProfileSpec(merged), []);
  const written = namespaced();
  written.status = { cloudProfileSpec: profileSpec() };
  assert.equal(effectiveProfile(written, undefined), written.status.cloudProfileSpec);
  assert.equal(effectiveProfile(namespaced(), undefined), undefined);
});
