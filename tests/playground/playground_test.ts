/** The playground skeleton: CRDs from ../shared, kubeconfig, create-or-update of the examples, --once. */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { KubeClient } from "../../src/k8s/client.ts";
import { applyManifests } from "../../src/playground/apply_manifests.ts";
import { runPlayground } from "../../src/playground/mod.ts";
import { parseManifests } from "../../src/playground/manifests.ts";
import { ResourceMapper } from "../../src/playground/resource_mapper.ts";
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { sharedPath } from "../support/shared.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function tempExamples(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "playground-examples-" });
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(`${dir}/${name}`, text);
  return dir;
}

const NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: garden-test\n";
const CM = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: garden-test
data:
  a: "1"
---
apiVersion: machine.sapcloud.io/v1alpha1
kind: MachineClass
metadata:
  name: small
  namespace: garden-test
providerSpec: {plan: c3.small.x86}
`;

Deno.test("runPlayground --once installs the shared CRDs, writes the kubeconfig and creates the examples in order", async () => {
  const crdsDir = sharedPath("crds");
  const examples = await tempExamples({ "00-ns.yaml": NS, "10-objects.yaml": CM });
  const lines: string[] = [];
  try {
    const result = await runPlayground({ once: true, crdsDir, examplesDir: examples, print: (l) => lines.push(l) });
    assert.match(lines[0], /^installed \d+ CustomResourceDefinitions$/);
    assert.equal(lines[1], `kubeconfig: ${result.kubeconfigPath}`);
    assert.deepEqual(lines.slice(2), [
      "namespace/garden-test created",
      "configmap/settings (namespace garden-test) created",
      "machineclass.machine.sapcloud.io/small (namespace garden-test) created",
    ]);
    const kc = parse(await Deno.readTextFile(result.kubeconfigPath)) as {
      clusters: Array<{ cluster: { server: string } }>;
    };
    assert.equal(kc.clusters[0].cluster.server, result.url);
    await Deno.remove(result.kubeconfigPath.replace(/\/kubeconfig$/, ""), { recursive: true });
  } finally {
    await Deno.remove(examples, { recursive: true });
  }
});

Deno.test("bad inputs fail before anything starts, naming what is wrong", async () => {
  const crdsDir = sharedPath("crds");
  const missing = await Deno.makeTempDir();
  await assert.rejects(
    runPlayground({ once: true, crdsDir: missing, print: () => {} }),
    new RegExp(`needs the Gardener and MCM CRDs in ${missing}/gardener`),
  );
  const broken = await tempExamples({ "00.yaml": NS, "10.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n" });
  await assert.rejects(
    runPlayground({ once: true, crdsDir, examplesDir: broken, print: () => {} }),
    /10\.yaml#1: not a Kubernetes object: metadata\.name/,
  );
  const unknownKind = await tempExamples({
    "00.yaml": "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n",
  });
  await assert.rejects(
    runPlayground({ once: true, crdsDir, examplesDir: unknownKind, print: () => {} }),
    /the API server does not serve example.com\/v1/,
  );
  for (const d of [missing, broken, unknownKind]) await Deno.remove(d, { recursive: true });
});

Deno.test("manifests: multi-document files, empty documents skipped, errors name file and document", () => {
  const docs = parseManifests(`${NS}---\n---\n${CM}`, "x.yaml");
  assert.deepEqual(docs.map((d) => `${d.source} ${d.object.kind}`), [
    "x.yaml#1 Namespace",
    "x.yaml#3 ConfigMap",
    "x.yaml#4 MachineClass",
  ]);
  assert.throws(() => parseManifests("kind: [", "bad.yaml"), /bad\.yaml#1: invalid YAML/);
  assert.throws(() => parseManifests("apiVersion: v1\nmetadata: {name: x}\n", "k.yaml"), /k\.yaml#1: .*kind/);
});

Deno.test("`playground --once` (alias demo) applies example/ and exits 0; a bad --crds-dir exits 1 with the reason", async () => {
  sharedPath("crds");
  const ok = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P", "src/main.ts", "--log-level", "error", "demo", "--once"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(ok.stdout);
  assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
  assert.match(out, /^kubeconfig: \S+$/m);
  assert.match(out, /^namespace\/garden-playground created$/m);
  await Deno.remove(/^kubeconfig: (\S+)\/kubeconfig$/m.exec(out)![1], { recursive: true });

  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P", "src/main.ts", "playground", "--once", "--crds-dir", "/nonexistent"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(bad.code, 1);
  assert.match(
    new TextDecoder().decode(bad.stderr),
    /playground failed: the playground needs the Gardener and MCM CRDs/,
  );
});

Deno.test("applyManifests is create-or-update: a second run is unchanged, an edit updates", async () => {
  const api = await startApiServer();
  const client = new KubeClient(api.connection());
  try {
    const mapper = new ResourceMapper(client);
    const first = await applyManifests(client, mapper, parseManifests(`${NS}---\n${CM.split("---")[0]}`, "a.yaml"));
    assert.deepEqual(first.map((a) => a.action), ["created", "created"]);
    const again = await applyManifests(client, mapper, parseManifests(`${NS}---\n${CM.split("---")[0]}`, "a.yaml"));
    assert.deepEqual(again.map((a) => a.action), ["unchanged", "unchanged"]);
    const edited = CM.split("---")[0].replace('a: "1"', 'a: "2"');
    const third = await applyManifests(client, mapper, parseManifests(edited, "b.yaml"));
    assert.deepEqual(third.map((a) => a.action), ["updated"]);
    const cm = await client.get<{ metadata: { name: string }; data: Record<string, string> }>(
      { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true },
      "settings",
      { namespace: "garden-test" },
    );
    assert.deepEqual(cm.data, { a: "2" });
  } finally {
    client.close();
    await api.stop();
  }
});
