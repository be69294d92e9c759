/**
 * Worker pool hash tables. The expected hashes are NOT produced by the code under test: for each case the exact
 * strings gardenlet's generic worker code hashes (gardener/gardener extensions/pkg/controller/worker/machines.go,
 * `WorkerPoolHashV1`/`WorkerPoolHashV2`; see docs/decisions.md "Worker pool hash") are written down below, and the
 * 5-character result was computed independently with coreutils:
 *
 *   h() { printf '%s' "$1" | sha256sum | cut -c1-64; }
 *   combine() { acc=""; for d in "$@"; do acc="$acc$(h "$d")"; done; printf '%s' "$acc" | sha256sum | cut -c1-5; }
 *   combine '1.33' 'c3.small.x86' 'flatcar3815.2.0'                      # -> 45232
 *
 * (one `combine` call per table row, with the row's `data` as arguments).
 */
import assert from "node:assert/strict";
import type { Shoot } from "../../../src/apis/core/v1beta1.ts";
import type { WorkerPool } from "../../../src/apis/extensions/v1alpha1.ts";
import {
  equinixAdditionalHashData,
  equinixWorkerPoolHash,
  goRawJSON,
  goTimeString,
  hashData,
  InPlaceUpdateNotSupportedError,
  versionMajorMinor,
  workerPoolHash,
  workerPoolHashV1Data,
} from "../../../src/apis/extensions/worker_pool_hash.ts";

const API = "equinixmetal.provider.extensions.gardener.cloud/v1alpha1";
const UUID_A = "558c4d16-6a0b-4f8e-8c2d-7e5b3a9f0d22";
const UUID_B = "932eecda-1f7b-4d5e-9a3e-2f1f0b9d4c11";

function basePool(extra: Partial<WorkerPool> = {}): WorkerPool {
  return {
    name: "worker-a",
    machineType: "c3.small.x86",
    minimum: 1,
    maximum: 3,
    maxSurge: 1,
    maxUnavailable: 0,
    machineImage: { name: "flatcar", version: "3815.2.0" },
    userDataSecretRef: { name: "user-data", key: "cloud_config" },
    ...extra,
  };
}

function baseShoot(): Shoot {
  return { spec: { region: "da", kubernetes: { version: "1.33.1" }, provider: { type: "equinixmetal" } } };
}

interface Row {
  name: string;
  pool: WorkerPool;
  shoot: Shoot;
  /** Our provider inputs (reservations, zone); absent = plain Gardener hash. */
  provider?: Parameters<typeof equinixWorkerPoolHash>[2];
  /** What gardenlet's algorithm hashes, in order (V1: workerPoolHashV1Data; V2: [secret, ...additional]). */
  data: string[];
  /** `combine <data...>` computed with sha256sum (see the file comment). */
  want: string;
}

const fullShoot: Shoot = {
  spec: {
    region: "da",
    kubernetes: { version: "1.33.1" },
    provider: {
      type: "equinixmetal",
      workers: [
        { name: "worker-b", machine: { type: "x" }, cri: { name: "other" } },
        { name: "worker-a", machine: { type: "c3.small.x86" }, cri: { name: "containerd" } },
      ],
    },
    systemComponents: { nodeLocalDNS: { enabled: true } },
  },
  status: {
    credentials: {
      rotation: {
        certificateAuthorities: { lastInitiationTime: "2024-05-01T10:00:00Z" },
        serviceAccountKey: {
          lastInitiationTime: "2024-06-01T00:00:00Z",
          // The pool's rollout is still pending: its own (older) initiation time applies.
          pendingWorkersRollouts: [{ name: "worker-a", lastInitiationTime: "2024-03-01T08:30:00Z" }],
        },
      },
    },
  },
};

const RAW_FULL =
  `{"apiVersion":"${API}","kind":"WorkerConfig","reservationIDs":["${UUID_A}"],"reservedDevicesOnly":true}`;
const RAW_NEXT = `{"apiVersion":"${API}","kind":"WorkerConfig","reservationIDs":["next-available"]}`;
const RAW_ESCAPED = String.raw`{"a":{"b":[true,null,1e+21],"y":"a\u003cb\u0026c\u003e"},"m":"line\u2028sep","z":1.5}`;

const rows: Row[] = [
  {
    name: "V1, minimal pool",
    pool: basePool(),
    shoot: baseShoot(),
    data: ["1.33", "c3.small.x86", "flatcar3815.2.0"],
    want: "45232",
  },
  {
    name: "V1, every input: pool version, volume, providerConfig, CRI, CA and SA rotation (pending), node-local-dns",
    pool: basePool({
      kubernetesVersion: "v1.32.4",
      volume: { size: "20Gi", type: "fast" },
      // Keys deliberately unsorted: the API server serves custom resources with sorted keys.
      providerConfig: { reservationIDs: [UUID_A], kind: "WorkerConfig", apiVersion: API, reservedDevicesOnly: true },
    }),
    shoot: fullShoot,
    data: [
      "1.32",
      "c3.small.x86",
      "flatcar3815.2.0",
      "20Gi",
      "fast",
      RAW_FULL,
      "containerd",
      "2024-05-01 10:00:00 +0000 UTC",
      "2024-03-01 08:30:00 +0000 UTC",
      "node-local-dns",
    ],
    want: "2bc10",
  },
  {
    name: "V1 with our zone as additional data (reservations are already in the raw providerConfig)",
    pool: basePool({ providerConfig: { apiVersion: API, kind: "WorkerConfig", reservationIDs: ["next-available"] } }),
    shoot: baseShoot(),
    provider: { workerConfig: { reservationIDs: ["next-available"] }, zone: "da11" },
    data: ["1.33", "c3.small.x86", "flatcar3815.2.0", RAW_NEXT, "zone=da11"],
    want: "1d838",
  },
  {
    name: "V1, Go's JSON escaping and number format, year-1 and offset times with fractions",
    pool: basePool({ providerConfig: { z: 1.5, a: { y: "a<b&c>", b: [true, null, 1e21] }, m: "line\u2028sep" } }),
    shoot: {
      ...baseShoot(),
      status: {
        credentials: {
          rotation: {
            certificateAuthorities: { lastInitiationTime: "0001-01-01T00:00:00Z" },
            serviceAccountKey: { lastInitiationTime: "2024-05-01T12:00:00.500+02:00" },
          },
        },
      },
    },
    data: [
      "1.33",
      "c3.small.x86",
      "flatcar3815.2.0",
      RAW_ESCAPED,
      "0001-01-01 00:00:00 +0000 UTC",
      "2024-05-01 10:00:00.5 +0000 UTC",
    ],
    want: "16250",
  },
  {
    name: "V2, nodeAgentSecretName only (what the Go provider computes)",
    pool: basePool({ nodeAgentSecretName: "gardener-node-agent-worker-a-77ac3", volume: { size: "20Gi" } }),
    shoot: fullShoot,
    data: ["gardener-node-agent-worker-a-77ac3"],
    want: "41e2b",
  },
  {
    name: "V2 with our reservations (as a sorted, lower-cased set) and zone",
    pool: basePool({ nodeAgentSecretName: "gardener-node-agent-worker-a-77ac3" }),
    shoot: baseShoot(),
    provider: {
      workerConfig: { reservationIDs: [UUID_B, UUID_A.toUpperCase()], reservedDevicesOnly: true },
      zone: "ny5",
    },
    data: [
      "gardener-node-agent-worker-a-77ac3",
      `reservationIDs=${UUID_A},${UUID_B}`,
      "reservedDevicesOnly=true",
      "zone=ny5",
    ],
    want: "52c36",
  },
];

for (const row of rows) {
  Deno.test(`worker pool hash: ${row.name}`, () => {
    const extra = equinixAdditionalHashData(row.provider ?? {});
    const isV2 = row.pool.nodeAgentSecretName !== undefined;
    const data = isV2
      ? [row.pool.nodeAgentSecretName!, ...extra.v2]
      : workerPoolHashV1Data(row.pool, row.shoot, extra.v1);
    assert.deepEqual(data, row.data, "the strings that are hashed");
    assert.equal(hashData(row.data), row.want, "the combination step");
    assert.equal(equinixWorkerPoolHash(row.pool, row.shoot, row.provider), row.want, "the full hash");
    if (!row.provider) assert.equal(workerPoolHash(row.pool, row.shoot), row.want, "Gardener's dispatch alone");
  });
}

Deno.test("V1 ignores what Gardener ignores (counts, labels, taints, zones, patch version) and sees what it hashes", () => {
  const shoot = baseShoot();
  const pool = basePool({ volume: { size: "20Gi" } });
  const base = workerPoolHash(pool, shoot);
  const same: Partial<WorkerPool>[] = [
    { minimum: 5, maximum: 9, maxSurge: "50%", priority: 3 },
    { labels: { a: "b" }, annotations: { c: "d" }, taints: [{ key: "k", effect: "NoSchedule" }] },
    { zones: ["da11"], name: "renamed", userDataSecretRef: { name: "other", key: "k" } },
    { kubernetesVersion: "1.33.9" },
  ];
  for (const change of same) assert.equal(workerPoolHash({ ...pool, ...change }, shoot), base, JSON.stringify(change));
  const different: Partial<WorkerPool>[] = [
    { machineType: "m3.large.x86" },
    { machineImage: { name: "flatcar", version: "3815.2.1" } },
    { volume: { size: "40Gi" } },
    { volume: { size: "20Gi", type: "ssd" } },
    { providerConfig: {} },
    { kubernetesVersion: "1.34.0" },
  ];
  for (const change of different) {
    assert.notEqual(workerPoolHash({ ...pool, ...change }, shoot), base, JSON.stringify(change));
  }
});

Deno.test("our provider data rolls V2 pools, is order-insensitive, and adds nothing when unset", () => {
  const pool = basePool({ nodeAgentSecretName: "gna-1" });
  const shoot = baseShoot();
  const plain = workerPoolHash(pool, shoot);
  assert.equal(equinixWorkerPoolHash(pool, shoot, {}), plain);
  assert.equal(
    equinixWorkerPoolHash(pool, shoot, { workerConfig: { reservationIDs: [], reservedDevicesOnly: false } }),
    plain,
  );
  const ab = equinixWorkerPoolHash(pool, shoot, { workerConfig: { reservationIDs: [UUID_A, UUID_B] } });
  assert.notEqual(ab, plain);
  assert.equal(equinixWorkerPoolHash(pool, shoot, { workerConfig: { reservationIDs: [UUID_B, UUID_A] } }), ab);
  assert.notEqual(
    equinixWorkerPoolHash(pool, shoot, {
      workerConfig: { reservationIDs: [UUID_A, UUID_B], reservedDevicesOnly: true },
    }),
    ab,
  );
  assert.notEqual(
    equinixWorkerPoolHash(pool, shoot, { zone: "da11" }),
    equinixWorkerPoolHash(pool, shoot, { zone: "da12" }),
  );
});

Deno.test("in-place update strategies are rejected", () => {
  for (const updateStrategy of ["AutoInPlaceUpdate", "ManualInPlaceUpdate"]) {
    assert.throws(
      () => workerPoolHash(basePool({ updateStrategy, nodeAgentSecretName: "x" }), baseShoot()),
      InPlaceUpdateNotSupportedError,
    );
  }
  assert.equal(
    workerPoolHash(basePool({ updateStrategy: "AutoRollingUpdate" }), baseShoot()),
    workerPoolHash(basePool(), baseShoot()),
  );
});

Deno.test("helpers: major.minor like Masterminds/semver, Go time text, Go raw JSON", () => {
  assert.equal(versionMajorMinor("1.33.1"), "1.33");
  assert.equal(versionMajorMinor("v1.32.4-gke.1+build"), "1.32");
  assert.equal(versionMajorMinor("1.30"), "1.30");
  assert.equal(versionMajorMinor("1"), "1.0");
  assert.throws(() => versionMajorMinor("latest"), /invalid Kubernetes version "latest"/);
  assert.equal(goTimeString("2024-01-02T03:04:05Z"), "2024-01-02 03:04:05 +0000 UTC");
  assert.equal(goTimeString("2024-01-01T01:00:00.123456789-02:30"), "2024-01-01 03:30:00.123456789 +0000 UTC");
  assert.equal(goTimeString("2024-01-01T00:00:00.100Z"), "2024-01-01 00:00:00.1 +0000 UTC");
  assert.throws(() => goTimeString("yesterday"), /invalid RFC 3339 time/);
  assert.equal(goRawJSON({ b: 1, a: [1.5, "x"], c: undefined }), '{"a":[1.5,"x"],"b":1}');
  assert.equal(goRawJSON({ Z: 1, a: 2, _: 3 }), '{"Z":1,"_":3,"a":2}');
});
