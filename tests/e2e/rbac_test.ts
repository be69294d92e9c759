/**
 * RBAC proven minimal: the full scenario (create, rolling update, delete) with every component on its
 * ServiceAccount's token. Every request denied and every rule (or part of one) of the RBAC we apply that no request
 * used is printed; each must carry a reason from the table below, or the test fails.
 */
import assert from "node:assert/strict";
import { configureLogging } from "../../src/observability/log.ts";
import { type ClusterAuthorization, withLandscape } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

configureLogging({ level: "error" });

/** Why a rule grants what the scenario did not use: `<role>#<rule index> <verb> <resource>` → reason. */
const UNUSED_REASONS: Record<string, string> = {};

/** Why a request is denied on purpose: `<cluster> <user> <verb> <resource> <namespace>/<name>` → reason. */
const DENIED_REASONS: Record<string, string> = {};

function lists(report: ClusterAuthorization[]): { unused: string[]; denied: string[] } {
  const unused: string[] = [];
  const denied: string[] = [];
  for (const c of report) {
    for (const u of c.unused) for (const g of u.grants) unused.push(`${c.cluster} ${u.role}#${u.index} ${g}`);
    for (const d of c.denied) {
      const res = d.path || (d.subresource ? `${d.resource}/${d.subresource}` : d.resource) +
          (d.group ? `.${d.group}` : "");
      denied.push(`${c.cluster} ${d.user} ${d.verb} ${res} ${d.namespace}/${d.name} (x${d.count})`);
    }
  }
  return { unused, denied };
}

Deno.test("the full scenario under RBAC: no request denied, every unused grant has a reason", async () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 14, 0, 0));
  const { value: report } = await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape({ clock, randomSeed: 15 }, async (landscape) => {
      try {
        await landscape.create();
        await landscape.rollingUpdate();
        await landscape.delete();
      } catch (e) {
        // What was denied explains most failures here.
        console.log(lists(landscape.authorization()).denied.join("\n"));
        throw e;
      }
      return landscape.authorization();
    })
  );
  const { unused, denied } = lists(report);
  console.log(`denied requests (${denied.length}):\n  ${denied.join("\n  ")}`);
  console.log(`unused grants (${unused.length}):\n  ${unused.join("\n  ")}`);
  assert.deepEqual(report.map((c) => c.cluster), ["seed", "shoot shoot--garden--playground"]);
  assert.deepEqual(denied.filter((d) => !DENIED_REASONS[d.replace(/ \(x\d+\)$/, "")]), []);
  assert.deepEqual(unused.filter((u) => !UNUSED_REASONS[u]), []);
});
