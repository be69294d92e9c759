/**
 * The demo with the user's own Shoot (`--shoot FILE`), on a fake clock: SSH access disabled over two zones runs to
 * Running and back to nothing with no device left and no key on any device — although the Metal project holds the
 * operator's project key and an organisation member's key, which Metal installs on every device created without
 * `no_ssh_keys`; and a reserved-devices-only pool runs on the hardware reservations given for the run.
 */
import assert from "node:assert/strict";
import { configureLogging } from "../../src/observability/log.ts";
import { parseHardwareReservation, runPlayground, withLandscape } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

configureLogging({ level: "error" });
const ROOT = new URL("../../", import.meta.url).pathname;
const NO_SSH = `${ROOT}example/shoots/no-ssh-two-zones.yaml`;
const NS = "shoot--dev--no-ssh";

Deno.test("demo --once --shoot no-ssh-two-zones.yaml: Running in two zones and back to nothing, no key on any device", async () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 8, 0, 0));
  const lines: string[] = [];
  const result = await new FakeTimeDriver(clock).during(() =>
    runPlayground({ once: true, clock, randomSeed: 3, print: (l) => lines.push(l), shootFiles: [NO_SSH] })
  );
  const text = lines.join("\n");
  assert.deepEqual(result.reports.map((r) => [r.name, r.machines]), [
    ["create", 2],
    ["rolling update", 2],
    ["migration", 2],
    ["delete", 2],
  ]);
  assert.match(text, new RegExp(`^shoot kubeconfig: \\S+/shoot-${NS}\\.kubeconfig$`, "m"));
  assert.match(text, /^rolling update: pool spread c3\.small\.x86 → m3\.small\.x86 \(2 machine\(s\)\)$/m);
  assert.match(
    text,
    /^deleted: every shoot gone after [\d.]+ s; no device left; none of the 4 device\(s\) of the run carried an SSH key its shoot did not ask for$/m,
  );
});

Deno.test("the same Shoot on a landscape: devices in ny5 and ny7 without any key; the project's keys exist", async () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 9, 0, 0));
  const { value } = await new FakeTimeDriver(clock).during(() =>
    withLandscape({ clock, randomSeed: 4, shootFiles: [NO_SSH] }, async (landscape) => {
      const metal = landscape.simulators.metal;
      await landscape.create();
      const running = metal.devices().filter((d) => d.tags.includes(`kubernetes.io/cluster/${NS}`));
      const infrastructure = landscape.simulators.gardenlet.infrastructure({ shootName: "no-ssh", technicalId: NS });
      await landscape.delete();
      return { running, infrastructure, all: metal.devices({ includeDeleted: true }), seed: metal.seed };
    })
  );
  // The operator's project key and a key of a member of the project's organisation: what Metal would install.
  const projectId = value.seed.projects[0].id;
  assert.ok(value.seed.sshKeys.some((k) => k.projectId === projectId), "a project key");
  assert.ok(value.seed.sshKeys.some((k) => k.userId === value.seed.users[0].id), "an organisation member's key");
  assert.equal(value.running.length, 2);
  assert.deepEqual(value.running.map((d) => d.facility).sort(), ["ny5", "ny7"], "one machine per zone");
  assert.deepEqual(value.running.map((d) => d.sshKeyIds), [[], []], "no key on a running device");
  const status = value.infrastructure?.status as { providerStatus?: { sshKeyID?: string } } | undefined;
  assert.equal(status?.providerStatus?.sshKeyID, "", "no project key created for the shoot");
  const ofShoot = value.all.filter((d) => d.tags.includes(`kubernetes.io/cluster/${NS}`));
  assert.ok(ofShoot.length >= 2);
  assert.deepEqual(ofShoot.filter((d) => d.state !== "deleted" && d.state !== "deprovisioning"), [], "none left");
  assert.deepEqual(ofShoot.flatMap((d) => d.sshKeyIds), [], "no key on any device of the run");
});

Deno.test("--hardware-reservation: a reserved-devices-only pool runs on the reservations given, their ids printed", async () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 10, 0, 0));
  const lines: string[] = [];
  await new FakeTimeDriver(clock).during(() =>
    runPlayground({
      once: true,
      clock,
      randomSeed: 5,
      print: (l) => lines.push(l),
      shootFiles: [`${ROOT}example/shoots/reserved.yaml`],
      hardwareReservations: [{ plan: "m3.small.x86", location: "ny", count: 2 }],
    })
  );
  const text = lines.join("\n");
  const printed = [...text.matchAll(/^hardware reservation ([0-9a-f-]{36}): m3\.small\.x86 in (\S+) /gm)];
  assert.equal(printed.length, 2, text);
  assert.ok(printed.every((m) => m[2] === "ny5"), "a metro stands for its first facility");
  assert.match(text, /^created: all 2 machines Running/m);
  assert.match(text, /^rolled: 2 machine\(s\) replaced/m);
  assert.match(text, /^deleted: every shoot gone after [\d.]+ s; no device left; /m);
});

Deno.test("--shoot inputs fail before anything starts, naming the file and the field", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "own-shoot-bad-" });
  try {
    const text = await Deno.readTextFile(NO_SSH);
    await Deno.writeTextFile(`${tmp}/bad.yaml`, text.replace("- ny7", "- sv15"));
    await assert.rejects(
      runPlayground({ once: true, shootFiles: [`${tmp}/bad.yaml`], print: () => {} }),
      // The garden's admission refuses it before the simulated gardenlet derives anything.
      new RegExp(
        `^GardenAdmissionError: ${tmp}/bad\\.yaml: refused by the garden's admission: admission webhook ` +
          `"shoots\\.validation\\.equinixmetal\\.provider\\.extensions\\.gardener\\.cloud" denied the request: ` +
          `Shoot garden-dev/no-ssh: spec\\.provider\\.workers\\[0\\]\\.zones\\[1\\]: Unsupported value: "sv15": ` +
          `not a facility of metro "ny"`,
      ),
    );
    await assert.rejects(
      runPlayground({ once: true, shootFiles: [NO_SSH, NO_SSH], print: () => {} }),
      /no-ssh-two-zones\.yaml: metadata: the shoot shoot--dev--no-ssh is already given by /,
    );
    await assert.rejects(
      runPlayground({ once: true, shootFiles: [`${tmp}/none.yaml`], print: () => {} }),
      /cannot read the Shoot manifest .*none\.yaml/,
    );
    await assert.rejects(
      runPlayground({ once: true, shootFiles: [NO_SSH], shoots: 2, print: () => {} }),
      /playground option shootFiles: .*not with shoots or pools/,
    );
    await assert.rejects(
      runPlayground({ once: true, cloudProfileFile: NO_SSH, print: () => {} }),
      /playground option cloudProfileFile: only with shootFiles/,
    );
    await assert.rejects(
      runPlayground({ once: true, shootFiles: [NO_SSH], cloudProfileFile: NO_SSH, print: () => {} }),
      /no-ssh-two-zones\.yaml: kind: /,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("--hardware-reservation text: plan:metro|facility[:count]", () => {
  assert.deepEqual(parseHardwareReservation("m3.small.x86:NY"), { plan: "m3.small.x86", location: "ny", count: 1 });
  assert.deepEqual(parseHardwareReservation("c3.small.x86:ny5:3"), { plan: "c3.small.x86", location: "ny5", count: 3 });
  for (const bad of ["c3.small.x86", "c3.small.x86:ny5:0", "c3.small.x86:ny5:x", ":ny5"]) {
    assert.throws(() => parseHardwareReservation(bad), /expected <plan>:<metro or facility>\[:<count 1-1000>\]/, bad);
  }
});

Deno.test("--cloud-profile with one machine type: the Shoot runs in its metro, the rolling update is skipped", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "own-profile-" });
  try {
    await Deno.writeTextFile(
      `${tmp}/profile.yaml`,
      `apiVersion: core.gardener.cloud/v1beta1
kind: CloudProfile
metadata: {name: dallas}
spec:
  type: equinixmetal
  kubernetes: {versions: [{version: 1.32.1}]}
  regions: [{name: da, zones: [{name: da11}]}]
  machineTypes: [{name: c3.small.x86, cpu: "16", gpu: "0", memory: 32Gi, architecture: amd64}]
  machineImages: [{name: flatcar, versions: [{version: 4081.2.0, architectures: [amd64]}]}]
  providerConfig:
    apiVersion: equinixmetal.provider.extensions.gardener.cloud/v1alpha1
    kind: CloudProfileConfig
    machineImages: [{name: flatcar, versions: [{version: 4081.2.0, id: flatcar_stable}]}]
`,
    );
    await Deno.writeTextFile(
      `${tmp}/shoot.yaml`,
      `apiVersion: core.gardener.cloud/v1beta1
kind: Shoot
metadata: {name: dal, namespace: garden}
spec:
  cloudProfile: {name: dallas}
  region: da
  kubernetes: {version: 1.32.1}
  provider:
    type: equinixmetal
    workers: [{name: w, machine: {type: c3.small.x86}, minimum: 1, maximum: 1, zones: [da11]}]
`,
    );
    const clock = new FakeClock(Date.UTC(2026, 11, 6, 11, 0, 0));
    const lines: string[] = [];
    const result = await new FakeTimeDriver(clock).during(() =>
      runPlayground({
        once: true,
        clock,
        randomSeed: 6,
        print: (l) => lines.push(l),
        shootFiles: [`${tmp}/shoot.yaml`],
        cloudProfileFile: `${tmp}/profile.yaml`,
      })
    );
    assert.deepEqual(result.reports.map((r) => [r.name, r.machines]), [["create", 1], ["migration", 1], ["delete", 1]]);
    const text = lines.join("\n");
    assert.match(text, /^rolling update: skipped /m);
    assert.match(text, /^deleted: every shoot gone after [\d.]+ s; no device left; none of the 1 device\(s\) /m);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
