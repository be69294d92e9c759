import assert from "node:assert/strict";
import { FieldValidationError } from "../../../src/apis/decode.ts";
import {
  DEFAULTS,
  loadControllerConfiguration,
  parseControllerConfiguration,
  resolveControllerConfiguration,
} from "../../../src/apis/config/v1alpha1.ts";

const HEADER =
  "apiVersion: equinixmetal.provider.extensions.config.gardener.cloud/v1alpha1\nkind: ControllerConfiguration\n";

function fails(fn: () => unknown): FieldValidationError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FieldValidationError, String(e));
    return e;
  }
  assert.fail("expected a FieldValidationError");
}

Deno.test("the upstream example file loads with its values", () => {
  // Content of upstream's example/00-componentconfig.yaml (healthCheckConfig commented out there).
  const cfg = parseControllerConfiguration(`${HEADER}clientConnection:
  acceptContentTypes: application/json
  contentType: application/json
  qps: 100
  burst: 130
etcd:
  storage:
    className: gardener.cloud-fast
    capacity: 25Gi
`);
  assert.deepEqual(cfg, {
    clientConnection: {
      acceptContentTypes: "application/json",
      contentType: "application/json",
      qps: 100,
      burst: 130,
      kubeconfig: "",
    },
    etcd: { storage: { className: "gardener.cloud-fast", capacity: "25Gi" } },
    healthCheck: { syncPeriodMs: 30_000, shootRESTOptions: { qps: 100, burst: 130 } },
  });
});

Deno.test("defaults apply per field: a lone syncPeriod keeps the shoot client's QPS and burst (upstream lost them)", () => {
  const cfg = parseControllerConfiguration(`${HEADER}healthCheckConfig:\n  syncPeriod: 1m30s\n`);
  assert.equal(cfg.healthCheck.syncPeriodMs, 90_000);
  assert.deepEqual(cfg.healthCheck.shootRESTOptions, DEFAULTS.healthCheck.shootRESTOptions);

  const partial = parseControllerConfiguration(
    `${HEADER}clientConnection:\n  qps: 20\nhealthCheckConfig:\n  shootRESTOptions:\n    burst: 10\n    timeout: 45s\n`,
  );
  assert.equal(partial.clientConnection.qps, 20);
  assert.equal(partial.clientConnection.burst, DEFAULTS.clientConnection.burst);
  assert.deepEqual(partial.healthCheck, {
    syncPeriodMs: 30_000,
    shootRESTOptions: { qps: 100, burst: 10, timeoutMs: 45_000 },
  });
});

Deno.test("a Go-style integer-nanosecond timeout is accepted; zero means no timeout", () => {
  const go = parseControllerConfiguration(
    `${HEADER}healthCheckConfig:\n  shootRESTOptions:\n    timeout: 30000000000\n`,
  );
  assert.equal(go.healthCheck.shootRESTOptions.timeoutMs, 30_000);
  const zero = parseControllerConfiguration(`${HEADER}healthCheckConfig:\n  shootRESTOptions:\n    timeout: 0s\n`);
  assert.equal(zero.healthCheck.shootRESTOptions.timeoutMs, undefined);
});

Deno.test("a bad duration is reported with the field and Go's reason", () => {
  const err = fails(() =>
    parseControllerConfiguration(`${HEADER}healthCheckConfig:\n  syncPeriod: 30 seconds\n`, "config file /etc/c.yaml")
  );
  assert.equal(err.errors.length, 1);
  assert.equal(err.errors[0].field, "healthCheckConfig.syncPeriod");
  assert.match(
    err.message,
    /^config file \/etc\/c\.yaml: healthCheckConfig\.syncPeriod: Invalid value: "30 seconds": time: unknown unit/,
  );
  const zero = fails(() => parseControllerConfiguration(`${HEADER}healthCheckConfig:\n  syncPeriod: 0s\n`));
  assert.match(zero.errors[0].message, /greater than 0/);
  const timeout = fails(() =>
    parseControllerConfiguration(`${HEADER}healthCheckConfig:\n  shootRESTOptions:\n    timeout: soon\n`)
  );
  assert.equal(timeout.errors[0].field, "healthCheckConfig.shootRESTOptions.timeout");
});

Deno.test("a bad quantity and non-positive rates are reported with their fields", () => {
  const err = fails(() =>
    parseControllerConfiguration(
      `${HEADER}clientConnection:\n  qps: 0\n  burst: -1\netcd:\n  storage:\n    capacity: 25GB\n`,
    )
  );
  assert.deepEqual(err.errors.map((e) => e.field), [
    "clientConnection.qps",
    "clientConnection.burst",
    "etcd.storage.capacity",
  ]);
  assert.match(err.errors[2].message, /quantity/);
  const zeroCap = fails(() => parseControllerConfiguration(`${HEADER}etcd:\n  storage:\n    capacity: 0Gi\n`));
  assert.equal(zeroCap.errors[0].field, "etcd.storage.capacity");
  // A plain number is a valid quantity (bytes).
  const n = parseControllerConfiguration(`${HEADER}etcd:\n  storage:\n    capacity: 1073741824\n`);
  assert.equal(n.etcd.storage.capacity, "1073741824");
});

Deno.test("strict decoding: unknown fields, wrong types, duplicate keys and a wrong kind name the field", () => {
  const unknown = fails(() => parseControllerConfiguration(`${HEADER}healthCheckConfig:\n  syncperiod: 30s\n`));
  assert.deepEqual(unknown.errors.map((e) => [e.type, e.field]), [["Forbidden", "healthCheckConfig.syncperiod"]]);
  const type = fails(() => parseControllerConfiguration(`${HEADER}clientConnection:\n  burst: lots\n`));
  assert.deepEqual(type.errors.map((e) => [e.type, e.field]), [["Invalid", "clientConnection.burst"]]);
  const dup = fails(() =>
    parseControllerConfiguration(`${HEADER}etcd:\n  storage:\n    className: a\n    className: b\n`)
  );
  assert.deepEqual(dup.errors.map((e) => [e.type, e.field]), [["Duplicate", "etcd.storage.className"]]);
  const kind = fails(() =>
    parseControllerConfiguration(
      "apiVersion: equinixmetal.provider.extensions.config.gardener.cloud/v1alpha1\nkind: WorkerConfig\n",
    )
  );
  assert.deepEqual(kind.errors.map((e) => [e.type, e.field]), [["NotSupported", "kind"]]);
  const empty = fails(() => parseControllerConfiguration(""));
  assert.deepEqual(empty.errors.map((e) => e.type), ["Required"]);
});

Deno.test("loadControllerConfiguration reads the file and names it in errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = `${dir}/config.yaml`;
    await Deno.writeTextFile(good, `${HEADER}healthCheckConfig:\n  syncPeriod: 2m\n`);
    assert.equal((await loadControllerConfiguration(good)).healthCheck.syncPeriodMs, 120_000);

    const bad = `${dir}/bad.yaml`;
    await Deno.writeTextFile(bad, `${HEADER}etcd:\n  storage:\n    capacity: lots\n`);
    await assert.rejects(loadControllerConfiguration(bad), (e: unknown) => {
      assert.ok(e instanceof FieldValidationError);
      assert.match(e.message, new RegExp(`^config file ${bad}: etcd\\.storage\\.capacity: Invalid value: "lots"`));
      return true;
    });
    await assert.rejects(loadControllerConfiguration(`${dir}/missing.yaml`), /cannot read config file .*missing\.yaml/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveControllerConfiguration is pure and reports every problem at once", () => {
  const { config, errors } = resolveControllerConfiguration({
    apiVersion: "equinixmetal.provider.extensions.config.gardener.cloud/v1alpha1",
    kind: "ControllerConfiguration",
    etcd: { storage: { className: " ", capacity: "x" } },
    healthCheckConfig: { syncPeriod: "x", shootRESTOptions: { qps: -1, timeout: -5 } },
  });
  assert.equal(config, undefined);
  assert.deepEqual(errors.map((e) => e.field), [
    "etcd.storage.capacity",
    "etcd.storage.className",
    "healthCheckConfig.syncPeriod",
    "healthCheckConfig.shootRESTOptions.qps",
    "healthCheckConfig.shootRESTOptions.timeout",
  ]);
});
