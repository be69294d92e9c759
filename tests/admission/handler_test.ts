/** The validating handler: profile and secret lookups, object naming, other providers and operations left alone. */
import assert from "node:assert/strict";
import { equinixValidator, type GardenReader } from "../../src/admission/handler.ts";
import type { ValidationRequest } from "../../src/admission/review.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import type { ResourceType } from "../../src/k8s/api/resources.ts";
import { cloudProfile, credentialsSecret, secretData, shoot } from "./fixtures.ts";

function reader(objects: KubeObject[]): GardenReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    get(res: ResourceType, name: string, namespace: string | undefined) {
      reads.push(`${res.resource}/${namespace ?? ""}/${name}`);
      return Promise.resolve(
        objects.find((o) =>
          o.kind === res.kind && o.metadata?.name === name && (o.metadata?.namespace ?? undefined) === namespace
        ),
      );
    },
  };
}

const signal = new AbortController().signal;
const shootKind = { group: "core.gardener.cloud", version: "v1beta1", kind: "Shoot" };

function shootRequest(object: unknown, extra: Partial<ValidationRequest> = {}): ValidationRequest {
  return {
    operation: "CREATE",
    kind: shootKind,
    name: "demo",
    namespace: "garden-dev",
    object: object as KubeObject,
    ...extra,
  };
}

Deno.test("admission handler: a valid Shoot is allowed, a bad one denied naming the object and field", async () => {
  const validate = equinixValidator(reader([cloudProfile()]));
  assert.deepEqual(await validate(shootRequest(shoot()), signal), { allowed: true });
  const bad = shoot();
  bad.spec.provider.workers![0].zones = ["ny5"];
  const verdict = await validate(shootRequest(bad), signal);
  assert.equal(verdict.allowed, false);
  assert.ok(!verdict.allowed);
  assert.equal(verdict.code, 403);
  assert.match(
    verdict.message,
    /^Shoot garden-dev\/demo: spec\.provider\.workers\[0\]\.zones\[0\]: Unsupported value: "ny5"/,
  );
});

Deno.test("admission handler: a Shoot naming an unknown CloudProfile is denied at the reference", async () => {
  const verdict = await equinixValidator(reader([]))(shootRequest(shoot()), signal);
  assert.ok(!verdict.allowed);
  assert.match(verdict.message, /spec\.cloudProfile\.name: Invalid value: "equinix": CloudProfile equinix not found/);
});

Deno.test("admission handler: a Shoot of a NamespacedCloudProfile is checked against the merged profile", async () => {
  const ncp = {
    apiVersion: "core.gardener.cloud/v1beta1",
    kind: "NamespacedCloudProfile",
    metadata: { name: "custom", namespace: "garden-dev" },
    spec: {
      parent: { kind: "CloudProfile", name: "equinix" },
      machineTypes: [{ name: "m3.large.x86", cpu: "32", gpu: "0", memory: "256Gi" }],
    },
  };
  const s = shoot();
  s.spec.cloudProfile = { kind: "NamespacedCloudProfile", name: "custom" };
  s.spec.provider.workers![0].machine.type = "m3.large.x86";
  const r = reader([cloudProfile(), ncp as KubeObject]);
  assert.deepEqual(await equinixValidator(r)(shootRequest(s), signal), { allowed: true });
  assert.deepEqual(r.reads, ["namespacedcloudprofiles/garden-dev/custom", "cloudprofiles//equinix"]);
});

Deno.test("admission handler: other providers, DELETE, status updates and unchanged specs are allowed without reads", async () => {
  const r = reader([]);
  const validate = equinixValidator(r);
  const aws = shoot();
  aws.spec.provider.type = "aws";
  assert.deepEqual(await validate(shootRequest(aws), signal), { allowed: true });
  assert.deepEqual(await validate(shootRequest(shoot(), { operation: "DELETE" }), signal), { allowed: true });
  assert.deepEqual(await validate(shootRequest(shoot(), { operation: "UPDATE", subResource: "status" }), signal), {
    allowed: true,
  });
  assert.deepEqual(r.reads, []);
});

Deno.test("admission handler: a Shoot that does not decode is denied with its field paths", async () => {
  const verdict = await equinixValidator(reader([]))(
    shootRequest({ metadata: { name: "demo" }, spec: { region: 5 } }),
    signal,
  );
  assert.ok(!verdict.allowed);
  assert.match(verdict.message, /spec\.region: Invalid value: 5: expected a string/);
});

Deno.test("admission handler: a CredentialsBinding reads its secret uncached, and is checked on create only", async () => {
  const secret = { ...credentialsSecret(), apiVersion: "v1", kind: "Secret" };
  secret.data = secretData({ apiToken: "tok" });
  const binding = {
    apiVersion: "security.gardener.cloud/v1alpha1",
    kind: "CredentialsBinding",
    metadata: { name: "metal", namespace: "garden-dev" },
    credentialsRef: { apiVersion: "v1", kind: "Secret", name: "metal-secret", namespace: "garden-dev" },
    provider: { type: "equinixmetal" },
  };
  const kind = { group: "security.gardener.cloud", version: "v1alpha1", kind: "CredentialsBinding" };
  const r = reader([secret as KubeObject]);
  const req: ValidationRequest = {
    operation: "CREATE",
    kind,
    name: "metal",
    namespace: "garden-dev",
    object: binding as KubeObject,
  };
  const verdict = await equinixValidator(r)(req, signal);
  assert.ok(!verdict.allowed);
  assert.match(
    verdict.message,
    /^CredentialsBinding garden-dev\/metal: credentialsRef: .*secret garden-dev\/metal-secret: data\.projectID/,
  );
  assert.ok(!verdict.message.includes("tok"));
  assert.deepEqual(await equinixValidator(r)({ ...req, operation: "UPDATE" }, signal), { allowed: true });
});

Deno.test("admission handler: labelled Secrets and WorkloadIdentities", async () => {
  const validate = equinixValidator(reader([]));
  const secretKind = { group: "", version: "v1", kind: "Secret" };
  const ok = { metadata: { name: "s" }, data: credentialsSecret().data };
  assert.deepEqual(
    await validate({
      operation: "UPDATE",
      kind: secretKind,
      name: "s",
      namespace: "garden-dev",
      object: ok as KubeObject,
    }, signal),
    { allowed: true },
  );
  const wi = { metadata: { name: "w" }, spec: { targetSystem: { type: "equinixmetal" } } };
  const verdict = await validate({
    operation: "CREATE",
    kind: { group: "security.gardener.cloud", version: "v1alpha1", kind: "WorkloadIdentity" },
    name: "w",
    namespace: "garden-dev",
    object: wi as KubeObject,
  }, signal);
  assert.ok(!verdict.allowed);
  assert.match(
    verdict.message,
    /WorkloadIdentity garden-dev\/w: spec\.targetSystem\.type: Forbidden: Equinix Metal has no OIDC/,
  );
});

Deno.test("admission handler: a Secret update is checked only when its data changes", async () => {
  const validate = equinixValidator(reader([]));
  const kind = { group: "", version: "v1", kind: "Secret" };
  const bad = { metadata: { name: "s", labels: { a: "b" } }, data: secretData({ apiToken: "tok" }) } as KubeObject;
  const before = { metadata: { name: "s" }, data: secretData({ apiToken: "tok" }) } as KubeObject;
  const req = {
    operation: "UPDATE" as const,
    kind,
    name: "s",
    namespace: "garden-dev",
    object: bad,
    oldObject: before,
  };
  assert.deepEqual(await validate(req, signal), { allowed: true });
  const changed = { ...req, oldObject: { ...before, data: secretData({ apiToken: "old" }) } as KubeObject };
  const verdict = await validate(changed, signal);
  assert.ok(!verdict.allowed);
  assert.match(verdict.message, /^Secret garden-dev\/s: data\.projectID: Required value/);
});
