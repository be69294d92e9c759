/**
 * The playground end to end: the scenario on a fake clock (create → all Running → rolling update → deletion), the
 * serving mode driven with the real kubectl through the printed kubeconfigs, bad inputs, and the acceptance run of
 * `demo --once` as a subprocess in a copy of what a fresh clone holds, alone in its directory.
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { loadConnection } from "../../src/k8s/client/kubeconfig.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { CoreV1, MachineV1alpha1 } from "../../src/k8s/api/resources.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { parseManifests } from "../../src/playground/manifests.ts";
import { runPlayground } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { eventually } from "../support/eventually.ts";
import { KUBECTL, KUBECTL_MISSING, testUnless } from "../support/needs.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

configureLogging({ level: "error" });
const ROOT = new URL("../../", import.meta.url).pathname;
const NS = "shoot--garden--playground";

Deno.test("once on a fake clock: create → all Running → rolling update → migration → deletion; calls per machine; nothing left", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 8, 0, 0));
  const lines: string[] = [];
  const result = await new FakeTimeDriver(clock).during(() =>
    runPlayground({ once: true, clock, randomSeed: 11, print: (l) => lines.push(l) })
  );
  const text = lines.join("\n");
  assert.deepEqual(result.reports.map((r) => [r.name, r.machines]), [
    ["create", 3],
    ["rolling update", 1],
    ["migration", 3],
    ["delete", 3],
  ]);
  const [create, rolling, migration, del] = result.reports;
  // The migration moves the control plane only: no device is created or deleted.
  assert.deepEqual([migration.deviceCallsByMethod.POST ?? 0, migration.deviceCallsByMethod.DELETE ?? 0], [0, 0]);
  // The machines' own Metal calls: one lookup and one POST per created machine, one DELETE per deleted machine; the
  // orphan collection's listings of all devices (at most one per class) are counted apart.
  assert.deepEqual(create.deviceCallsByMethod, { GET: 3, POST: 3 }, JSON.stringify(create.metalByEndpoint));
  assert.ok(create.deviceListings <= 3, JSON.stringify(create.metalByEndpoint));
  assert.equal(del.deviceCallsByMethod.DELETE, 3);
  assert.deepEqual(Object.keys(del.deviceCallsByMethod), ["DELETE"], "no GET before a DELETE");
  assert.equal(rolling.metalByEndpoint["POST /projects/{id}/devices"], 1, "one new machine for the rolled pool");
  assert.equal(rolling.metalByEndpoint["DELETE /devices/{id}"], 1, "and the old one deleted");
  assert.ok(create.leaseWrites > 0 && create.componentWrites > 0 && create.simulationWrites > 0);
  assert.ok(result.milestones!.allRunningMs <= result.milestones!.workersReadyMs + 1000);
  assert.match(text, /^kubeconfig: \S+\/kubeconfig$/m);
  assert.match(text, /^shoot kubeconfig: \S+\/shoot-shoot--garden--playground\.kubeconfig$/m);
  assert.match(text, /MCM counts a machine as available as soon as it is Running/);
  assert.match(
    text,
    /^created: all 3 machines Running after [\d.]+ s, Workers ready after [\d.]+ s; exactly one device per machine$/m,
  );
  assert.match(text, /^rolling update: pool pool-a c3\.small\.x86 → m3\.small\.x86 \(1 machine\(s\)\)$/m);
  assert.match(
    text,
    /^deleted: every shoot gone after [\d.]+ s; no device left; none of the \d+ device\(s\) of the run carried an SSH key its shoot did not ask for$/m,
  );
  assert.match(
    text,
    /^shoot shoot--garden--playground: APIServerAvailable=True, ControlPlaneHealthy=True, EveryNodeReady=True, SystemComponentsHealthy=True$/m,
  );
  assert.match(text, /^garden kubeconfig: \S+\/garden\.kubeconfig \(kubectl get shoots -A\)$/m);
  assert.match(text, /^left after the deletion: nothing in the seed, the garden or the shoots$/m);
  assert.match(text, /^Summary$/m);
  assert.match(
    text,
    /^ {4}create +\d+ total: devices 6 = 2\.00 per machine \(GET 1\.00, POST 1\.00\), listings \d, other \d+$/m,
  );
  assert.match(text, /^ {4}delete +\d+ total: devices 3 = 1\.00 per machine \(DELETE 1\.00\), listings 0, other \d+$/m);
  assert.ok(lines.some((l) => l.startsWith("[creating] ")), "plain progress lines on changes");
  await assert.rejects(Deno.stat(result.kubeconfigPath), Deno.errors.NotFound, "its temporary directory is removed");
});

async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(KUBECTL, {
    args: ["--kubeconfig", kubeconfig, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (out.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return text;
}

type Pooled = KubeObject & { status?: { currentStatus?: { phase?: string } } };

testUnless(KUBECTL_MISSING, {
  name:
    "serving: kubectl on the printed kubeconfigs scales a pool, rolls one, deletes the Worker; the signal stops everything",
  fn: async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 21, 9, 0, 0));
    const driver = new FakeTimeDriver(clock).start();
    const stop = new AbortController();
    const lines: string[] = [];
    const running = runPlayground({
      clock,
      signal: stop.signal,
      randomSeed: 12,
      status: "quiet",
      print: (l) => lines.push(l),
    });
    let seed: KubeClient | undefined;
    let shoot: KubeClient | undefined;
    try {
      await eventually(() => lines.some((l) => l === "Press Ctrl-C to stop."), {
        timeoutMs: 60_000,
        description: "serving",
      });
      const seedPath = /^kubeconfig: (\S+)$/m.exec(lines.join("\n"))![1];
      const shootPath = /^shoot kubeconfig: (\S+)$/m.exec(lines.join("\n"))![1];
      assert.ok(
        lines.some((l) =>
          l.includes(`kubectl --kubeconfig ${seedPath} -n ${NS} get workers,machinedeployments,machines`)
        ),
      );
      seed = new KubeClient(await loadConnection({ path: seedPath }));
      shoot = new KubeClient(await loadConnection({ path: shootPath }));
      const machines = async (pool: string) =>
        (await seed!.list<Pooled>(MachineV1alpha1.machines, { namespace: NS })).items.filter((m) =>
          m.metadata.name!.startsWith(`${NS}-${pool}-`)
        );
      /** A JSON patch of the Worker with kubectl, as a user would change the shoot. */
      const patchWorker = (ops: string) =>
        kubectl(seedPath, "-n", NS, "patch", "worker", "playground", "--type", "json", "-p", ops);
      assert.match(await kubectl(seedPath, "-n", NS, "get", "machines"), new RegExp(`${NS}-pool-b-z2-`));
      assert.equal((await shoot.list(CoreV1.nodes)).items.length, 3);

      // Scale pool-b (index 1) from 2..4 to 3..5 machines.
      await patchWorker(
        '[{"op":"replace","path":"/spec/pools/1/minimum","value":3},{"op":"replace","path":"/spec/pools/1/maximum","value":5}]',
      );
      await eventually(async () => {
        const b = await machines("pool-b");
        return b.length === 3 && b.every((m) => m.status?.currentStatus?.phase === "Running");
      }, { timeoutMs: 60_000, description: "three Running machines in pool-b" });
      assert.ok(
        lines.some((l) =>
          /^gardenlet \(simulated\): Worker shoot--garden--playground\/playground spec changed/.test(l)
        ),
      );

      // A new machine type for pool-a: a new node-agent secret, a new class, a rolling update.
      await patchWorker('[{"op":"replace","path":"/spec/pools/0/machineType","value":"m3.small.x86"}]');
      await eventually(async () => {
        const nodes = (await shoot!.list(CoreV1.nodes)).items.filter((n) =>
          n.metadata.name!.startsWith(`${NS}-pool-a-`)
        );
        return nodes.length === 1 && nodes[0].metadata.labels?.["node.kubernetes.io/instance-type"] === "m3.small.x86";
      }, { timeoutMs: 60_000, description: "pool-a's node on m3.small.x86" });

      // Delete the Worker as gardenlet would: confirm, then delete. Machines, nodes and devices go away.
      await kubectl(
        seedPath,
        "-n",
        NS,
        "annotate",
        "worker",
        "playground",
        "confirmation.gardener.cloud/deletion=true",
      );
      await kubectl(seedPath, "-n", NS, "delete", "worker", "playground", "--wait=false");
      await eventually(
        async () =>
          (await seed!.list(MachineV1alpha1.machines, { namespace: NS })).items.length === 0 &&
          (await shoot!.list(CoreV1.nodes)).items.length === 0,
        {
          timeoutMs: 60_000,
          description: "no machine and no node left",
        },
      );
    } finally {
      seed?.close();
      shoot?.close();
      stop.abort();
      const result = await running.finally(() => driver.stop());
      assert.equal(result.reports.length, 1, "serving reports its create phase only");
      await assert.rejects(Deno.stat(result.kubeconfigPath), Deno.errors.NotFound);
    }
  },
});

Deno.test("serving: a stop while the shoot is still being created ends cleanly (Ctrl-C is not a failure)", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 10, 0, 0));
  const stop = new AbortController();
  const lines: string[] = [];
  const result = await new FakeTimeDriver(clock).during(async () => {
    const running = runPlayground({
      clock,
      signal: stop.signal,
      randomSeed: 13,
      status: "quiet",
      print: (l) => lines.push(l),
    });
    await eventually(() => lines.some((l) => l.startsWith("running: ")), { timeoutMs: 30_000, description: "started" });
    stop.abort(new DOMException("received SIGINT", "AbortError"));
    return await running;
  });
  assert.deepEqual(result.reports, [], "no phase finished");
  await assert.rejects(Deno.stat(result.kubeconfigPath), Deno.errors.NotFound);
});

Deno.test("bad inputs fail before anything starts, naming what is wrong", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "playground-bad-" });
  try {
    await assert.rejects(
      runPlayground({ once: true, crdsDir: `${tmp}/none`, print: () => {} }),
      new RegExp(`the Gardener and MCM CRDs are expected in ${tmp}/none/gardener; it does not exist`),
    );
    await Deno.writeTextFile(`${tmp}/10.yaml`, "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n");
    await assert.rejects(
      runPlayground({ once: true, examplesDir: tmp, print: () => {} }),
      /10\.yaml#1: not a Kubernetes object: metadata\.name/,
    );
    await Deno.writeTextFile(`${tmp}/10.yaml`, "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
    await assert.rejects(
      runPlayground({ once: true, examplesDir: tmp, print: () => {} }),
      /the shoot manifests need exactly one Cluster \(extensions\.gardener\.cloud\), found 0/,
    );
    await assert.rejects(runPlayground({ once: true, shoots: 0, print: () => {} }), /playground option shoots: /);
    await assert.rejects(
      runPlayground({ once: true, pools: 2, print: () => {} }),
      /pools and machinesPerPool: give both or neither/,
    );
    await assert.rejects(
      runPlayground({ once: true, faults: { metal: { lostResponsePercent: 120 } }, print: () => {} }),
      /playground option faults\.metal\.lostResponsePercent: /,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("manifests: multi-document files, empty documents skipped, errors name file and document", () => {
  const docs = parseManifests(
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\nkind: Secret\napiVersion: v1\nmetadata: {name: s}\n",
    "x.yaml",
  );
  assert.deepEqual(docs.map((d) => `${d.source} ${d.object.kind}`), ["x.yaml#1 Namespace", "x.yaml#3 Secret"]);
  assert.throws(() => parseManifests("kind: [", "bad.yaml"), /bad\.yaml#1: invalid YAML/);
  assert.throws(() => parseManifests("apiVersion: v1\nmetadata: {name: x}\n", "k.yaml"), /k\.yaml#1: .*kind/);
});

/** A copy of what a clone contains that the demo needs, alone in a new temporary directory. */
async function freshClone(): Promise<string> {
  const base = await Deno.makeTempDir({ prefix: "fresh-clone-" });
  const dir = `${base}/main`;
  await Deno.mkdir(dir);
  for (const f of ["deno.json", "deno.lock"]) await Deno.copyFile(`${ROOT}${f}`, `${dir}/${f}`);
  for (const d of ["src", "example", "crds", "charts"]) {
    const out = await new Deno.Command("cp", { args: ["-r", `${ROOT}${d}`, `${dir}/${d}`] }).output();
    assert.equal(out.code, 0);
  }
  return base;
}

Deno.test("`demo --once` in a fresh clone: the vendored CRDs, the summary, exit 0; failures exit 1 naming the cause", async () => {
  const base = await freshClone();
  try {
    const run = (...args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-P", "--quiet", "src/main.ts", "--log-level", "error", ...args],
        cwd: `${base}/main`,
        stdout: "piped",
        stderr: "piped",
      }).output();
    // Provisioning in no time keeps the run short; everything else is the default `demo --once`. Info logs go to
    // the --log-file, none to stderr (on a terminal that is the default, so they never tear the live view apart).
    const logFile = `${base}/demo.log`;
    const ok = await run("--log-level", "info", "demo", "--once", "--provisioning-seconds", "0", "--log-file", logFile);
    const out = new TextDecoder().decode(ok.stdout);
    const stderr = new TextDecoder().decode(ok.stderr);
    assert.equal(ok.code, 0, `${out}\n${stderr}`);
    assert.match(out, new RegExp(`^logs: ${logFile}$`, "m"));
    assert.doesNotMatch(stderr, /"level":/);
    const logLines = (await Deno.readTextFile(logFile)).trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(logLines.some((l) => l.level === "info" && l.logger.startsWith("playground")), logLines[0]);
    assert.match(
      out,
      /^CRDs: every object is validated against the real schemas of 22 Gardener and MCM CRDs, from the structural copies vendored in crds\/ \(from the Gardener repositories; provenance in crds\/README\.md\)$/m,
    );
    assert.match(out, /^kubeconfig: \S+$/m);
    assert.match(out, /^Summary$/m);
    assert.match(out, /^ {2}create +[\d.]+ s +3$/m);
    assert.match(out, /^ {2}rolling update +[\d.]+ s +1$/m);
    assert.match(out, /^ {2}delete +[\d.]+ s +3$/m);
    assert.match(
      out,
      /^deleted: every shoot gone after [\d.]+ s; no device left; none of the \d+ device\(s\) of the run carried an SSH key its shoot did not ask for$/m,
    );

    // Without the extension's controlplane webhook no sidecar is injected, so no machine controller runs: exit 1.
    const off = await run("demo", "--once", "--disable-webhooks", "*", "--status", "quiet", "--log-file", "-");
    assert.equal(off.code, 1);
    assert.match(
      new TextDecoder().decode(off.stderr),
      /no machine-controller-manager-provider-equinix-metal sidecar in deployment shoot--garden--playground\/machine-controller-manager: are the webhooks disabled\?/,
    );

    const bad = await run("playground", "--once", "--crds-dir", "/nonexistent");
    assert.equal(bad.code, 1);
    assert.match(
      new TextDecoder().decode(bad.stderr),
      /playground failed: the Gardener and MCM CRDs are expected in \/nonexistent\/gardener/,
    );
    const flag = await run("demo", "--shoots", "many");
    assert.notEqual(flag.code, 0);
    assert.match(JSON.parse(new TextDecoder().decode(flag.stderr)).error, /^--shoots: not an integer: "many"$/);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
