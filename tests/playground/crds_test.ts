/**
 * The CRDs of the playground and the tests: the vendored copies by default, a given directory instead; the example's
 * objects are validated against them (valid ones stored unchanged, invalid ones refused) and kubectl lists them.
 */
import assert from "node:assert/strict";
import { loadCrds, resolveCrds, VENDORED_CRD_DIR } from "../../src/playground/crds.ts";
import { readManifestDir } from "../../src/playground/manifests.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { InvalidError } from "../../src/k8s/api/errors.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { CoreV1, ExtensionsV1alpha1 } from "../../src/k8s/api/resources.ts";
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { KUBECTL, KUBECTL_MISSING, testUnless } from "../support/needs.ts";

const EXAMPLE = new URL("../../example/", import.meta.url).pathname;

Deno.test("CRD sets: the vendored copies by default, a given directory instead (which must exist)", async () => {
  assert.equal(VENDORED_CRD_DIR, new URL("../../crds", import.meta.url).pathname);
  const vendored = resolveCrds();
  assert.equal(vendored.crds.length, 22);
  assert.match(vendored.note, /^CRDs: every object is validated against the real schemas of 22 Gardener and MCM CRDs/);
  assert.match(vendored.note, /vendored in crds\/ .*provenance in crds\/README\.md/);

  const dir = await Deno.makeTempDir({ prefix: "crds-dir-" });
  try {
    for (const g of ["gardener", "machine"]) await Deno.mkdir(`${dir}/${g}`);
    const keep = "10-crd-extensions.gardener.cloud_workers.yaml";
    await Deno.copyFile(`${VENDORED_CRD_DIR}/gardener/${keep}`, `${dir}/gardener/${keep}`);
    const machines = "10-crd-machine.sapcloud.io_machines.yaml";
    await Deno.copyFile(`${VENDORED_CRD_DIR}/machine/${machines}`, `${dir}/machine/${machines}`);
    const given = resolveCrds(dir);
    assert.deepEqual(given.crds.map((c) => c.metadata.name), [
      "workers.extensions.gardener.cloud",
      "machines.machine.sapcloud.io",
    ]);
    assert.match(given.note, new RegExp(`of 2 Gardener and MCM CRDs, from ${dir}$`));

    await Deno.writeTextFile(`${dir}/machine/20-other.yaml`, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    assert.throws(
      () => resolveCrds(dir),
      new RegExp(`${dir}/machine/20-other\\.yaml#1: not a CustomResourceDefinition`),
    );
    await Deno.remove(`${dir}/machine`, { recursive: true });
    assert.throws(() => resolveCrds(dir), /the Gardener and MCM CRDs are expected in \S+\/machine; it does not exist/);
    await Deno.mkdir(`${dir}/machine`);
    assert.throws(() => resolveCrds(dir), /no CRD files \(\*\.yaml\) in \S+\/machine/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.throws(() => resolveCrds("/nonexistent-crds"), /expected in \/nonexistent-crds\/gardener/);
});

Deno.test("loadCrds: groups and names select; a name that is not there is an error naming it", () => {
  const names = (crds: KubeObject[]) => crds.map((c) => c.metadata.name);
  assert.deepEqual(names(loadCrds({ groups: ["machine"] })), [
    "machineclasses.machine.sapcloud.io",
    "machinedeployments.machine.sapcloud.io",
    "machines.machine.sapcloud.io",
    "machinesets.machine.sapcloud.io",
  ]);
  assert.deepEqual(
    names(
      loadCrds({ groups: ["gardener"], names: ["workers.extensions.gardener.cloud", "etcds.druid.gardener.cloud"] }),
    ),
    ["etcds.druid.gardener.cloud", "workers.extensions.gardener.cloud"],
  );
  assert.throws(
    () => loadCrds({ groups: ["gardener"], names: ["workers.extensions.gardener.cloud", "nodes.example.com"] }),
    /no CRD nodes\.example\.com in /,
  );
});

/** The example shoot's objects created through a fake API server with the vendored CRDs installed. */
async function withExampleObjects(
  fn: (ctx: { client: KubeClient; objects: KubeObject[]; kubeconfig: string }) => Promise<void>,
): Promise<void> {
  const api = await startApiServer();
  const client = new KubeClient(api.connection());
  const dir = await Deno.makeTempDir({ prefix: "crds-test-" });
  try {
    await api.installCrds(loadCrds());
    const objects = (await readManifestDir(EXAMPLE)).map((m) => m.object);
    const res = (o: KubeObject) =>
      ({
        Namespace: CoreV1.namespaces,
        Secret: CoreV1.secrets,
        Cluster: ExtensionsV1alpha1.clusters,
        Infrastructure: ExtensionsV1alpha1.infrastructures,
        Worker: ExtensionsV1alpha1.workers,
      })[o.kind!]!;
    for (const o of objects) await client.create(res(o), o, { namespace: o.metadata.namespace });
    await api.writeKubeconfig(`${dir}/kubeconfig`);
    await fn({ client, objects, kubeconfig: `${dir}/kubeconfig` });
  } finally {
    client.close();
    await api.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("with the vendored CRDs the example's objects are stored unchanged and an invalid Worker is refused", async () => {
  await withExampleObjects(async ({ client, objects }) => {
    const worker = objects.find((o) => o.kind === "Worker")!;
    const stored = await client.get(ExtensionsV1alpha1.workers, "playground", {
      namespace: "shoot--garden--playground",
    });
    assert.deepEqual((stored as unknown as { spec: unknown }).spec, (worker as unknown as { spec: unknown }).spec);
    const bad = structuredClone(worker) as KubeObject & { spec: { pools: Array<Record<string, unknown>> } };
    bad.metadata = { name: "bad", namespace: worker.metadata.namespace };
    bad.spec.pools[0].minimum = "one";
    await assert.rejects(
      client.create(ExtensionsV1alpha1.workers, bad, { namespace: bad.metadata.namespace }),
      (e: unknown) => e instanceof InvalidError && e.causes.some((c) => c.field === "spec.pools[0].minimum"),
    );
  });
});

testUnless(KUBECTL_MISSING, {
  name: "with the vendored CRDs kubectl lists the example's Worker and Infrastructure",
  fn: () =>
    withExampleObjects(async ({ kubeconfig }) => {
      const out = await new Deno.Command(KUBECTL, {
        args: ["--kubeconfig", kubeconfig, "-n", "shoot--garden--playground", "get", "worker,infra"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.match(text, /^NAME\s/m);
      assert.match(text, /^worker\.extensions\.gardener\.cloud\/playground\s/m);
      assert.match(text, /^infrastructure\.extensions\.gardener\.cloud\/playground\s/m);
    }),
});
