import assert from "node:assert/strict";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { COMBINED_PREFIX, EventRecorder, MAX_MESSAGE_LENGTH } from "../../../src/k8s/controller/events.ts";
import type { Event } from "../../../src/k8s/api/builtin_types.ts";

/** The recorder always writes a message. */
type CoreEvent = Event & { message: string };
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { CoreV1 } from "../../../src/k8s/api/resources.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { captureLogs } from "../../../src/observability/log.ts";
import { forgetSecret, registerSecret } from "../../../src/observability/redact.ts";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";

async function withApi(fn: (client: KubeClient, api: Awaited<ReturnType<typeof startApiServer>>) => Promise<void>) {
  const api = await startApiServer();
  const client = new KubeClient(api.connection());
  try {
    await fn(client, api);
  } finally {
    client.close();
    await api.stop();
  }
}

const machine: KubeObject = {
  apiVersion: "machine.sapcloud.io/v1alpha1",
  kind: "Machine",
  metadata: { name: "shoot-worker-abc", namespace: "default", uid: "uid-1", resourceVersion: "42" },
};

async function events(client: KubeClient, namespace = "default"): Promise<CoreEvent[]> {
  return (await client.list<CoreEvent>(CoreV1.events, { namespace })).items;
}

Deno.test("events: repeats are aggregated into one Event whose count and lastTimestamp grow", async () => {
  await withApi(async (client) => {
    const clock = new FakeClock(Date.UTC(2026, 10, 21, 10, 0, 0));
    const rec = new EventRecorder(client, { component: "machine-controller", host: "node-1", clock });
    rec.event(machine, "Normal", "Created", "Created device d-1");
    await rec.flush();
    await clock.advance(65_000);
    rec.event(machine, "Normal", "Created", "Created device d-1");
    rec.event(machine, "Normal", "Created", "Created device d-1");
    rec.event(machine, "Warning", "Created", "Created device d-1"); // other type: another Event
    rec.event(machine, "Normal", "Created", "Created device d-2"); // other message: another Event
    await rec.flush();
    const all = await events(client);
    assert.equal(all.length, 3);
    const agg = all.find((e) => e.type === "Normal" && e.message === "Created device d-1")!;
    assert.equal(agg.count, 3);
    assert.equal(agg.firstTimestamp, "2026-11-21T10:00:00Z");
    assert.equal(agg.lastTimestamp, "2026-11-21T10:01:05Z");
    assert.match(agg.metadata.name!, /^shoot-worker-abc\.[0-9a-f]{16}$/);
    assert.deepEqual(agg.involvedObject, {
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "Machine",
      name: "shoot-worker-abc",
      namespace: "default",
      uid: "uid-1",
      resourceVersion: "42",
    });
    assert.deepEqual(agg.source, { component: "machine-controller", host: "node-1" });
    assert.equal(agg.reportingComponent, "machine-controller");
    assert.equal(agg.reason, "Created");
    assert.equal(new Set(all.map((e) => e.metadata.name)).size, 3, "distinct names");
  });
});

Deno.test("events: errors that differ only in a request id are combined after ten, not one Event each", async () => {
  await withApi(async (client) => {
    const clock = new FakeClock(Date.UTC(2026, 10, 21, 10, 0, 0));
    const rec = new EventRecorder(client, { component: "machine-controller", clock });
    for (let i = 0; i < 13; i++) {
      rec.event(machine, "Warning", "CreateFailed", `Metal API 401 (request id r-${i})`);
      await clock.advance(4_000);
    }
    rec.event(machine, "Warning", "CreateFailed", "Metal API 401 (request id r-3)"); // seen before: its own Event
    await rec.flush();
    const all = await events(client);
    assert.equal(all.length, 11, "ten Events of their own, then one combined Event");
    const combined = all.filter((e) => e.message.startsWith(COMBINED_PREFIX));
    assert.equal(combined.length, 1);
    assert.equal(combined[0].count, 3);
    assert.equal(combined[0].message, `${COMBINED_PREFIX}Metal API 401 (request id r-12)`);
    assert.equal(all.find((e) => e.message.endsWith("r-3)") && !e.message.startsWith(COMBINED_PREFIX))!.count, 2);

    // After ten minutes the window starts again: a new message gets an Event of its own.
    await clock.advance(10 * 60_000);
    rec.event(machine, "Warning", "CreateFailed", "Metal API 401 (request id r-99)");
    await rec.flush();
    assert.ok((await events(client)).some((e) => e.message === "Metal API 401 (request id r-99)"));
  });
});

Deno.test("events: messages are redacted and truncated; cluster-scoped objects report into default", async () => {
  await withApi(async (client) => {
    const secret = "metal-api-token-9f8e7d6c5b4a";
    registerSecret(secret);
    try {
      const rec = new EventRecorder(client, { component: "test" });
      const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "n1", uid: "node-uid" } };
      rec.event(node, "Warning", "CreateFailed", `API rejected token ${secret}: ${"x".repeat(3000)}`);
      await rec.flush();
      const [ev] = await events(client, "default");
      assert.ok(!ev.message.includes(secret), "the token never reaches the Event");
      assert.match(ev.message, /^API rejected token \[REDACTED\]: x+\.\.\.$/);
      assert.equal(ev.message.length, MAX_MESSAGE_LENGTH);
      assert.equal(ev.involvedObject.kind, "Node");
    } finally {
      forgetSecret(secret);
    }
  });
});

Deno.test("events: failures are logged, never thrown; a vanished Event is created again", async () => {
  await withApi(async (client, api) => {
    const logs = captureLogs();
    try {
      const rec = new EventRecorder(client, { component: "test" });
      api.faults.add({ verb: "create", resource: "events", status: 500, times: 1 });
      assert.doesNotThrow(() => rec.event(machine, "Normal", "Lost", "first try fails"));
      await rec.flush();
      assert.equal((await events(client)).length, 0);
      assert.ok(logs.lines.some((l) => l.includes("Could not record event")));

      rec.event(machine, "Normal", "Again", "m");
      await rec.flush();
      const [ev] = await events(client);
      await client.delete(CoreV1.events, ev.metadata.name!, { namespace: "default" }); // TTL expiry on a real server
      rec.event(machine, "Normal", "Again", "m");
      await rec.flush();
      const after = await events(client);
      assert.equal(after.length, 1);
      assert.equal(after[0].count, 1, "a new Event, not a patch of the vanished one");
      assert.notEqual(after[0].metadata.name, ev.metadata.name);

      // An object without a name still does not throw.
      assert.doesNotThrow(() => rec.event({ metadata: {} }, "Normal", "X", "y"));
      await rec.flush();
    } finally {
      logs.restore();
    }
  });
});
