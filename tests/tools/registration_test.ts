/**
 * The registration examples (`deno task registration`): the committed files are what the tool makes of charts/ today
 * (stale files fail), the packaged chart depends only on the chart's files, and helm renders the rawChart as it is.
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { gunzip, untar } from "../../tools/archive.ts";
import { chartFiles, packageChart, PROVIDER_CHART, registrationFiles } from "../../tools/registration.ts";
import { testUnless } from "../support/needs.ts";
import { HELM_MISSING, helmTemplate } from "../support/helm.ts";

const ROOT = new URL("../../", import.meta.url);

type Obj = Record<string, unknown> & { kind: string; helm?: { rawChart?: string } };

function objects(text: string): Obj[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Obj);
}

/** The chart inside a rawChart, as path → text, so a comparison names the file that differs. */
async function rawChartFiles(rawChart: string): Promise<Record<string, string>> {
  const tgz = Uint8Array.from(atob(rawChart), (c) => c.charCodeAt(0));
  const files = untar(await gunzip(tgz));
  return Object.fromEntries(files.map((f) => [f.path, new TextDecoder().decode(f.data)]));
}

/** The objects with the rawChart replaced by its files. */
async function comparable(text: string): Promise<unknown[]> {
  return await Promise.all(
    objects(text).map(async (o) =>
      o.helm?.rawChart ? { ...o, helm: { ...o.helm, rawChart: await rawChartFiles(o.helm.rawChart) } } : o
    ),
  );
}

Deno.test("registration: example/registration/ is what `deno task registration` makes of charts/ (not stale)", async () => {
  for (const [path, fresh] of Object.entries(await registrationFiles())) {
    const committed = await Deno.readTextFile(new URL(path, ROOT)).catch(() => "");
    assert.ok(committed !== "", `${path} is missing: run deno task registration`);
    assert.deepEqual(
      await comparable(committed),
      await comparable(fresh),
      `${path} is stale: run deno task registration`,
    );
  }
});

Deno.test("registration: ControlPlane, Infrastructure and Worker of type equinixmetal, primary, with a PSA level", async () => {
  const files = await registrationFiles();
  const [deployment, registration] = objects(files["example/registration/controller-registration.yaml"]);
  assert.equal(deployment.apiVersion, "core.gardener.cloud/v1");
  assert.equal(deployment.kind, "ControllerDeployment");
  const spec = registration.spec as { resources: unknown[]; deployment: { deploymentRefs: { name: string }[] } };
  const expected = ["ControlPlane", "Infrastructure", "Worker"].map((kind) => ({
    kind,
    type: "equinixmetal",
    primary: true,
  }));
  assert.deepEqual(spec.resources, expected);
  assert.deepEqual(spec.deployment.deploymentRefs, [{ name: (deployment.metadata as { name: string }).name }]);
  const annotations = (registration.metadata as { annotations: Record<string, string> }).annotations;
  assert.ok(["baseline", "restricted"].includes(annotations["security.gardener.cloud/pod-security-enforce"]));
  const [extension] = objects(files["example/registration/extension.yaml"]);
  assert.equal(extension.apiVersion, "operator.gardener.cloud/v1alpha1");
  assert.deepEqual((extension.spec as { resources: unknown[] }).resources, expected);
});

Deno.test("registration: the packaged chart holds exactly the chart's files, and packaging twice gives the same bytes", async () => {
  const a = await packageChart(PROVIDER_CHART);
  const b = await packageChart(PROVIDER_CHART);
  assert.deepEqual(a, b);
  const packed = untar(await gunzip(a)).map((f) => f.path);
  assert.deepEqual(packed, (await chartFiles(PROVIDER_CHART)).map((f) => f.path).sort());
  assert.ok(packed.includes(`${PROVIDER_CHART}/Chart.yaml`));
});

testUnless(HELM_MISSING, {
  name: "registration: helm renders the ControllerDeployment's rawChart as gardenlet would",
  async fn() {
    const files = await registrationFiles();
    const [deployment] = objects(files["example/registration/controller-registration.yaml"]);
    const tgz = await Deno.makeTempFile({ suffix: ".tgz" });
    try {
      await Deno.writeFile(tgz, Uint8Array.from(atob(deployment.helm!.rawChart!), (c) => c.charCodeAt(0)));
      const rendered = await helmTemplate(tgz, { release: "provider-equinix-metal", namespace: "extension-x" });
      assert.ok(rendered.some((o) => o.kind === "Deployment"));
    } finally {
      await Deno.remove(tgz);
    }
  },
});
