import assert from "node:assert/strict";
import { FieldValidationError } from "../../../src/apis/decode.ts";
import {
  API_VERSION,
  decodeCloudProfileConfig,
  decodeControlPlaneConfig,
  decodeInfrastructureConfig,
  decodeInfrastructureStatus,
  decodeWorkerConfig,
  decodeWorkerStatus,
} from "../../../src/apis/equinixmetal/v1alpha1.ts";

function fails(fn: () => unknown): FieldValidationError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FieldValidationError, String(e));
    return e;
  }
  assert.fail("expected a FieldValidationError");
}

Deno.test("API_VERSION is the upstream group/version", () => {
  assert.equal(API_VERSION, "equinixmetal.provider.extensions.gardener.cloud/v1alpha1");
});

Deno.test("CloudProfileConfig decodes from the YAML an operator writes", () => {
  const yaml = `
apiVersion: equinixmetal.provider.extensions.gardener.cloud/v1alpha1
kind: CloudProfileConfig
machineImages:
- name: flatcar
  versions:
  - version: 3815.2.0
    id: flatcar_stable
  - version: 0.0.0-ipxe
    ipxeScriptUrl: https://boot.example.com/flatcar.ipxe
`;
  const cfg = decodeCloudProfileConfig(yaml, { path: "spec.providerConfig" });
  assert.deepEqual(cfg.machineImages[0].versions, [
    { version: "3815.2.0", id: "flatcar_stable" },
    { version: "0.0.0-ipxe", ipxeScriptUrl: "https://boot.example.com/flatcar.ipxe" },
  ]);
});

Deno.test("CloudProfileConfig: a typo in a nested field is an unknown-field error with its path", () => {
  const err = fails(() =>
    decodeCloudProfileConfig({
      apiVersion: API_VERSION,
      kind: "CloudProfileConfig",
      machineImages: [{ name: "flatcar", versions: [{ version: "1", id: "x" }, { version: "2", ipxeScriptURL: "u" }] }],
    }, { path: "spec.cloudProfile.spec.providerConfig", object: "Cluster shoot--p--s" })
  );
  assert.deepEqual(err.errors.map((e) => [e.type, e.field]), [
    ["Forbidden", "spec.cloudProfile.spec.providerConfig.machineImages[0].versions[1].ipxeScriptURL"],
  ]);
  assert.match(err.message, /^Cluster shoot--p--s: /);
});

Deno.test("WorkerConfig decodes reservations and rejects wrong types at the pool's path", () => {
  const cfg = decodeWorkerConfig({
    apiVersion: API_VERSION,
    kind: "WorkerConfig",
    reservationIDs: ["next-available"],
    reservedDevicesOnly: true,
  });
  assert.deepEqual(cfg.reservationIDs, ["next-available"]);
  const err = fails(() =>
    decodeWorkerConfig(
      `{"apiVersion":"${API_VERSION}","kind":"WorkerConfig","reservationIDs":["a",1],"reservedDevicesOnly":"true"}`,
      { path: "spec.pools[1].providerConfig" },
    )
  );
  assert.deepEqual(err.errors.map((e) => [e.type, e.field, e.message]), [
    ["Invalid", "spec.pools[1].providerConfig.reservationIDs[1]", "expected a string, got number"],
    ["Invalid", "spec.pools[1].providerConfig.reservedDevicesOnly", "expected a boolean, got string"],
  ]);
});

Deno.test("a WorkerStatus given where a WorkerConfig is expected is rejected by kind", () => {
  const err = fails(() =>
    decodeWorkerConfig({ apiVersion: API_VERSION, kind: "WorkerStatus", machineImages: [] }, { path: "p" })
  );
  assert.deepEqual(err.errors.map((e) => [e.type, e.field]), [["NotSupported", "p.kind"]]);
});

Deno.test("TypeMeta-only kinds accept only apiVersion and kind", () => {
  assert.deepEqual(decodeInfrastructureConfig({ apiVersion: API_VERSION, kind: "InfrastructureConfig" }), {
    apiVersion: API_VERSION,
    kind: "InfrastructureConfig",
  });
  const err = fails(() =>
    decodeControlPlaneConfig({ apiVersion: API_VERSION, kind: "ControlPlaneConfig", loadBalancer: "x" }, {
      path: "spec.providerConfig",
    })
  );
  assert.equal(err.errors[0].field, "spec.providerConfig.loadBalancer");
});

Deno.test("InfrastructureStatus requires sshKeyID; WorkerStatus keeps iPXE URLs", () => {
  const err = fails(() =>
    decodeInfrastructureStatus({ apiVersion: API_VERSION, kind: "InfrastructureStatus" }, {
      path: "spec.infrastructureProviderStatus",
    })
  );
  assert.deepEqual(err.errors.map((e) => [e.type, e.field]), [[
    "Required",
    "spec.infrastructureProviderStatus.sshKeyID",
  ]]);
  const status = decodeWorkerStatus({
    apiVersion: API_VERSION,
    kind: "WorkerStatus",
    machineImages: [{ name: "flatcar", version: "1", ipxeScriptUrl: "https://x/y.ipxe" }],
  });
  assert.equal(status.machineImages?.[0].ipxeScriptUrl, "https://x/y.ipxe");
});
