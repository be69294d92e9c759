/** The fault-rule engine both simulators specialise: matching, skip/times budgets, outcomes, latency, seeds. */
import assert from "node:assert/strict";
import { type FaultRuleBase, FaultRules, Tally } from "../../../src/sim/kernel/mod.ts";

interface Rule extends FaultRuleBase {
  path?: string;
  hang?: boolean;
}

const engine = (seed = 1) =>
  new FaultRules<Rule, string, { kind: "hang" }>({
    matches: (rule, path) => rule.path === undefined || rule.path === path,
    otherOutcome: (rule) => rule.hang ? { kind: "hang" } : undefined,
  }, seed);

Deno.test("fault rules: skip lets requests through first, times stops the rule, only matching requests count", () => {
  const rules = engine();
  rules.add({ path: "/a", status: 503, skip: 1, times: 2 });
  const statuses = ["/a", "/b", "/a", "/a", "/a"].map((p) => {
    const outcome = rules.decide(p).outcome;
    return outcome?.kind === "status" ? outcome.status : 0;
  });
  assert.deepEqual(statuses, [0, 0, 503, 503, 0]);
  assert.equal(rules.empty, true, "an exhausted rule is gone");
});

Deno.test("fault rules: latencies add up, the first outcome wins, a rule without effect spends nothing", () => {
  const rules = engine();
  rules.add({ times: 1 });
  rules.add({ latencyMs: 100, status: 429, retryAfterSeconds: 3 });
  rules.add({ latencyMs: 50, hang: true });
  rules.add({ latencyMs: 7 });
  const decision = rules.decide("/x");
  assert.deepEqual(decision, { latencyMs: 107, outcome: { kind: "status", status: 429, retryAfterSeconds: 3 } });
  rules.clear();
  rules.add({ hang: true });
  assert.deepEqual(rules.decide("/x"), { latencyMs: 0, outcome: { kind: "hang" } });
});

Deno.test("fault rules: a seed makes the pattern reproducible; a probability outside [0, 1] names the field", () => {
  const pattern = (seed: number) => {
    const rules = engine(seed);
    rules.add({ status: 500, probability: 0.5 });
    return Array.from({ length: 64 }, () => rules.decide("/x").outcome ? "x" : ".").join("");
  };
  assert.equal(pattern(3), pattern(3));
  assert.notEqual(pattern(3), pattern(4));
  const failures = [...pattern(3)].filter((c) => c === "x").length;
  assert.ok(failures > 16 && failures < 48, `about half fail: ${pattern(3)}`);
  assert.throws(() => engine().add({ probability: 1.5 }), /probability/);
});

Deno.test("tally: counts by key, totals by prefix, sorted snapshot, reset", () => {
  const tally = new Tally();
  for (const key of ["GET /b 200", "GET /a 200", "GET /a 200", "POST /a 201"]) tally.record(key);
  assert.deepEqual(tally.snapshot(), { "GET /a 200": 2, "GET /b 200": 1, "POST /a 201": 1 });
  assert.equal(tally.total("GET "), 3);
  assert.deepEqual([...tally.entries()].map(([k]) => k), ["GET /b 200", "GET /a 200", "POST /a 201"]);
  tally.reset();
  assert.equal(tally.total(), 0);
});
