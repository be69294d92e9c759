/**
 * example/10-cluster.yaml, 20-secret.yaml and 30-infrastructure.yaml: valid against the real CRDs, strictly decodable
 * provider configs, and consistent with each other (region, zones, machine types, images, names, keys) so that the
 * Worker of 40-worker.yaml can be reconciled from them. README.md describes every file of the folder.
 */
import assert from "node:assert/strict";
import { decodeCluster, decodeInfrastructure, decodeSshPublicKey } from "../../../src/apis/extensions/v1alpha1.ts";
import { decodeInfrastructureConfig } from "../../../src/apis/equinixmetal/v1alpha1.ts";
import { cloudProfileConfigFromCluster, findImageInCloudProfile } from "../../../src/apis/equinixmetal/helper.ts";
import { validateCloudProfileConfig } from "../../../src/apis/equinixmetal/validation.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { parsePublicKey } from "../../../src/extension/infrastructure/ssh_public_key.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { parseManifests } from "../../../src/playground/manifests.ts";
import { KEY_1 } from "../reconciler/harness.ts";

const EXAMPLE = new URL("../../../example/", import.meta.url).pathname;
const docs = (file: string): KubeObject[] =>
  parseManifests(Deno.readTextFileSync(EXAMPLE + file), file).map((m) => m.object);
const NS = "shoot--garden--playground";

Deno.test("examples: Cluster and Infrastructure validate against the real CRDs; provider configs decode strictly", () => {
  const [ns, cluster] = docs("10-cluster.yaml");
  assert.equal(ns.kind, "Namespace");
  assertValidAgainstCrd(cluster);
  const [infra] = docs("30-infrastructure.yaml");
  assertValidAgainstCrd(infra);

  const c = decodeCluster(cluster);
  const cfg = cloudProfileConfigFromCluster(c)!;
  assert.deepEqual(validateCloudProfileConfig(cfg), []);
  const i = decodeInfrastructure(infra);
  decodeInfrastructureConfig(i.spec.providerConfig, { path: "spec.providerConfig" });
});

Deno.test("examples: names, labels, region, zones, machine types and images are consistent", () => {
  const [ns, cluster] = docs("10-cluster.yaml");
  const c = decodeCluster(cluster);
  const shoot = c.spec.shoot;
  const profile = c.spec.cloudProfile.spec;
  assert.equal(ns.metadata.name, NS);
  assert.equal(c.metadata.name, NS, "the Cluster is named after the namespace");
  assert.equal(shoot.status?.technicalID, NS);
  for (const label of ["seed.gardener.cloud/provider", "shoot.gardener.cloud/provider"]) {
    assert.equal(ns.metadata.labels?.[label], "equinixmetal", label);
  }
  assert.equal(ns.metadata.labels?.["gardener.cloud/role"], "shoot");
  assert.equal(ns.metadata.labels?.["networking.shoot.gardener.cloud/provider"], shoot.spec.networking?.type);

  assert.equal(shoot.spec.region, "ny");
  assert.match(shoot.spec.kubernetes.version, /^1\.31\.\d+$/);
  const region = profile.regions.find((r) => r.name === shoot.spec.region);
  assert.deepEqual(region?.zones?.map((z) => z.name), ["ny5", "ny7", "ewr1"]);
  const cfg = cloudProfileConfigFromCluster(c)!;
  const workers = shoot.spec.provider.workers ?? [];
  assert.deepEqual(workers.map((w) => [w.name, w.machine.type, w.zones]), [
    ["pool-a", "c3.small.x86", ["ny5"]],
    ["pool-b", "m3.small.x86", ["ny5", "ny7"]],
  ]);
  for (const w of workers) {
    for (const z of w.zones ?? []) assert.ok(region?.zones?.some((rz) => rz.name === z), `${w.name}: zone ${z}`);
    assert.ok(profile.machineTypes.some((t) => t.name === w.machine.type), `${w.name}: machine type`);
    const { name, version } = w.machine.image!;
    assert.ok(profile.machineImages.some((i) => i.name === name && i.versions.some((v) => v.version === version)));
    assert.equal(findImageInCloudProfile(cfg, name, version!)?.id, "flatcar_stable", `${w.name}: OS slug`);
  }
  // Every CloudProfile version is mapped; one boots by iPXE only.
  const versions = profile.machineImages.flatMap((i) =>
    i.versions.map((v) => findImageInCloudProfile(cfg, i.name, v.version))
  );
  assert.ok(versions.every((v) => v !== undefined));
  assert.equal(versions.filter((v) => v!.id === undefined && v!.ipxeScriptUrl?.startsWith("https://")).length, 1);
});

Deno.test("examples: secrets carry the credential placeholders and the user data placeholders of MCM", () => {
  const [cloudprovider, poolA, poolB] = docs("20-secret.yaml") as Array<
    KubeObject & { stringData: Record<string, string> }
  >;
  assert.equal(cloudprovider.metadata.name, "cloudprovider");
  assert.equal(cloudprovider.metadata.labels?.["gardener.cloud/purpose"], "cloudprovider");
  assert.deepEqual(cloudprovider.stringData, { apiToken: "${METAL_API_TOKEN}", projectID: "${METAL_PROJECT_ID}" });
  for (const [s, pool] of [[poolA, "pool-a"], [poolB, "pool-b"]] as const) {
    assert.equal(s.metadata.name, `user-data-${pool}`);
    assert.equal(s.metadata.namespace, NS);
    assert.match(s.stringData.cloud_config, /<<BOOTSTRAP_TOKEN>>/);
    assert.match(s.stringData.cloud_config, /<<MACHINE_NAME>>/);
    assert.match(s.stringData.cloud_config, /gardener-node-init\.service/);
  }
});

Deno.test("examples: the Infrastructure asks for a reconcile and holds a real public key", () => {
  const [raw] = docs("30-infrastructure.yaml");
  const infra = decodeInfrastructure(raw);
  assert.equal(infra.metadata.name, "playground");
  assert.equal(infra.metadata.namespace, NS);
  assert.equal(infra.metadata.annotations?.["gardener.cloud/operation"], "reconcile");
  assert.deepEqual(infra.spec.secretRef, { name: "cloudprovider", namespace: NS });
  const key = parsePublicKey(decodeSshPublicKey(infra.spec)!, "spec.sshPublicKey", "example");
  assert.equal(key.type, "ssh-ed25519");
  assert.equal(key.fingerprint, KEY_1.fingerprint);
});

Deno.test("examples: README.md describes every file of example/", () => {
  const readme = Deno.readTextFileSync(EXAMPLE + "README.md");
  for (const entry of Deno.readDirSync(EXAMPLE)) {
    if (entry.name === "README.md") continue;
    assert.ok(readme.includes(entry.name), `README.md does not mention ${entry.name}`);
  }
});
