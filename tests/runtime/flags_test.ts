/** Flag tables: Go syntax, defaults, every problem collected naming its flag, options fields. */
import assert from "node:assert/strict";
import {
  defaultValues,
  fieldsOf,
  inFlagOrder,
  pflag,
  resolveFlagValues,
  shownDefault,
} from "../../src/runtime/flags.ts";

const TABLE = {
  syncPeriod: pflag.duration({ help: "period", default: "90s", field: "syncPeriodMs" }),
  workers: pflag.int({ help: "workers", default: 5, min: 1, field: "workers" }),
  qps: pflag.float({ help: "qps", default: 20 }),
  leaderElect: pflag.bool({ help: "elect", default: true }),
  names: pflag.list({ help: "names", defaultText: "all" }),
  mode: pflag.string({
    help: "mode",
    default: "a",
    parse: (s) => {
      if (s !== "a" && s !== "b") throw new Error(`unsupported value ${JSON.stringify(s)}`);
      return s;
    },
  }),
};

Deno.test("pflag: defaults are typed from the table; help shows Go's spelling or the described behaviour", () => {
  assert.deepEqual(defaultValues(TABLE), {
    syncPeriod: 90_000,
    workers: 5,
    qps: 20,
    leaderElect: true,
    names: undefined,
    mode: "a",
  });
  assert.equal(shownDefault(TABLE.syncPeriod), "1m30s");
  assert.equal(shownDefault(TABLE.leaderElect), "true");
  assert.equal(shownDefault(TABLE.names), "all");
});

Deno.test("resolveFlagValues: Go syntax, bare booleans, repeated comma lists", () => {
  const { values, errors } = resolveFlagValues(TABLE, {
    syncPeriod: "1h30m",
    workers: " 7",
    leaderElect: "F",
    names: ["a, b", "", "c"],
    mode: "b",
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(values, {
    syncPeriod: 5_400_000,
    workers: 7,
    qps: 20,
    leaderElect: false,
    names: ["a", "b", "c"],
    mode: "b",
  });
  assert.equal(resolveFlagValues(TABLE, { leaderElect: true }).values.leaderElect, true);
});

Deno.test("resolveFlagValues: every problem is collected and names its flag; the flag keeps its default", () => {
  const { values, errors } = resolveFlagValues(TABLE, {
    syncPeriod: "soon",
    workers: "0",
    qps: "fast",
    leaderElect: "yes",
    mode: "c",
  });
  assert.deepEqual(errors.map((e) => e.slice(0, e.indexOf(":"))), [
    "--sync-period",
    "--workers",
    "--qps",
    "--leader-elect",
    "--mode",
  ]);
  assert.equal(errors[1], "--workers: must be at least 1, got 0");
  assert.equal(errors[2], '--qps: invalid number "fast"');
  assert.equal(errors[3], '--leader-elect: invalid boolean "yes"');
  assert.equal(errors[4], '--mode: unsupported value "c"');
  assert.equal(values.syncPeriod, 90_000);
});

Deno.test("fieldsOf: each flag with a field fills it", () => {
  assert.deepEqual(fieldsOf(TABLE, defaultValues(TABLE)), { syncPeriodMs: 90_000, workers: 5 });
});

Deno.test("inFlagOrder: errors in the order help lists the flags, others last, ties as found", () => {
  assert.deepEqual(
    inFlagOrder(TABLE, ["--mode: b", "cluster: x", "--workers: 1", "--sync-period: a", "--workers: 2"]),
    ["--sync-period: a", "--workers: 1", "--workers: 2", "--mode: b", "cluster: x"],
  );
});
