import assert from "node:assert/strict";
import { Registry } from "../../../src/observability/metrics.ts";
import { FakeDriver } from "./fake_driver.ts";
import { Harness, NS } from "./harness.ts";

const itemsTotal = (reg: Registry) => /^mcm_machine_items_total (\d+)$/m.exec(reg.metrics())?.[1];

Deno.test("two machine controllers in one process share no state: each reports its own machines and has its own meltdown locks", async () => {
  const metricsA = new Registry();
  const metricsB = new Registry();
  const a = await Harness.start({ driver: new FakeDriver(), metrics: metricsA });
  const b = await Harness.start({ driver: new FakeDriver(), metrics: metricsB });
  try {
    await a.createDefaultClass();
    await a.createMachine("pool-a-1", { labels: { name: "pool-a" } });
    await a.until(async () => (await a.phase("pool-a-1")) === "Pending", { what: "Pending in cluster A" });
    assert.equal(itemsTotal(metricsA), "1");
    assert.equal(itemsTotal(metricsB), "0");

    // A replacement decision of controller A in progress does not hold up controller B's for a namesake deployment.
    let release!: () => void;
    const heldByA = a.controller.state.meltdownLocks.run(`${NS}/pool-a`, () => new Promise<void>((r) => release = r));
    const ranInB = await b.controller.state.meltdownLocks.run(`${NS}/pool-a`, () => Promise.resolve(true));
    assert.equal(ranInB, true);
    release();
    await heldByA;
    assert.notEqual(a.controller.state, b.controller.state);
  } finally {
    await a.close();
    await b.close();
  }
});
