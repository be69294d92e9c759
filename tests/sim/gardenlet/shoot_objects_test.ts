/**
 * The shoot objects the gardenlet simulation writes: grouped from example/, renamed per shoot, credentials filled in,
 * pools generated — and still valid against the real Gardener CRDs; the node-agent secret name gardenlet derives.
 */
import assert from "node:assert/strict";
import { readManifestDir } from "../../../src/playground/manifests.ts";
import {
  alternativeMachineType,
  generatePools,
  nodeAgentSecretName,
  poolShapes,
  shootNames,
  type ShootObjects,
  shootObjects,
  shootTemplateFrom,
  type SourcedObject,
  wantedMachines,
  withInfrastructureStatus,
  withNodeAgentSecretNames,
  withPoolMachineType,
} from "../../../src/sim/gardenlet/mod.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { parsePublicKey } from "../../../src/extension/infrastructure/ssh_public_key.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";

const EXAMPLE = new URL("../../../example/", import.meta.url).pathname;
const manifests = await readManifestDir(EXAMPLE);
const template = shootTemplateFrom(manifests);
const credentials = { apiToken: "token-for-test-1234567890", projectId: "2f0b8a7c-5d4e-4c3b-9a1f-6e7d8c9b0a12" };

type Json = Record<string, unknown>;
const spec = (o: KubeObject) => (o as unknown as { spec: Json }).spec;
const pools = (s: ShootObjects) => spec(s.worker).pools as Json[];
const shootWorkers = (s: ShootObjects) =>
  ((spec(s.cluster).shoot as Json).spec as { provider: { workers: Json[] } }).provider.workers;

Deno.test("template: example/ grouped by role (namespace, cloudprovider, user data per pool, Infrastructure, Worker)", () => {
  assert.equal(template.technicalId, "shoot--garden--playground");
  assert.equal(template.shootName, "playground");
  assert.equal(template.namespace.metadata.labels?.["gardener.cloud/role"], "shoot");
  assert.equal(template.cloudProvider.metadata.name, "cloudprovider");
  assert.deepEqual(template.userData.map((s) => s.metadata.name), ["user-data-pool-a", "user-data-pool-b"]);
  assert.deepEqual(template.others.map((o) => `${o.kind}/${o.metadata.name}`), ["Namespace/garden-playground"]);
});

Deno.test("template: missing or duplicated objects are errors naming what and where", () => {
  const without = (kind: string): SourcedObject[] => manifests.filter((m) => m.object.kind !== kind);
  assert.throws(() => shootTemplateFrom(without("Cluster")), /exactly one Cluster .*found 0/);
  assert.throws(() => shootTemplateFrom(without("Worker")), /exactly one Worker in shoot--garden--playground, found 0/);
  const twoWorkers = [...manifests, ...manifests.filter((m) => m.object.kind === "Worker")];
  assert.throws(() => shootTemplateFrom(twoWorkers), /found 2 \(.*40-worker\.yaml#1, .*40-worker\.yaml#1\)/);
  const noUserData = manifests.filter((m) => m.object.metadata.name !== "user-data-pool-b");
  assert.throws(() => shootTemplateFrom(noUserData), /user data Secret user-data-pool-b/);
  const badWorker = manifests.map((m) =>
    m.object.kind === "Worker" ? { ...m, object: { ...m.object, spec: { ...spec(m.object), pools: "x" } } } : m
  );
  assert.throws(() => shootTemplateFrom(badWorker as SourcedObject[]), /40-worker\.yaml#1.*spec\.pools/);
});

Deno.test("one shoot: the example's names, the credentials filled in, valid against the real CRDs", () => {
  const [name] = shootNames(template, 1);
  const s = shootObjects(template, { name, index: 0, credentials });
  assert.equal(s.technicalId, "shoot--garden--playground");
  assert.deepEqual((s.cloudProvider as unknown as { stringData: Json }).stringData, {
    apiToken: credentials.apiToken,
    projectID: credentials.projectId,
  });
  assert.equal(wantedMachines(s.worker), 3);
  for (const o of [s.cluster, s.infrastructure, s.worker]) assertValidAgainstCrd(o);
  assert.ok(!JSON.stringify(s).includes("${METAL_API_TOKEN}"));
});

Deno.test("many shoots with generated pools: renamed everywhere, pools in Worker and Cluster alike, one user data secret per pool", () => {
  const names = shootNames(template, 3);
  assert.deepEqual(names, ["playground-1", "playground-2", "playground-3"]);
  const shapes = generatePools(template, 3, 4);
  assert.deepEqual(shapes.map((p) => [p.name, p.machineType, p.minimum, p.maximum, p.zones]), [
    ["pool-1", "c3.small.x86", 4, 4, ["ny5"]],
    ["pool-2", "m3.small.x86", 4, 4, ["ny5", "ny7"]],
    ["pool-3", "c3.small.x86", 4, 4, ["ny5"]],
  ]);
  const shoots = names.map((name, index) => shootObjects(template, { name, index, credentials, pools: shapes }));
  const s = shoots[1];
  assert.equal(s.technicalId, "shoot--garden--playground-2");
  assert.equal(s.namespace.metadata.name, s.technicalId);
  assert.equal(s.cluster.metadata.name, s.technicalId);
  for (const o of [s.cloudProvider, s.infrastructure, s.worker, ...s.userData]) {
    assert.equal(o.metadata.namespace, s.technicalId, `${o.kind} ${o.metadata.name}`);
  }
  assert.equal(s.infrastructure.metadata.name, "playground-2");
  assert.equal((spec(s.worker).secretRef as Json).namespace, s.technicalId);
  assert.deepEqual(
    pools(s).map((p) => [p.name, (p.userDataSecretRef as Json).name, (p.labels as Json)["worker.gardener.cloud/pool"]]),
    [
      ["pool-1", "user-data-pool-1", "pool-1"],
      ["pool-2", "user-data-pool-2", "pool-2"],
      ["pool-3", "user-data-pool-3", "pool-3"],
    ],
  );
  assert.deepEqual(shootWorkers(s).map((w) => [w.name, (w.machine as Json).type, w.minimum, w.zones]), [
    ["pool-1", "c3.small.x86", 4, ["ny5"]],
    ["pool-2", "m3.small.x86", 4, ["ny5", "ny7"]],
    ["pool-3", "c3.small.x86", 4, ["ny5"]],
  ]);
  assert.deepEqual(s.userData.map((u) => u.metadata.name), [
    "user-data-pool-1",
    "user-data-pool-2",
    "user-data-pool-3",
  ]);
  assert.equal(wantedMachines(s.worker), 12);
  const uids = new Set(shoots.map((x) => x.namespace.metadata.annotations?.["shoot.gardener.cloud/uid"]));
  assert.equal(uids.size, 3, "each shoot has its own UID");
  for (const o of [s.cluster, s.infrastructure, s.worker]) assertValidAgainstCrd(o);
  assert.deepEqual(poolShapes(s), shapes);
});

Deno.test("node-agent secret name: a new machine type or image means a new name (a rolling update), a new size does not", () => {
  const pool = structuredClone(pools(shootObjects(template, { name: "playground", index: 0, credentials }))[0]);
  const name = nodeAgentSecretName(pool);
  assert.match(name, /^gardener-node-agent-pool-a-[0-9a-f]{5}$/);
  assert.equal(nodeAgentSecretName({ ...pool, minimum: 5, maximum: 9, labels: { a: "b" } }), name);
  assert.notEqual(nodeAgentSecretName({ ...pool, machineType: "m3.small.x86" }), name);
  assert.notEqual(nodeAgentSecretName({ ...pool, machineImage: { name: "flatcar", version: "3975.2.0" } }), name);
  const worker = withNodeAgentSecretNames(withPoolMachineType(template.worker, "pool-a", "m3.small.x86"));
  const [a, b] = spec(worker).pools as Json[];
  assert.equal(a.machineType, "m3.small.x86");
  assert.notEqual(a.nodeAgentSecretName, name);
  assert.equal(b.nodeAgentSecretName, nodeAgentSecretName(b));
  assert.throws(() => withPoolMachineType(template.worker, "pool-x", "m3.small.x86"), /has no pool pool-x/);
});

Deno.test("the Infrastructure's provider status is copied into the Worker verbatim (no placeholder substitution)", () => {
  const status = {
    apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
    kind: "InfrastructureStatus",
    sshKeyID: "9a1b2c3d-0000-4000-8000-000000000001",
  };
  const w = withInfrastructureStatus(template.worker, status);
  assert.deepEqual(spec(w).infrastructureProviderStatus, status);
  assert.notEqual(spec(w).infrastructureProviderStatus, status, "a copy");
  assertValidAgainstCrd(w);
  assert.equal(alternativeMachineType(template.cluster, "c3.small.x86"), "m3.small.x86");
  assert.equal(alternativeMachineType(template.cluster, "m3.small.x86"), "c3.small.x86");
});

Deno.test("every shoot has its own SSH public key (the example's for the example shoot), the same in Infrastructure and Worker", () => {
  const key = (o: KubeObject) => atob(String(spec(o).sshPublicKey));
  const one = shootObjects(template, { name: "playground", index: 0, credentials });
  assert.equal(spec(one.infrastructure).sshPublicKey, spec(template.infrastructure).sshPublicKey);
  const shoots = shootNames(template, 3).map((name, index) => shootObjects(template, { name, index, credentials }));
  const fingerprints = new Set<string>();
  for (const s of shoots) {
    assert.equal(key(s.infrastructure), key(s.worker));
    const parsed = parsePublicKey(key(s.infrastructure), "spec.sshPublicKey", s.technicalId);
    assert.equal(parsed.type, "ssh-ed25519");
    assert.match(parsed.line, new RegExp(` gardener@${s.technicalId}$`));
    fingerprints.add(parsed.fingerprint);
  }
  assert.equal(fingerprints.size, 3);
  assert.equal(
    key(shootObjects(template, { name: "playground-2", index: 1, credentials }).worker),
    key(shoots[1].worker),
    "deterministic",
  );
});
