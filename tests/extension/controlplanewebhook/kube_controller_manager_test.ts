/** kube-controller-manager gets `--cloud-provider=external` exactly once, wherever its flags are. */
import assert from "node:assert/strict";
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { Container } from "kubernetes-types/core/v1.d.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { ensureExternalCloudProvider } from "../../../src/extension/controlplanewebhook/kube_controller_manager.ts";
import { kcmDeployment } from "./fixtures.ts";

function kcm(edit: (c: Container) => void): Deployment & KubeObject {
  const d = kcmDeployment() as Deployment & KubeObject;
  edit(d.spec!.template.spec!.containers[0]);
  return d;
}

function container(d: Deployment & KubeObject): Container {
  return d.spec!.template.spec!.containers[0];
}

Deno.test("kube-controller-manager: an existing --cloud-provider is replaced in place", () => {
  const input = kcm((c) => c.command!.splice(2, 0, "--cloud-provider=aws"));
  const out = ensureExternalCloudProvider(input);
  assert.equal(container(out).command![2], "--cloud-provider=external");
  assert.equal(container(out).command!.filter((t) => t.startsWith("--cloud-provider")).length, 1);
  assert.equal(container(input).command![2], "--cloud-provider=aws", "the input is not modified");
});

Deno.test("kube-controller-manager: flags in args (binary alone in command) get the flag in args", () => {
  const input = kcm((c) => {
    c.args = c.command!.slice(1);
    c.command = [c.command![0]];
  });
  const out = ensureExternalCloudProvider(input);
  assert.deepEqual(container(out).command, ["/usr/local/bin/kube-controller-manager"]);
  assert.equal(container(out).args!.at(-1), "--cloud-provider=external");
  assert.deepEqual(ensureExternalCloudProvider(out), out);
});

Deno.test("kube-controller-manager: a stray --cloud-provider in the other list is removed", () => {
  const input = kcm((c) => {
    c.args = ["--cloud-provider=gce"];
  });
  const out = ensureExternalCloudProvider(input);
  assert.equal(container(out).args!.at(-1), "--cloud-provider=external");
  assert.ok(!container(out).command!.some((t) => t.startsWith("--cloud-provider")));
});

Deno.test("kube-controller-manager: a Deployment without the container is returned unchanged", () => {
  const input = kcm((c) => {
    c.name = "sidecar";
  });
  assert.deepEqual(ensureExternalCloudProvider(input), input);
});
