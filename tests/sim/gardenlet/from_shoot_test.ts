/**
 * The gardenlet simulation's derivation of seed objects from a user's Shoot (and CloudProfile): pools, zones, machine
 * types and images (defaulted from and checked against the CloudProfile and its image mapping), provider configs,
 * SSH access, hibernation and Kubernetes version; every invalid manifest rejected naming the file and the field; and
 * every example/shoots/*.yaml derivable and valid against the real CRDs.
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { decodeBase64 } from "../../../src/runtime/base64.ts";
import { readManifestDir } from "../../../src/playground/manifests.ts";
import {
  parseCloudProfileManifest,
  parseShootManifest,
  poolShapes,
  shootObjects,
  shootPublicKey,
  shootTemplateFrom,
  shootTemplateFromShoot,
} from "../../../src/sim/gardenlet/mod.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const base = shootTemplateFrom(await readManifestDir(`${ROOT}example`));
const FILE = "my-shoot.yaml";

type Json = Record<string, unknown>;

/** A valid Shoot; `edit` changes the parsed object before it is written back as YAML. */
function shootYaml(edit: (s: Json & { spec: Json & { provider: Json & { workers: Json[] } } }) => void = () => {}) {
  const shoot = {
    apiVersion: "core.gardener.cloud/v1beta1",
    kind: "Shoot",
    metadata: { name: "mine", namespace: "garden-team" },
    spec: {
      cloudProfile: { kind: "CloudProfile", name: "equinix-metal" },
      region: "ny",
      kubernetes: { version: "1.31.4" },
      provider: {
        type: "equinixmetal",
        infrastructureConfig: {
          apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
          kind: "InfrastructureConfig",
        },
        workers: [
          {
            name: "a",
            machine: { type: "c3.small.x86" },
            minimum: 1,
            maximum: 3,
            zones: ["ny5", "ny7"],
            labels: { team: "blue" },
          },
          {
            name: "b",
            machine: { type: "m3.small.x86", image: { name: "flatcar", version: "3975.2.0" } },
            minimum: 2,
            maximum: 2,
            zones: ["ny7"],
            kubernetes: { version: "1.31.4" },
            providerConfig: {
              apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
              kind: "WorkerConfig",
              reservationIDs: ["next-available"],
              reservedDevicesOnly: true,
            },
          },
        ],
      },
    },
  };
  edit(shoot as never);
  return stringify(shoot);
}

function derive(text: string, file = FILE) {
  return shootTemplateFromShoot(parseShootManifest(text, file), base, { file });
}

type Pool = Json & { machineImage: Json; labels: Record<string, string>; zones: string[] };
const poolsOf = (w: KubeObject) => (w as unknown as { spec: { pools: Pool[] } }).spec.pools;

Deno.test("a Shoot becomes namespace, Cluster, Infrastructure and Worker as gardenlet derives them", () => {
  const t = derive(shootYaml());
  assert.equal(t.technicalId, "shoot--team--mine");
  assert.equal(t.shootName, "mine");
  assert.equal(t.namespace.metadata.name, "shoot--team--mine");
  assert.equal(t.cluster.metadata.name, "shoot--team--mine");
  const clusterShoot = (t.cluster as unknown as { spec: { shoot: Json & { metadata: Json; status: Json } } }).spec
    .shoot;
  assert.equal(clusterShoot.metadata.namespace, "garden-team");
  assert.equal(clusterShoot.status.technicalID, "shoot--team--mine");
  const pools = poolsOf(t.worker);
  assert.deepEqual(pools.map((p) => [p.name, p.machineType, p.minimum, p.maximum, p.zones]), [
    ["a", "c3.small.x86", 1, 3, ["ny5", "ny7"]],
    ["b", "m3.small.x86", 2, 2, ["ny7"]],
  ]);
  // The image: defaulted to the newest supported version, or as written.
  assert.deepEqual(pools[0].machineImage, { name: "flatcar", version: "4081.2.0" });
  assert.deepEqual(pools[1].machineImage, { name: "flatcar", version: "3975.2.0" });
  assert.equal(pools[0].kubernetesVersion, "1.31.4");
  assert.equal(pools[0].architecture, "amd64");
  assert.equal(pools[0].labels.team, "blue");
  assert.equal(pools[0].labels["worker.gardener.cloud/pool"], "a");
  assert.equal(pools[1].labels["worker.gardener.cloud/image-version"], "3975.2.0");
  assert.deepEqual(pools[1].providerConfig, {
    apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
    kind: "WorkerConfig",
    reservationIDs: ["next-available"],
    reservedDevicesOnly: true,
  });
  assert.match(String(pools[0].nodeAgentSecretName), /^gardener-node-agent-a-[0-9a-f]{5}$/);
  assert.deepEqual(t.userData.map((s) => s.metadata.name), ["user-data-a", "user-data-b"]);
  // SSH access on (the default): the shoot's own public key in Infrastructure and Worker.
  const key = new TextDecoder().decode(decodeBase64(String((t.infrastructure as { spec?: Json }).spec!.sshPublicKey)));
  assert.equal(key, shootPublicKey("shoot--team--mine"));
  assert.equal(
    (t.worker as { spec?: Json }).spec!.sshPublicKey,
    (t.infrastructure as { spec?: Json }).spec!.sshPublicKey,
  );
  assert.deepEqual((t.infrastructure as { spec?: Json }).spec!.providerConfig, {
    apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
    kind: "InfrastructureConfig",
  });
  // The concrete shoot (credentials filled in) is valid against the real CRDs.
  const s = shootObjects(t, { name: t.shootName, index: 0, credentials: { apiToken: "t".repeat(32), projectId: "p" } });
  for (const o of [s.cluster, s.infrastructure, s.worker]) assertValidAgainstCrd(o);
  assert.equal(s.technicalId, "shoot--team--mine");
  assert.deepEqual(poolShapes(s).map((p) => p.name), ["a", "b"]);
});

Deno.test("SSH access disabled: no public key in the Infrastructure and the Worker", () => {
  const t = derive(shootYaml((s) => {
    s.spec.provider.workersSettings = { sshAccess: { enabled: false } };
  }));
  assert.equal((t.infrastructure as { spec?: Json }).spec!.sshPublicKey, undefined);
  assert.equal((t.worker as { spec?: Json }).spec!.sshPublicKey, undefined);
  for (const o of [t.infrastructure, t.worker]) assertValidAgainstCrd(o);
});

Deno.test("hibernation and the Kubernetes version reach the Cluster's Shoot and the pools", () => {
  const t = derive(shootYaml((s) => {
    s.spec.hibernation = { enabled: true };
  }));
  const spec = (t.cluster as unknown as { spec: { shoot: { spec: Json } } }).spec.shoot.spec;
  assert.deepEqual(spec.hibernation, { enabled: true });
  assert.deepEqual((spec.kubernetes as Json).version, "1.31.4");
  // The Cluster's workers carry the image gardenlet defaulted.
  const workers = (spec.provider as { workers: Array<{ machine: Json }> }).workers;
  assert.deepEqual(workers[0].machine.image, { name: "flatcar", version: "4081.2.0" });
});

Deno.test("a CloudProfile given: its types, zones and image mapping are what the Shoot is checked against", () => {
  const profileText = stringify({
    apiVersion: "core.gardener.cloud/v1beta1",
    kind: "CloudProfile",
    metadata: { name: "small" },
    spec: {
      type: "equinixmetal",
      regions: [{ name: "da", zones: [{ name: "da11" }] }],
      machineTypes: [{ name: "c3.small.x86", cpu: "16", gpu: "0", memory: "32Gi", architecture: "amd64" }],
      machineImages: [{ name: "ubuntu", versions: [{ version: "24.4.0" }, { version: "22.4.0" }] }],
      providerConfig: {
        apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
        kind: "CloudProfileConfig",
        machineImages: [{ name: "ubuntu", versions: [{ version: "24.4.0", id: "ubuntu_24_04" }] }],
      },
    },
  });
  const profile = parseCloudProfileManifest(profileText, "profile.yaml");
  const shoot = (edit: (w: Json) => void) =>
    parseShootManifest(
      shootYaml((s) => {
        s.spec.cloudProfile = { kind: "CloudProfile", name: "small" };
        s.spec.region = "da";
        s.spec.provider.workers = [{
          name: "a",
          machine: { type: "c3.small.x86" },
          minimum: 1,
          maximum: 1,
          zones: ["da11"],
        }];
        edit(s.spec.provider.workers[0]);
      }),
      FILE,
    );
  const t = shootTemplateFromShoot(shoot(() => {}), base, { file: FILE, profile, profileFile: "profile.yaml" });
  assert.deepEqual(poolsOf(t.worker)[0].machineImage, { name: "ubuntu", version: "24.4.0" });
  assert.equal(
    (t.cluster as unknown as { spec: { cloudProfile: { metadata: Json } } }).spec.cloudProfile.metadata.name,
    "small",
  );
  assert.throws(
    () =>
      shootTemplateFromShoot(
        shoot((w) => (w.machine = { type: "c3.small.x86", image: { name: "ubuntu", version: "22.4.0" } })),
        base,
        { file: FILE, profile, profileFile: "profile.yaml" },
      ),
    {
      message: "my-shoot.yaml: spec.provider.workers[0].machine.image.version: ubuntu 22.4.0 has no Equinix Metal " +
        "image (OS slug or iPXE script) in the providerConfig of CloudProfile small (profile.yaml)",
    },
  );
  assert.throws(
    () => parseCloudProfileManifest(profileText.replace("kind: CloudProfile\n", "kind: Profile\n"), "p.yaml"),
    {
      message: /^p\.yaml: kind: /,
    },
  );
});

Deno.test("invalid Shoots: the error names the file and the field", () => {
  const cases: Array<[string, (s: Json & { spec: Json & { provider: Json & { workers: Json[] } } }) => void, RegExp]> =
    [
      ["kind", (s) => (s.kind = "Seed"), /^my-shoot\.yaml: kind: /],
      [
        "name",
        (s) => ((s.metadata as Json).name = "Not_A_Name"),
        /^my-shoot\.yaml: metadata\.name: must be a DNS label/,
      ],
      ["provider type", (s) => (s.spec.provider.type = "aws"), /^my-shoot\.yaml: spec\.provider\.type: /],
      [
        "no workers",
        (s) => (s.spec.provider.workers = []),
        /^my-shoot\.yaml: spec\.provider\.workers: needs at least one worker pool$/,
      ],
      [
        "no zones",
        (s) => (s.spec.provider.workers[0].zones = []),
        /^my-shoot\.yaml: spec\.provider\.workers\[0\]\.zones: needs at least one zone/,
      ],
      [
        "min > max",
        (s) => (s.spec.provider.workers[1].minimum = 5),
        /^my-shoot\.yaml: spec\.provider\.workers\[1\]\.maximum: maximum must not be less than minimum$/,
      ],
      [
        "region",
        (s) => (s.spec.region = "xx"),
        /^my-shoot\.yaml: spec\.region: "xx" is not a region of CloudProfile equinix-metal \(ny\)$/,
      ],
      [
        "zone",
        (s) => (s.spec.provider.workers[0].zones = ["ny5", "da11"]),
        /^my-shoot\.yaml: spec\.provider\.workers\[0\]\.zones\[1\]: "da11" is not a zone of region ny/,
      ],
      [
        "machine type",
        (s) => (s.spec.provider.workers[1].machine = { type: "x9.huge" }),
        /^my-shoot\.yaml: spec\.provider\.workers\[1\]\.machine\.type: "x9\.huge" is not a machine type of CloudProfile equinix-metal$/,
      ],
      [
        "image",
        (s) => (s.spec.provider.workers[0].machine = { type: "c3.small.x86", image: { name: "windows" } }),
        /^my-shoot\.yaml: spec\.provider\.workers\[0\]\.machine\.image\.name: "windows" is not a machine image/,
      ],
      [
        "image version",
        (
          s,
        ) => (s.spec.provider.workers[0].machine = {
          type: "c3.small.x86",
          image: { name: "flatcar", version: "1.0.0" },
        }),
        /^my-shoot\.yaml: spec\.provider\.workers\[0\]\.machine\.image\.version: flatcar 1\.0\.0 is not offered/,
      ],
      [
        "kubernetes version",
        (s) => (s.spec.kubernetes = { version: "1.20.0" }),
        /^my-shoot\.yaml: spec\.kubernetes\.version: 1\.20\.0 is not offered \(1\.31\.4\)$/,
      ],
      [
        "cloud profile",
        (s) => (s.spec.cloudProfile = { name: "other" }),
        /^my-shoot\.yaml: spec\.cloudProfile\.name: "other" is not the CloudProfile given/,
      ],
      [
        "duplicate pool",
        (s) => (s.spec.provider.workers[1].name = "a"),
        /^my-shoot\.yaml: spec\.provider\.workers\[1\]\.name: duplicate pool name "a"$/,
      ],
      [
        "update strategy",
        (s) => (s.spec.provider.workers[0].updateStrategy = "AutoInPlaceUpdate"),
        /^my-shoot\.yaml: spec\.provider\.workers\[0\]\.updateStrategy: only AutoRollingUpdate/,
      ],
      [
        "worker config field",
        (s) => ((s.spec.provider.workers[1].providerConfig as Json).reservedOnly = true),
        /^my-shoot\.yaml: .*spec\.provider\.workers\[1\]\.providerConfig\.reservedOnly/,
      ],
      [
        "reservation id",
        (s) => ((s.spec.provider.workers[1].providerConfig as Json).reservationIDs = ["abc"]),
        /^my-shoot\.yaml: .*spec\.provider\.workers\[1\]\.providerConfig\.reservationIDs\[0\]/,
      ],
      [
        "infrastructure config",
        (s) => ((s.spec.provider.infrastructureConfig as Json).kind = "WorkerConfig"),
        /^my-shoot\.yaml: .*spec\.provider\.infrastructureConfig/,
      ],
    ];
  for (const [what, edit, message] of cases) {
    assert.throws(() => derive(shootYaml(edit)), { message }, what);
  }
  assert.throws(() => derive("a: [", FILE), { message: /^my-shoot\.yaml: invalid YAML: / });
  assert.throws(() => derive(`${shootYaml()}---\n${shootYaml()}`), {
    message: "my-shoot.yaml: expected one Shoot document, found 2",
  });
});

Deno.test("every example/shoots/*.yaml derives into objects valid against the real CRDs", async () => {
  const files: string[] = [];
  for await (const e of Deno.readDir(`${ROOT}example/shoots`)) if (e.name.endsWith(".yaml")) files.push(e.name);
  assert.ok(files.includes("no-ssh-two-zones.yaml") && files.includes("reserved.yaml"), files.join(", "));
  for (const f of files.sort()) {
    const file = `example/shoots/${f}`;
    const t = derive(await Deno.readTextFile(`${ROOT}${file}`), file);
    for (const o of [t.cluster, t.infrastructure, t.worker]) assertValidAgainstCrd(o);
  }
  const noSsh = derive(await Deno.readTextFile(`${ROOT}example/shoots/no-ssh-two-zones.yaml`));
  assert.equal((noSsh.worker as { spec?: Json }).spec!.sshPublicKey, undefined);
  assert.deepEqual(new Set(poolsOf(noSsh.worker).flatMap((p) => p.zones)), new Set(["ny5", "ny7"]));
});
