/**
 * The registration examples (`deno task registration`): the committed files are what the tool makes of charts/ today
 * (stale files fail), the packaged chart depends only on the chart's files, and helm renders the rawChart as it is.
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { gunzip, untar } from "../../tools/archive.ts";
import {
  chartFiles,
  EXAMPLE_OCI_REGISTRY,
  ociCharts,
  operatorExtensionYaml,
  packageChart,
  PROVIDER_CHART,
  registrationFiles,
  writeOciCharts,
} from "../../tools/registration.ts";
import { testUnless } from "../support/needs.ts";
import { HELM_MISSING, helmTemplate, runHelm } from "../support/helm.ts";

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

/** The three chart references of an Extension (extension, admission runtime, admission application). */
function extensionRefs(text: string): string[] {
  const spec = objects(text)[0].spec as {
    deployment: {
      extension: { helm: { ociRepository: { ref: string } } };
      admission: Record<"runtimeCluster" | "virtualCluster", { helm: { ociRepository: { ref: string } } }>;
    };
  };
  const d = spec.deployment;
  return [d.extension, d.admission.runtimeCluster, d.admission.virtualCluster].map((p) => p.helm.ociRepository.ref);
}

Deno.test("registration: `--registry` points every chart reference of the Extension at the operator's registry", async () => {
  const refs = extensionRefs(await operatorExtensionYaml(undefined, "europe-docker.pkg.dev/acme/charts/"));
  assert.equal(refs.length, 3);
  for (const ref of refs) assert.match(ref, /^europe-docker\.pkg\.dev\/acme\/charts\/[a-z-]+:\d+\.\d+\.\d+$/);
  const example = extensionRefs((await registrationFiles())["example/registration/extension.yaml"]);
  assert.deepEqual(example, refs.map((r) => r.replace("europe-docker.pkg.dev/acme/charts", EXAMPLE_OCI_REGISTRY)));
});

testUnless(HELM_MISSING, {
  name: "registration: `charts:package` makes the charts the Extension refers to (helm's name and version = the ref's)",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const files = await writeOciCharts(new URL(`file://${dir}/`));
      const refs = extensionRefs(await operatorExtensionYaml());
      const charts = Object.values(await ociCharts());
      assert.equal(files.length, 3);
      for (const [i, file] of files.entries()) {
        const shown = await runHelm(["show", "chart", file]);
        const name = /^name: (.+)$/m.exec(shown)?.[1];
        const version = /^version: (.+)$/m.exec(shown)?.[1];
        // `helm push` stores a chart under <registry>/<name>:<version>: exactly the Extension's reference.
        assert.equal(refs[i], `${EXAMPLE_OCI_REGISTRY}/${name}:${version}`);
        // The package renders what the chart's folder renders.
        const kinds = (objs: { kind?: string; metadata?: { name?: string } }[]) =>
          objs.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
        const opts = { release: "r", namespace: "garden" };
        assert.deepEqual(
          kinds(await helmTemplate(file, opts)),
          kinds(await helmTemplate(new URL(`../../${charts[i].dir}`, import.meta.url).pathname, opts)),
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
