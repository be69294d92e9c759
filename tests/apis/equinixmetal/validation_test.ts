import assert from "node:assert/strict";
import type { FieldError } from "../../../src/apis/decode.ts";
import {
  API_VERSION,
  type CloudProfileConfig,
  type MachineImages,
  type WorkerConfig,
} from "../../../src/apis/equinixmetal/v1alpha1.ts";
import {
  validateCloudProfileConfig,
  validateCredentialsData,
  validateInfrastructureStatus,
  validateWorkerConfig,
} from "../../../src/apis/equinixmetal/validation.ts";
import { encodeBase64 } from "../../../src/runtime/base64.ts";

const UUID_A = "932eecda-1f7b-4d5e-9a3e-2f1f0b9d4c11";
const UUID_B = "558c4d16-6a0b-4f8e-8c2d-7e5b3a9f0d22";

function profile(...machineImages: MachineImages[]): CloudProfileConfig {
  return { apiVersion: API_VERSION, kind: "CloudProfileConfig", machineImages };
}

function worker(cfg: Partial<WorkerConfig>): WorkerConfig {
  return { apiVersion: API_VERSION, kind: "WorkerConfig", ...cfg };
}

const summary = (errors: FieldError[]) => errors.map((e) => [e.type, e.field]);

Deno.test("CloudProfileConfig: id-only, iPXE-only and mixed images are valid", () => {
  const cfg = profile(
    { name: "flatcar", versions: [{ version: "1.0", id: "flatcar_stable" }] },
    { name: "custom", versions: [{ version: "2.0", ipxeScriptUrl: "http://boot.example.com/x.ipxe" }] },
  );
  assert.deepEqual(validateCloudProfileConfig(cfg), []);
});

Deno.test("CloudProfileConfig: at least one image, names and versions non-empty", () => {
  assert.deepEqual(summary(validateCloudProfileConfig(profile())), [["Required", "spec.providerConfig.machineImages"]]);
  const errors = validateCloudProfileConfig(
    profile({ name: "", versions: [] }, { name: "ubuntu", versions: [{ version: " ", id: "ubuntu_22_04" }] }),
    "spec.cloudProfile.spec.providerConfig",
  );
  assert.deepEqual(summary(errors), [
    ["Required", "spec.cloudProfile.spec.providerConfig.machineImages[0].name"],
    ["Required", "spec.cloudProfile.spec.providerConfig.machineImages[0].versions"],
    ["Required", "spec.cloudProfile.spec.providerConfig.machineImages[1].versions[0].version"],
  ]);
});

Deno.test("CloudProfileConfig: a version needs an id or an ipxeScriptUrl (an empty id does not count)", () => {
  const errors = validateCloudProfileConfig(
    profile({ name: "flatcar", versions: [{ version: "1" }, { version: "2", id: "" }] }),
  );
  assert.deepEqual(summary(errors), [
    ["Required", "spec.providerConfig.machineImages[0].versions[0].id"],
    ["Required", "spec.providerConfig.machineImages[0].versions[1].id"],
  ]);
  assert.match(errors[0].message, /either an id .* or an ipxeScriptUrl/);
});

Deno.test("CloudProfileConfig: id together with ipxeScriptUrl is invalid (the id would be ignored)", () => {
  const errors = validateCloudProfileConfig(
    profile({ name: "flatcar", versions: [{ version: "1", id: "flatcar_stable", ipxeScriptUrl: "https://x/y" }] }),
  );
  assert.deepEqual(summary(errors), [["Invalid", "spec.providerConfig.machineImages[0].versions[0].ipxeScriptUrl"]]);
  assert.match(errors[0].message, /custom_ipxe/);
});

Deno.test("CloudProfileConfig: ipxeScriptUrl must be an http(s) URL", () => {
  for (const url of ["", "ftp://x/y", "boot.example.com/x", "https://", "file:///etc/passwd"]) {
    const errors = validateCloudProfileConfig(profile({ name: "c", versions: [{ version: "1", ipxeScriptUrl: url }] }));
    assert.deepEqual(
      summary(errors),
      [["Invalid", "spec.providerConfig.machineImages[0].versions[0].ipxeScriptUrl"]],
      url,
    );
    assert.equal(errors[0].value, url);
  }
});

Deno.test("CloudProfileConfig: a name+version pair may appear only once, even across entries", () => {
  const errors = validateCloudProfileConfig(
    profile(
      { name: "flatcar", versions: [{ version: "1", id: "a" }, { version: "1", id: "b" }] },
      { name: "flatcar", versions: [{ version: "2", id: "c" }, { version: "1", id: "d" }] },
      { name: "other", versions: [{ version: "1", id: "e" }] },
    ),
  );
  assert.deepEqual(summary(errors), [
    ["Duplicate", "spec.providerConfig.machineImages[0].versions[1].version"],
    ["Duplicate", "spec.providerConfig.machineImages[1].versions[1].version"],
  ]);
  assert.match(
    errors[1].message,
    /flatcar\/1 is already defined at spec\.providerConfig\.machineImages\[0\]\.versions\[0\]/,
  );
});

Deno.test("WorkerConfig: UUIDs and next-available are valid; an empty config is valid", () => {
  assert.deepEqual(validateWorkerConfig(worker({})), []);
  assert.deepEqual(
    validateWorkerConfig(worker({ reservationIDs: [UUID_A, UUID_B.toUpperCase(), "next-available"] })),
    [],
  );
  assert.deepEqual(validateWorkerConfig(worker({ reservationIDs: [UUID_A], reservedDevicesOnly: true })), []);
  assert.deepEqual(validateWorkerConfig(worker({ reservedDevicesOnly: false })), []);
});

Deno.test("WorkerConfig: other reservation IDs are invalid, duplicates are reported", () => {
  const errors = validateWorkerConfig(
    worker({
      reservationIDs: ["next_available", UUID_A, "abc", UUID_A.toUpperCase(), "next-available", "next-available"],
    }),
    "spec.pools[1].providerConfig",
  );
  assert.deepEqual(summary(errors), [
    ["Invalid", "spec.pools[1].providerConfig.reservationIDs[0]"],
    ["Invalid", "spec.pools[1].providerConfig.reservationIDs[2]"],
    ["Duplicate", "spec.pools[1].providerConfig.reservationIDs[3]"],
    ["Duplicate", "spec.pools[1].providerConfig.reservationIDs[5]"],
  ]);
  assert.match(errors[2].message, /already listed at spec\.pools\[1\]\.providerConfig\.reservationIDs\[1\]/);
});

Deno.test("WorkerConfig: reservedDevicesOnly without reservations points the user to next-available", () => {
  for (const reservationIDs of [undefined, []]) {
    const errors = validateWorkerConfig(
      worker({ reservationIDs, reservedDevicesOnly: true }),
      "spec.pools[0].providerConfig",
    );
    assert.deepEqual(summary(errors), [["Required", "spec.pools[0].providerConfig.reservationIDs"]]);
    assert.match(errors[0].message, /"next-available"/);
  }
});

Deno.test("InfrastructureStatus: an empty sshKeyID (SSH access off) is valid; any other id must be a UUID", () => {
  const ok = { apiVersion: API_VERSION, kind: "InfrastructureStatus" as const, sshKeyID: UUID_A };
  assert.deepEqual(validateInfrastructureStatus(ok), []);
  assert.deepEqual(validateInfrastructureStatus({ ...ok, sshKeyID: "" }, "spec.infrastructureProviderStatus"), []);
  for (const sshKeyID of [" ", "key-1"]) {
    assert.deepEqual(
      summary(validateInfrastructureStatus({ ...ok, sshKeyID }, "spec.infrastructureProviderStatus")),
      [["Invalid", "spec.infrastructureProviderStatus.sshKeyID"]],
    );
  }
});

Deno.test("validateCredentialsData: both keys, decodable, not blank, a UUID project; no token in any error", () => {
  const data = (v: Record<string, string>) =>
    Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeBase64(x)]));
  assert.deepEqual(validateCredentialsData(data({ apiToken: "tok", projectID: UUID_A })), []);
  assert.deepEqual(validateCredentialsData(undefined).map((e) => e.field), ["data.apiToken", "data.projectID"]);
  const errors = validateCredentialsData(data({ apiToken: "t o k", projectID: "p" }), "secret.data");
  assert.deepEqual(errors.map((e) => [e.field, e.type]), [["secret.data.apiToken", "Invalid"], [
    "secret.data.projectID",
    "Invalid",
  ]]);
  assert.ok(!Object.hasOwn(errors[0], "value"), "the token is never carried as a value");
});
