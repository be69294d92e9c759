/** The heartbeat Lease: created, then renewed every interval with fresh MicroTime; failures retried; flag checks. */
import assert from "node:assert/strict";
import {
  Heartbeat,
  HEARTBEAT_LEASE_NAME,
  heartbeatLeaseSpec,
  validateRenewInterval,
} from "../../../src/extension/heartbeat/heartbeat_apply.ts";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { CoordinationV1 } from "../../../src/k8s/api/resources.ts";
import type { Lease } from "../../../src/k8s/api/builtin_types.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { configureLogging } from "../../../src/observability/log.ts";
import { eventually } from "../../support/eventually.ts";

configureLogging({ level: "error" });
const NS = "extension-provider-equinix-metal-abc12";

Deno.test("heartbeat lease spec: holder, duration = interval, renewTime in microseconds UTC", () => {
  assert.deepEqual(heartbeatLeaseSpec("provider-equinix-metal", 30, Date.UTC(2026, 0, 2, 3, 4, 5, 678)), {
    holderIdentity: "provider-equinix-metal",
    leaseDurationSeconds: 30,
    renewTime: "2026-01-02T03:04:05.678000Z",
  });
  assert.throws(
    () => validateRenewInterval(0),
    /--heartbeat-renew-interval-seconds: must be an integer greater than 0/,
  );
  assert.throws(() => validateRenewInterval(-5), /greater than 0/);
  assert.equal(validateRenewInterval(10), 10);
});

Deno.test("heartbeat: creates the lease, renews it every interval, survives a failed renewal, stops cleanly", async () => {
  const clock = new FakeClock();
  const api = await startApiServer({ clock, namespaces: ["default", NS] });
  const client = new KubeClient(api.connection());
  const stop = new AbortController();
  try {
    const hb = new Heartbeat({ client, namespace: NS, renewIntervalSeconds: 10, clock });
    const done = hb.start(stop.signal);
    const read = () => client.get<Lease>(CoordinationV1.leases, HEARTBEAT_LEASE_NAME, { namespace: NS });
    const first = await eventually(() => read().catch(() => undefined), { description: "lease created" });
    assert.deepEqual(first.spec, {
      holderIdentity: "provider-equinix-metal",
      leaseDurationSeconds: 10,
      renewTime: new Date(clock.now()).toISOString().replace("Z", "000Z"),
    });

    // Fake time moves in small steps while the heartbeat's real I/O settles between them.
    const pumpUntil = async <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
      for (let i = 0; i < 200; i++) {
        const v = await probe();
        if (v !== undefined) return v;
        await clock.advance(500);
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const second = await pumpUntil(async () => {
      const l = await read();
      return l.spec?.renewTime !== first.spec?.renewTime ? l : undefined;
    }, "lease renewed after one interval");
    assert.equal(Date.parse(second.spec!.renewTime!) - Date.parse(first.spec!.renewTime!), 10_000);

    // The API server refuses updates for a while: the heartbeat keeps trying and catches up.
    const remove = api.faults.add({ verb: "update", resource: "leases", status: 500, times: 2 });
    await pumpUntil(async () => {
      const l = await read();
      return Date.parse(l.spec!.renewTime!) > Date.parse(second.spec!.renewTime!) ? l : undefined;
    }, "renewed after the failures");
    const updates = api.counters.snapshot().byVerbResource["update leases"];
    assert.ok(updates >= 4, `the failed updates were tried (${updates} updates)`);
    remove();

    stop.abort();
    await done;
  } finally {
    stop.abort();
    client.close();
    await api.stop();
  }
});

Deno.test("heartbeat: a namespace is required", () => {
  const client = new KubeClient({ server: "http://127.0.0.1:1" });
  assert.throws(() => new Heartbeat({ client, namespace: "" }), /--heartbeat-namespace/);
});
