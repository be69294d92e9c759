/** The seedprovider's Etcd storage: upstream's capacities, a class only where one is configured. */
import assert from "node:assert/strict";
import { ensureEtcdStorage, type Etcd } from "../../../src/extension/controlplanewebhook/etcd_storage.ts";
import { parseControllerConfiguration } from "../../../src/apis/config/v1alpha1.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { etcd } from "./fixtures.ts";

const TABLE: Array<{
  name: string;
  config: { className?: string; capacity?: string };
  input: Etcd;
  want: { storageClass?: string; storageCapacity?: string | number };
}> = [
  {
    name: "nothing configured: etcd-main 25Gi (gardenlet's size, not upstream's 10Gi), gardenlet's class kept",
    config: {},
    input: etcd("main", { storageClass: "default", storageCapacity: "25Gi" }),
    want: { storageClass: "default", storageCapacity: "25Gi" },
  },
  {
    name: "nothing configured and no class from gardenlet: no empty class written",
    config: {},
    input: etcd("main"),
    want: { storageCapacity: "25Gi" },
  },
  {
    name: "configured: etcd-main gets class and capacity",
    config: { className: "gardener.cloud-fast", capacity: "40Gi" },
    input: etcd("main", { storageCapacity: "25Gi" }),
    want: { storageClass: "gardener.cloud-fast", storageCapacity: "40Gi" },
  },
  {
    name: "configured smaller than gardenlet's size (raised to the seed's minimum volume size): never shrunk",
    config: { capacity: "20Gi" },
    input: etcd("main", { storageCapacity: "32Gi" }),
    want: { storageCapacity: "32Gi" },
  },
  {
    name: "configured: etcd-events keeps 10Gi and gardenlet's class",
    config: { className: "gardener.cloud-fast", capacity: "40Gi" },
    input: etcd("events", { storageClass: "default", storageCapacity: "10Gi" }),
    want: { storageClass: "default", storageCapacity: "10Gi" },
  },
  {
    name: "etcd-events raised by gardenlet: kept",
    config: {},
    input: etcd("events", { storageCapacity: "20Gi" }),
    want: { storageCapacity: "20Gi" },
  },
];

for (const c of TABLE) {
  Deno.test(`etcd storage: ${c.name}`, () => {
    const out = ensureEtcdStorage(c.input, c.config);
    assert.deepEqual({ storageClass: out.spec?.storageClass, storageCapacity: out.spec?.storageCapacity }, {
      storageClass: c.want.storageClass,
      storageCapacity: c.want.storageCapacity,
    });
    assertValidAgainstCrd(out);
    assert.deepEqual(ensureEtcdStorage(out, c.config), out);
  });
}

Deno.test("etcd storage: another Etcd is left alone", () => {
  const other = etcd("main");
  other.metadata.name = "virtual-garden-etcd-main";
  assert.deepEqual(ensureEtcdStorage(other, { capacity: "80Gi" }), other);
});

Deno.test("etcd storage: the ControllerConfiguration's etcd.storage is what the webhook takes", () => {
  const config = parseControllerConfiguration(
    [
      "apiVersion: equinixmetal.provider.extensions.config.gardener.cloud/v1alpha1",
      "kind: ControllerConfiguration",
      "etcd:",
      "  storage:",
      "    className: gardener.cloud-fast",
      "    capacity: 30Gi",
    ].join("\n"),
  );
  const out = ensureEtcdStorage(etcd("main"), config.etcd.storage);
  assert.equal(out.spec?.storageClass, "gardener.cloud-fast");
  assert.equal(out.spec?.storageCapacity, "30Gi");
});
