/**
 * CRDs of the playground: the real ones from a directory, else the embedded schemaless registrations, which must
 * agree with the real CRDs in everything they declare and serve the example's objects to kubectl.
 */
import assert from "node:assert/strict";
import { EMBEDDED_CRD_FACTS, embeddedCrds } from "../../src/playground/embedded_crds.ts";
import { resolveCrds } from "../../src/playground/crds.ts";
import { readManifestDir } from "../../src/playground/manifests.ts";
import { KubeClient } from "../../src/k8s/client.ts";
import type { KubeObject } from "../../src/k8s/objects.ts";
import { Core, Extensions } from "../../src/k8s/resources.ts";
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { loadSharedCrds, sharedPath } from "../support/shared.ts";

interface Crd {
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; singular: string; shortNames?: string[] };
    versions: Array<{
      name: string;
      subresources?: Record<string, unknown>;
      additionalPrinterColumns?: Array<{ name: string; jsonPath: string; type: string; priority?: number }>;
    }>;
  };
}

Deno.test("embedded CRDs agree with the real ones: names, scope, version, subresources, printer columns", () => {
  const real = [...loadSharedCrds("gardener"), ...loadSharedCrds("machine")] as unknown as Crd[];
  assert.equal(embeddedCrds().length, EMBEDDED_CRD_FACTS.length);
  for (const e of embeddedCrds() as unknown as Crd[]) {
    const r = real.find((c) => c.spec.group === e.spec.group && c.spec.names.kind === e.spec.names.kind);
    assert.ok(r, `a real CRD for ${e.spec.names.kind}`);
    const what = `${e.spec.names.kind}`;
    assert.equal(e.spec.scope, r.spec.scope, what);
    assert.deepEqual(
      { plural: e.spec.names.plural, singular: e.spec.names.singular, shortNames: e.spec.names.shortNames },
      { plural: r.spec.names.plural, singular: r.spec.names.singular, shortNames: r.spec.names.shortNames },
      what,
    );
    const [ev] = e.spec.versions;
    const rv = r.spec.versions.find((v) => v.name === ev.name);
    assert.ok(rv, `${what} ${ev.name}`);
    assert.deepEqual(Object.keys(ev.subresources ?? {}).sort(), Object.keys(rv.subresources ?? {}).sort(), what);
    assert.deepEqual(
      (ev.additionalPrinterColumns ?? []).map((c) => [c.name, c.jsonPath, c.type, c.priority]),
      (rv.additionalPrinterColumns ?? []).map((c) => [c.name, c.jsonPath, c.type, c.priority]),
      what,
    );
    assert.deepEqual((ev as { schema?: unknown }).schema, {
      openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    });
  }
});

Deno.test("CRD sets: a given directory (must exist), the shared one when present, else embedded with a note", async () => {
  const shared = sharedPath("crds");
  const fromDir = await resolveCrds(shared);
  assert.equal(fromDir.source, "directory");
  assert.match(fromDir.note, /real Gardener and MCM CRDs from/);
  await assert.rejects(
    resolveCrds("/nonexistent-crds"),
    /needs the Gardener and MCM CRDs in \/nonexistent-crds\/gardener/,
  );
  const fallback = await resolveCrds(undefined, "/nonexistent-shared/crds");
  assert.equal(fallback.source, "embedded");
  assert.match(fallback.note, /\/nonexistent-shared\/crds not found; using 8 embedded schemaless CRDs/);
  assert.equal((await resolveCrds("embedded")).source, "embedded");
  assert.equal((await resolveCrds(undefined, shared)).source, "directory");
});

Deno.test("with the embedded CRDs the example's objects are stored as they are and kubectl lists them by short name", async () => {
  const api = await startApiServer();
  const client = new KubeClient(api.connection());
  const dir = await Deno.makeTempDir({ prefix: "crds-test-" });
  try {
    await api.installCrds(embeddedCrds());
    const objects = (await readManifestDir(new URL("../../example/", import.meta.url).pathname)).map((m) => m.object);
    const res = (o: KubeObject) =>
      ({
        Namespace: Core.namespaces,
        Secret: Core.secrets,
        Cluster: Extensions.clusters,
        Infrastructure: Extensions.infrastructures,
        Worker: Extensions.workers,
      })[o.kind!]!;
    for (const o of objects) await client.create(res(o), o, { namespace: o.metadata.namespace });
    const worker = objects.find((o) => o.kind === "Worker")!;
    const stored = await client.get(Extensions.workers, "playground", { namespace: "shoot--garden--playground" });
    assert.deepEqual((stored as unknown as { spec: unknown }).spec, (worker as unknown as { spec: unknown }).spec);
    await api.writeKubeconfig(`${dir}/kubeconfig`);
    const out = await new Deno.Command("kubectl", {
      args: ["--kubeconfig", `${dir}/kubeconfig`, "-n", "shoot--garden--playground", "get", "worker,infra"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.match(text, /^NAME\s/m);
    assert.match(text, /^worker\.extensions\.gardener\.cloud\/playground\s/m);
    assert.match(text, /^infrastructure\.extensions\.gardener\.cloud\/playground\s/m);
  } finally {
    client.close();
    await api.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
