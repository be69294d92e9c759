/**
 * `demo --once` creates its machines through the injected sidecar: the simulated gardenlet deploys
 * machine-controller-manager through the seed's admission chain, our webhook injects the sidecar, and each shoot's
 * machine controller runs with exactly the sidecar's arguments (in-process and as a CLI subprocess). A wrong
 * injection — here a later webhook that gives the sidecar another namespace — fails the demo naming the Deployment.
 */
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { AdmissionregistrationV1, AppsV1 } from "../../src/k8s/api/resources.ts";
import { resolveMcmOptions } from "../../src/mcm/options.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { type Landscape, withLandscape } from "../../src/playground/mod.ts";
import { SIDECAR_CONTAINER } from "../../src/playground/sidecar.ts";
import { FakeClock, realClock } from "../../src/runtime/clock.ts";
import { generateServingCertificates } from "../../src/runtime/certificates.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

configureLogging({ level: "error", sink: () => {} });
const NS = "shoot--garden--playground";

type Container = { name: string; args?: string[] };
type Deployment = KubeObject & { spec: { template: { spec: { containers: Container[] } } } };

/** The sidecar in the seed, and the run the landscape started the shoot's machine controller from. */
async function injected(landscape: Landscape) {
  const mcm = await landscape.simulators.seedClient.get<Deployment>(AppsV1.deployments, "machine-controller-manager", {
    namespace: NS,
  });
  const sidecars = mcm.spec.template.spec.containers.filter((c) => c.name === SIDECAR_CONTAINER);
  return {
    names: mcm.spec.template.spec.containers.map((c) => c.name),
    sidecars,
    run: landscape.sidecarRuns().get(NS),
  };
}

function assertRunsAsInjected(seen: Awaited<ReturnType<typeof injected>>, machines: number) {
  assert.equal(machines, 3);
  assert.deepEqual(seen.names, ["machine-controller-manager", SIDECAR_CONTAINER], "gardenlet's container and ours");
  assert.equal(seen.sidecars.length, 1);
  assert.deepEqual(seen.run?.args, seen.sidecars[0].args, "the machine controller's arguments are the sidecar's");
  const options = resolveMcmOptions(seen.run!.flags).options!;
  assert.equal(options.controller.namespace, NS);
  assert.ok(seen.sidecars[0].args!.includes(`--namespace=${options.controller.namespace}`));
  assert.ok(seen.sidecars[0].args!.includes("--kube-api-qps=100") && options.controller.kubeApiQps === 100);
}

Deno.test("in-process: the shoot's machines are created by the machine controller run from the injected sidecar", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 8, 0, 0));
  const { value } = await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape({ clock, randomSeed: 31 }, async (landscape) => {
      const created = await landscape.create();
      const seen = await injected(landscape);
      const view = landscape.progress("created", 0).webhook;
      // gardenlet's next reconcile re-applies its Deployment; the webhook keeps the sidecar there exactly once.
      await landscape.rollingUpdate();
      const again = await injected(landscape);
      await landscape.delete();
      return { created, seen, view, again };
    })
  );
  assertRunsAsInjected(value.seen, value.created.machines);
  assert.match(value.view?.state ?? "", /^registered \(/);
  assert.deepEqual([value.view?.sidecars, value.view?.managers], [1, 1]);
  assert.deepEqual(value.again.names, value.seen.names);
  assert.deepEqual(value.again.sidecars, value.seen.sidecars);
});

Deno.test("subprocess: the machine controller CLI runs with the sidecar's arguments and creates the machines", async () => {
  const { value } = await withLandscape(
    { clock: realClock, randomSeed: 32, components: "subprocess", provisioningSeconds: 0 },
    async (landscape) => {
      const created = await landscape.create();
      const seen = await injected(landscape);
      await landscape.delete();
      return { created, seen };
    },
  );
  assertRunsAsInjected(value.seen, value.created.machines);
});

/** A webhook registered after ours (configurations run by name) that rewrites the sidecar's --namespace. */
async function startRewritingWebhook() {
  const certs = await generateServingCertificates();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: certs.certPem, key: certs.keyPem, onListen() {} },
    async (req) => {
      const review = await req.json() as { request: { uid: string; object: Deployment } };
      const containers = review.request.object.spec?.template?.spec?.containers ?? [];
      const i = containers.findIndex((c) => c.name === SIDECAR_CONTAINER);
      const ops = i < 0
        ? []
        : (containers[i].args ?? []).flatMap((a, j) =>
          a.startsWith("--namespace=")
            ? [{ op: "replace", path: `/spec/template/spec/containers/${i}/args/${j}`, value: "--namespace=default" }]
            : []
        );
      const patch = ops.length ? { patchType: "JSONPatch", patch: btoa(JSON.stringify(ops)) } : {};
      return Response.json({
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        response: { uid: review.request.uid, allowed: true, ...patch },
      });
    },
  );
  return {
    url: `https://127.0.0.1:${server.addr.port}/rewrite`,
    caBundle: btoa(certs.caPem),
    stop: () => server.shutdown(),
  };
}

Deno.test("a wrong injection breaks the demo: another namespace in the sidecar fails the create phase naming it", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 9, 0, 0));
  const rewriter = await startRewritingWebhook();
  try {
    const { value } = await new FakeTimeDriver(clock, 1000).during(() =>
      withLandscape({ clock, randomSeed: 33 }, async (landscape) => {
        await landscape.simulators.seedClient.create(AdmissionregistrationV1.mutatingWebhookConfigurations, {
          apiVersion: "admissionregistration.k8s.io/v1",
          kind: "MutatingWebhookConfiguration",
          metadata: { name: "zz-rewrites-the-sidecar" },
          webhooks: [{
            name: "rewrite.test",
            clientConfig: { url: rewriter.url, caBundle: rewriter.caBundle },
            rules: [{
              operations: ["CREATE", "UPDATE"],
              apiGroups: ["apps"],
              apiVersions: ["v1"],
              resources: ["deployments"],
            }],
            sideEffects: "None",
            admissionReviewVersions: ["v1"],
          }],
        } as KubeObject);
        return await landscape.create().then(() => undefined, (e) => e as Error);
      })
    );
    assert.match(
      value?.message ?? "no error",
      new RegExp(
        `deployment ${NS}/machine-controller-manager, container ${SIDECAR_CONTAINER}: --namespace must be the shoot namespace ${NS}, got default`,
      ),
    );
  } finally {
    await rewriter.stop();
  }
});
