/**
 * Acceptance: the real kubectl against the fake API server acting as a garden (our own garden CRDs installed), the
 * admission running in-process and registered there as leader in url mode. A valid CloudProfile, Secret,
 * CredentialsBinding and Shoot are accepted; a zone outside the metro, an unknown image version, an unknown
 * WorkerConfig field, an in-place update strategy and a CredentialsBinding to a secret without projectID are refused,
 * each with its field path in kubectl's message.
 */
import assert from "node:assert/strict";
import { KUBECTL, KUBECTL_MISSING, testUnless } from "../support/needs.ts";
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { generateServingCertificates } from "../../src/runtime/certificates.ts";
import { GARDEN_CRD_GROUP, loadCrds } from "../../src/playground/crds.ts";
import { startAdmission } from "../../src/admission/app.ts";
import type { Shoot } from "../../src/apis/core/v1beta1.ts";
import { cloudProfile, credentialsSecret, secretData, shoot } from "./fixtures.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

testUnless(KUBECTL_MISSING, {
  name: "admission: kubectl against a garden refuses bad Shoots and credentials with field paths",
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "admission-kubectl-" });
    const kubeconfig = `${dir}/kubeconfig`;
    await Deno.mkdir(`${dir}/home`);
    const garden = await startApiServer({ namespaces: ["default", "kube-system", "garden", "garden-dev"] });
    const certs = await generateServingCertificates();
    const port = freePort();
    const admission = await startAdmission({
      options: {
        webhookClient: { mode: "url", url: `https://127.0.0.1:${port}` },
        serverAddress: `127.0.0.1:${port}`,
        certNamespace: "garden",
        registerWebhooks: true,
        leaderElection: { id: "admission-test", namespace: "garden" },
        probeAddresses: ["127.0.0.1:0"],
      },
      connection: garden.connection(),
      tls: certs,
    });
    try {
      await garden.installCrds(loadCrds({ groups: [GARDEN_CRD_GROUP] }));
      await garden.writeKubeconfig(kubeconfig);
      await admission.registered;

      const kubectl = async (input: unknown, ...args: string[]) => {
        const child = new Deno.Command(KUBECTL, {
          args: ["--kubeconfig", kubeconfig, ...args],
          env: { HOME: `${dir}/home`, KUBECONFIG: kubeconfig },
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const writer = child.stdin.getWriter();
        await writer.write(new TextEncoder().encode(JSON.stringify(input)));
        await writer.close();
        const out = await child.output();
        const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
        return { ok: out.success, text };
      };
      const accepted = async (obj: unknown) => {
        const r = await kubectl(obj, "create", "--validate=false", "-f", "-");
        assert.ok(r.ok, r.text);
      };
      const refused = async (obj: unknown, ...fragments: string[]) => {
        const r = await kubectl(obj, "create", "--validate=false", "-f", "-");
        assert.equal(r.ok, false, `accepted although it should be refused: ${r.text}`);
        assert.match(r.text, /denied the request/);
        for (const f of fragments) assert.ok(r.text.includes(f), `"${f}" is not in kubectl's message: ${r.text}`);
        return r.text;
      };

      await t.step("valid objects are accepted", async () => {
        await accepted(cloudProfile());
        await accepted({
          apiVersion: "v1",
          kind: "Secret",
          ...credentialsSecret(),
          metadata: {
            ...credentialsSecret().metadata,
            labels: { "provider.shoot.gardener.cloud/equinixmetal": "true" },
          },
        });
        await accepted(binding("metal", "metal-secret"));
        await accepted(shoot());
      });

      const variant = (name: string, edit: (s: Shoot) => void) => {
        const s = shoot();
        s.metadata!.name = name;
        edit(s);
        return s;
      };
      const w0 = (s: Shoot) => s.spec.provider.workers![0];

      await t.step("a zone outside the metro", async () => {
        const text = await refused(
          variant("zone", (s) => (w0(s).zones = ["ny5"])),
          "spec.provider.workers[0].zones[0]",
          "not a facility of metro",
        );
        assert.match(text, /Shoot garden-dev\/zone/);
      });
      await t.step("an unknown image version", async () => {
        await refused(
          variant("image", (s) => (w0(s).machine.image = { name: "flatcar", version: "0.0.1" })),
          "spec.provider.workers[0].machine.image.version",
        );
      });
      await t.step("an unknown WorkerConfig field", async () => {
        await refused(
          variant("workercfg", (s) => (w0(s).providerConfig!.reservationIds = ["x"])),
          "spec.provider.workers[0].providerConfig.reservationIds",
          "unknown field",
        );
      });
      await t.step("an in-place update strategy", async () => {
        await refused(
          variant("inplace", (s) => (w0(s).updateStrategy = "AutoInPlaceUpdate")),
          "spec.provider.workers[0].updateStrategy",
          "not supported by Equinix Metal",
        );
      });
      await t.step("a CredentialsBinding to a secret without projectID", async () => {
        // Unlabelled, so the secret itself is not checked: the binding is where the problem shows.
        await accepted({
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "no-project", namespace: "garden-dev" },
          data: secretData({ apiToken: "token-xyz" }),
        });
        const text = await refused(binding("broken", "no-project"), "credentialsRef", "data.projectID");
        assert.ok(!text.includes("token-xyz"));
      });
      await t.step("an update that changes the metro is refused, a metadata-only one passes", async () => {
        const moved = await kubectl(
          {},
          "patch",
          "shoot",
          "demo",
          "-n",
          "garden-dev",
          "--type",
          "merge",
          "-p",
          JSON.stringify({ spec: { region: "ny" } }),
        );
        assert.equal(moved.ok, false, moved.text);
        assert.match(moved.text, /spec\.region/);
        const labelled = await kubectl({}, "label", "shoot", "demo", "-n", "garden-dev", "team=a");
        assert.ok(labelled.ok, labelled.text);
      });
    } finally {
      await admission.stop();
      await garden.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function binding(name: string, secret: string) {
  return {
    apiVersion: "security.gardener.cloud/v1alpha1",
    kind: "CredentialsBinding",
    metadata: {
      name,
      namespace: "garden-dev",
      labels: { "provider.extensions.gardener.cloud/equinixmetal": "true" },
    },
    credentialsRef: { apiVersion: "v1", kind: "Secret", name: secret, namespace: "garden-dev" },
    provider: { type: "equinixmetal" },
  };
}
