/**
 * The compute step: names with Gardener's pool hash (recomputed here independently with node:crypto), the
 * MachineClass our driver must accept, node templates, MachineDeployment fields, and every bad configuration as a
 * field error (ERR_CONFIGURATION_PROBLEM) before anything is written. Built objects validate against the real CRDs.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import { FieldValidationError } from "../../../src/apis/decode.ts";
import type { Worker } from "../../../src/apis/extensions/v1alpha1.ts";
import { determineErrorCodes } from "../../../src/extension/reconciler/error_codes.ts";
import { computeDesiredWorker } from "../../../src/extension/worker/delegate.ts";
import type { DesiredStateInputs } from "../../../src/extension/genericworker/delegate.ts";
import { buildMachineDeployment } from "../../../src/extension/genericworker/machine_deployment.ts";
import { decodeForCreate } from "../../../src/mcm/driver/provider_spec.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import {
  API_TOKEN,
  clusterContext,
  type ClusterOptions,
  credentialsSecret,
  NS,
  pool,
  PROJECT_ID,
  RESERVATION,
  SSH_KEY_ID,
  userDataSecret,
  workerConfig,
  workerObject,
} from "./fixtures.ts";

/** Gardener's combination, written out again: sha256 hex of each string, concatenated, hashed, 5 characters. */
function gardenerHash(...data: string[]): string {
  const h = (s: string) => createHash("sha256").update(s).digest("hex");
  return h(data.map(h).join("")).slice(0, 5);
}

function inputs(worker: Worker = workerObject(), o: ClusterOptions & { existing?: string[] } = {}): DesiredStateInputs {
  return {
    worker,
    cluster: clusterContext(o),
    credentials: credentialsSecret() as Secret,
    userDataSecrets: new Map([
      ["user-data-pool-a", userDataSecret("pool-a") as Secret],
      ["user-data-pool-b", userDataSecret("pool-b") as Secret],
    ]),
    existingDeploymentNames: new Set(o.existing ?? []),
  };
}

function classNames(worker: Worker, o: ClusterOptions & { existing?: string[] } = {}): string[] {
  return computeDesiredWorker(inputs(worker, o)).classes.map((c) => c.metadata.name!);
}

Deno.test("names: <technicalID>-<pool>-z<n>, classes and secrets <deployment>-<Gardener V2 hash of node-agent secret and zone>", () => {
  const d = computeDesiredWorker(inputs());
  assert.deepEqual(d.deployments.map((x) => x.name), [`${NS}-pool-a-z1`, `${NS}-pool-b-z1`, `${NS}-pool-b-z2`]);
  assert.deepEqual(d.classes.map((c) => c.metadata.name), [
    `${NS}-pool-a-z1-${gardenerHash("gardener-node-agent-pool-a-77ac3", "zone=ny5")}`,
    `${NS}-pool-b-z1-${gardenerHash("gardener-node-agent-pool-b-77ac3", "zone=ny5")}`,
    `${NS}-pool-b-z2-${gardenerHash("gardener-node-agent-pool-b-77ac3", "zone=ny7")}`,
  ]);
  assert.deepEqual(d.classSecrets.map((s) => s.metadata?.name), d.classes.map((c) => c.metadata.name));
  assert.deepEqual(d.deployments.map((x) => x.className), d.classes.map((c) => c.metadata.name));
  // The technical ID comes from the shoot (self-hosted shoots live in kube-system).
  const other = computeDesiredWorker(inputs(workerObject(), { technicalID: "shoot--p--other" }));
  assert.equal(other.deployments[0].name, "shoot--p--other-pool-a-z1");
  assert.deepEqual(other.classes[0].providerSpec && (other.classes[0].providerSpec as { tags: string[] }).tags, [
    "kubernetes.io/cluster/shoot--p--other",
    "kubernetes.io/role/node",
  ]);
});

Deno.test("class names: reservations or the zone rename the class; unrelated changes and reordered IDs keep it", () => {
  const base = classNames(workerObject());
  const withPools = (change: (pools: Worker["spec"]["pools"]) => void) => {
    const w = workerObject();
    change(w.spec.pools);
    return classNames(w);
  };
  const reserved = withPools((p) => p[0].providerConfig = workerConfig([RESERVATION]));
  assert.notEqual(reserved[0], base[0]);
  assert.equal(
    reserved[0],
    `${NS}-pool-a-z1-${gardenerHash("gardener-node-agent-pool-a-77ac3", `reservationIDs=${RESERVATION}`, "zone=ny5")}`,
  );
  assert.deepEqual(reserved.slice(1), base.slice(1), "other pools keep their classes");
  const only = withPools((p) => p[0].providerConfig = workerConfig([RESERVATION], true));
  assert.notEqual(only[0], reserved[0], "reservedDevicesOnly rolls too");
  const second = "2b4a1c9e-3d5f-4a6b-8c7d-9e0f1a2b3c4d";
  assert.equal(
    withPools((p) => p[0].providerConfig = workerConfig([RESERVATION, second]))[0],
    withPools((p) => p[0].providerConfig = workerConfig([second.toUpperCase(), RESERVATION]))[0],
  );
  const moved = withPools((p) => p[0].zones = ["ny2"]);
  assert.equal(moved[0], `${NS}-pool-a-z1-${gardenerHash("gardener-node-agent-pool-a-77ac3", "zone=ny2")}`);
  assert.deepEqual(withPools((p) => p[0].labels = { ...p[0].labels, team: "a" }), base);
  assert.deepEqual(withPools((p) => p[1].maximum = 6), base);
  assert.notDeepEqual(withPools((p) => p[0].nodeAgentSecretName = "gardener-node-agent-pool-a-99999")[0], base[0]);
});

Deno.test("a pool without zones gets one deployment without facility; without reservations its class keeps the Go provider's name", () => {
  const w = workerObject([pool("pool-a", "c3.small.x86", [])]);
  const d = computeDesiredWorker(inputs(w, { existing: [`${NS}-pool-a`] }));
  assert.equal(d.deployments.length, 1);
  assert.equal(d.deployments[0].name, `${NS}-pool-a`, "adopted name");
  assert.equal(d.classes[0].metadata.name, `${NS}-pool-a-${gardenerHash("gardener-node-agent-pool-a-77ac3")}`);
  assert.equal((d.classes[0].providerSpec as Record<string, unknown>).facilities, undefined);
  assert.equal(d.classes[0].nodeTemplate?.zone, "ny", "the metro stands in for the zone");
});

Deno.test("adoption picks the legacy name only for the first zone and only while no zonal deployment exists", () => {
  const legacy = `${NS}-pool-b`;
  const names = (existing: string[]) =>
    computeDesiredWorker(inputs(workerObject(), { existing })).deployments.map((d) => d.name);
  assert.deepEqual(names([legacy]), [`${NS}-pool-a-z1`, legacy, `${NS}-pool-b-z2`]);
  assert.deepEqual(names([legacy, `${NS}-pool-b-z1`]), [`${NS}-pool-a-z1`, `${NS}-pool-b-z1`, `${NS}-pool-b-z2`]);
  assert.deepEqual(names([]), [`${NS}-pool-a-z1`, `${NS}-pool-b-z1`, `${NS}-pool-b-z2`]);
});

Deno.test("the MachineClass: providerSpec our driver accepts, credentials and user data refs, node template; valid against the CRD", () => {
  const w = workerObject();
  w.spec.pools[1].providerConfig = workerConfig([RESERVATION], true);
  const d = computeDesiredWorker(inputs(w));
  const cls = d.classes[2];
  assert.deepEqual(cls.providerSpec, {
    OS: "flatcar_stable",
    projectID: PROJECT_ID,
    billingCycle: "hourly",
    machineType: "m3.small.x86",
    metro: "ny",
    facilities: ["ny7"],
    sshKeys: [SSH_KEY_ID],
    tags: [`kubernetes.io/cluster/${NS}`, "kubernetes.io/role/node"],
    reservationIDs: [RESERVATION],
    reservedDevicesOnly: true,
  });
  assert.equal(cls.provider, "EquinixMetal");
  assert.deepEqual(cls.secretRef, { name: cls.metadata.name, namespace: NS });
  assert.deepEqual(cls.credentialsSecretRef, { name: "cloudprovider", namespace: NS });
  assert.deepEqual(cls.nodeTemplate, {
    capacity: { cpu: "8", gpu: "0", memory: "64Gi" },
    instanceType: "m3.small.x86",
    region: "ny",
    zone: "ny7",
    architecture: "amd64",
  });
  const spec = decodeForCreate(cls.providerSpec);
  assert.equal(spec.facilities?.[0], "ny7");
  for (const c of d.classes) assertValidAgainstCrd(c);
  const secret = d.classSecrets[2];
  assert.deepEqual(secret.metadata?.labels, { "gardener.cloud/purpose": "machineclass" });
  assert.equal(secret.data?.userData, (userDataSecret("pool-b") as Secret).data?.cloud_config);
  assert.ok(!JSON.stringify(d.classes).includes(API_TOKEN), "the token stays in the cloudprovider secret");
});

Deno.test("iPXE images: the WorkerStatus fallback keeps ipxeScriptUrl; the pool's own node template wins", () => {
  const w = workerObject([
    pool("pool-a", "c3.small.x86", ["ny5"], {
      machineImage: { name: "flatcar", version: "3000.0.0" },
      nodeTemplate: { capacity: { cpu: 4, memory: "16Gi", "nvidia.com/gpu": "1" } },
      architecture: "arm64",
    }),
  ]);
  w.status = {
    providerStatus: {
      apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
      kind: "WorkerStatus",
      machineImages: [{ name: "flatcar", version: "3000.0.0", ipxeScriptUrl: "https://boot.example.com/old.ipxe" }],
    },
  };
  const d = computeDesiredWorker(inputs(w));
  assert.deepEqual(
    d.classes[0].providerSpec && (d.classes[0].providerSpec as Record<string, unknown>).ipxeScriptUrl,
    "https://boot.example.com/old.ipxe",
  );
  assert.equal((d.classes[0].providerSpec as Record<string, unknown>).OS, undefined);
  assert.deepEqual(d.machineImages, [{
    name: "flatcar",
    version: "3000.0.0",
    ipxeScriptUrl: "https://boot.example.com/old.ipxe",
  }]);
  assert.deepEqual(d.classes[0].nodeTemplate?.capacity, { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "1" });
  assert.equal(d.classes[0].nodeTemplate?.architecture, "arm64");
  assertValidAgainstCrd(d.classes[0]);
});

Deno.test("the MachineDeployment carries every field of the generic actuator and validates against the CRD", () => {
  const w = workerObject([
    pool("pool-b", "m3.small.x86", ["ny5", "ny7"], {
      minimum: 3,
      maximum: 5,
      maxSurge: 1,
      maxUnavailable: 0,
      priority: 10,
      annotations: { "example.com/a": "1" },
      taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }],
      machineControllerManager: {
        machineDrainTimeout: "10m",
        machineHealthTimeout: "1h",
        machineCreationTimeout: "20m0s",
        maxEvictRetries: 30,
        nodeConditions: ["KernelDeadlock", "ReadonlyFilesystem"],
        disableHealthTimeout: false,
        autoPreserveFailedMachineMax: 3,
      },
      clusterAutoscaler: {
        scaleDownUtilizationThreshold: "0.5",
        scaleDownUnneededTime: "30m",
        maxNodeProvisionTime: "20m",
      },
    }),
  ]);
  const d = computeDesiredWorker(inputs(w));
  assert.deepEqual(
    d.deployments.map((x) => [x.minimum, x.maximum, x.maxSurge, x.maxUnavailable, x.autoPreserveFailedMachineMax]),
    [[2, 3, 1, 0, 2], [1, 2, 0, 0, 1]],
  );
  const md = buildMachineDeployment(d.deployments[0], NS, 2);
  assert.deepEqual(md, {
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "MachineDeployment",
    metadata: {
      name: `${NS}-pool-b-z1`,
      namespace: NS,
      labels: { "worker.gardener.cloud/pool": "pool-b" },
      annotations: {
        "autoscaler.gardener.cloud/scale-down-utilization-threshold": "0.5",
        "autoscaler.gardener.cloud/scale-down-unneeded-time": "30m0s",
        "autoscaler.gardener.cloud/max-node-provision-time": "20m0s",
      },
    },
    spec: {
      replicas: 2,
      minReadySeconds: 500,
      revisionHistoryLimit: 0,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: { name: `${NS}-pool-b-z1` } },
      template: {
        metadata: { labels: { name: `${NS}-pool-b-z1` } },
        spec: {
          class: { kind: "MachineClass", name: d.classes[0].metadata.name },
          nodeTemplate: {
            metadata: {
              labels: { "node.kubernetes.io/role": "node", "worker.gardener.cloud/pool": "pool-b" },
              annotations: { "example.com/a": "1" },
            },
            spec: { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] },
          },
          drainTimeout: "10m0s",
          healthTimeout: "1h0m0s",
          creationTimeout: "20m0s",
          maxEvictRetries: 30,
          nodeConditions: "KernelDeadlock,ReadonlyFilesystem",
          disableHealthTimeout: false,
        },
      },
      autoPreserveFailedMachineMax: 2,
    },
  });
  assertValidAgainstCrd(md);
  assert.deepEqual(d.deployments.map((x) => x.priority), [10, 10]);
});

Deno.test("the pool label is set even where gardenlet left it out", () => {
  const w = workerObject([pool("pool-a", "c3.small.x86", ["ny5"], { labels: undefined })]);
  const d = computeDesiredWorker(inputs(w));
  assert.deepEqual(d.deployments[0].labels, { "worker.gardener.cloud/pool": "pool-a" });
});

/** Applies a change to the standard inputs and returns the field errors, asserting the code. */
function fieldErrors(change: (i: DesiredStateInputs) => void): string[] {
  const i = inputs();
  change(i);
  try {
    computeDesiredWorker(i);
  } catch (e) {
    assert.ok(e instanceof FieldValidationError, String(e));
    assert.deepEqual(determineErrorCodes(e), ["ERR_CONFIGURATION_PROBLEM"]);
    assert.match(e.message, new RegExp(`^Worker ${NS}/eqx: `));
    return e.errors.map((x) => x.field);
  }
  assert.fail("no error");
}

Deno.test("bad configurations name the field and the Worker (ERR_CONFIGURATION_PROBLEM); every problem is reported at once", () => {
  const pools = (i: DesiredStateInputs) => i.worker.spec.pools;
  const rows: Array<[string, (i: DesiredStateInputs) => void, string[]]> = [
    ["unknown field", (i) => pools(i)[0].providerConfig = { ...workerConfig(), surprise: 1 }, [
      "spec.pools[0].providerConfig.surprise",
    ]],
    ["wrong type", (i) => pools(i)[0].providerConfig = { ...workerConfig(), reservedDevicesOnly: "yes" }, [
      "spec.pools[0].providerConfig.reservedDevicesOnly",
    ]],
    [
      "reservation IDs not a list",
      (i) => pools(i)[1].providerConfig = { ...workerConfig(), reservationIDs: RESERVATION },
      [
        "spec.pools[1].providerConfig.reservationIDs",
      ],
    ],
    ["reservation ID not a UUID", (i) => pools(i)[1].providerConfig = workerConfig(["abc"]), [
      "spec.pools[1].providerConfig.reservationIDs[0]",
    ]],
    ["unknown image", (i) => pools(i)[0].machineImage = { name: "ubuntu", version: "24.04" }, [
      "spec.pools[0].machineImage",
    ]],
    ["zone outside the region", (i) => pools(i)[1].zones = ["ny5", "am6"], ["spec.pools[1].zones[1]"]],
    ["duplicate zone", (i) => pools(i)[1].zones = ["ny5", "ny5"], ["spec.pools[1].zones[1]"]],
    ["region not in the CloudProfile", (i) => i.worker.spec.region = "sv", ["spec.region"]],
    ["missing infrastructure status", (i) => delete i.worker.spec.infrastructureProviderStatus, [
      "spec.infrastructureProviderStatus",
    ]],
    ["user data key missing", (i) => pools(i)[0].userDataSecretRef.key = "other", [
      "spec.pools[0].userDataSecretRef.key",
    ]],
    ["credentials without projectID", (i) => delete i.credentials!.data!.projectID, ["spec.secretRef.name"]],
    ["in-place strategy", (i) => pools(i)[0].updateStrategy = "AutoInPlaceUpdate", ["spec.pools[0].updateStrategy"]],
    ["bad duration", (i) => pools(i)[0].machineControllerManager = { machineDrainTimeout: "10 minutes" }, [
      "spec.pools[0].machineControllerManager.machineDrainTimeout",
    ]],
    ["bad threshold", (i) => pools(i)[0].clusterAutoscaler = { scaleDownUtilizationThreshold: "high" }, [
      "spec.pools[0].clusterAutoscaler.scaleDownUtilizationThreshold",
    ]],
    ["bad maxSurge", (i) => pools(i)[0].maxSurge = "3", ["spec.pools[0].maxSurge"]],
    ["maximum below minimum", (i) => pools(i)[1].maximum = 1, ["spec.pools[1].maximum"]],
    ["bad capacity", (i) => pools(i)[0].nodeTemplate = { capacity: { cpu: "lots" } }, [
      "spec.pools[0].nodeTemplate.capacity.cpu",
    ]],
    ["several at once", (i) => {
      pools(i)[0].zones = ["xx1"];
      pools(i)[1].providerConfig = { ...workerConfig(), reservedDevicesOnly: 1 };
    }, ["spec.pools[0].zones[0]", "spec.pools[1].providerConfig.reservedDevicesOnly"]],
  ];
  for (const [what, change, want] of rows) assert.deepEqual(fieldErrors(change), want, what);
});

Deno.test("user data: a missing secret is retryable (gardenlet writes it before the Worker), naming the field", () => {
  const i = inputs();
  (i.userDataSecrets as Map<string, unknown>).set("user-data-pool-a", undefined);
  assert.throws(() => computeDesiredWorker(i), (e: Error) => {
    assert.deepEqual(determineErrorCodes(e), ["ERR_RETRYABLE_CONFIGURATION_PROBLEM"]);
    assert.match(e.message, /^Worker .*\/eqx: spec\.pools\[0\]\.userDataSecretRef\.name: secret .*user-data-pool-a/);
    return true;
  });
});

Deno.test("credentials: a missing secret is retryable (gardenlet may still write it); bad contents are configuration errors", () => {
  const i = inputs();
  i.credentials = undefined;
  assert.throws(() => computeDesiredWorker(i), (e: Error) => {
    assert.deepEqual(determineErrorCodes(e), ["ERR_RETRYABLE_CONFIGURATION_PROBLEM"]);
    assert.equal(e.message, `Worker ${NS}/eqx: credentials secret ${NS}/cloudprovider (spec.secretRef) not found`);
    return true;
  });
  // Together with a configuration error, the configuration error is what the user must fix first.
  i.worker.spec.pools[0].zones = ["xx1"];
  assert.throws(() => computeDesiredWorker(i), FieldValidationError);

  const noProject = inputs();
  delete noProject.credentials!.data!.projectID;
  assert.throws(() => computeDesiredWorker(noProject), (e: Error) => {
    assert.ok(e instanceof FieldValidationError);
    assert.match(
      e.message,
      /spec\.secretRef\.name: Invalid value: "cloudprovider": secret .*\/cloudprovider: missing "projectID" field/,
    );
    return true;
  });
  const wi = inputs();
  wi.credentials!.metadata!.labels = { "security.gardener.cloud/purpose": "workload-identity-token-requestor" };
  assert.throws(() => computeDesiredWorker(wi), /holds a WorkloadIdentity token/);
});

Deno.test("error messages name the pool for in-place strategies and never carry the user data or the token", () => {
  const i = inputs();
  i.worker.spec.pools[1].updateStrategy = "ManualInPlaceUpdate";
  i.worker.spec.pools[0].userDataSecretRef.key = "nope";
  assert.throws(() => computeDesiredWorker(i), (err: Error) => {
    assert.match(err.message, /worker pool pool-b: in-place updates are not supported by provider equinixmetal/);
    assert.match(err.message, /spec\.pools\[0\]\.userDataSecretRef\.key/);
    assert.ok(!err.message.includes("bootstrap-token") && !err.message.includes(API_TOKEN));
    return true;
  });
});
