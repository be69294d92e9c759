/**
 * Leader election against the fake API server. Candidates run on a FakeClock (the client's request timeouts on the
 * real clock), and the test steps the clock only while no lease request is in flight, so lease times and handover
 * points are exact in fake time however slow the machine is.
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import type { NamespaceOption, WriteOptions } from "../../../src/k8s/client/client.ts";
import {
  LeaderElectionLostError,
  LeaderElector,
  microTime,
  runLeaderElection,
} from "../../../src/k8s/controller/leader_election.ts";
import type { Lease } from "../../../src/k8s/api/builtin_types.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { CoordinationV1, type ResourceType } from "../../../src/k8s/api/resources.ts";
import { FakeClock, yieldToEventLoop } from "../../../src/runtime/clock.ts";
import { type ApiServer, startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { eventually } from "../../support/eventually.ts";

const LEASE_MS = 15_000;
const RENEW_MS = 10_000;
const RETRY_MS = 2_000;

/** Counts requests in flight, so the test knows when every candidate is parked in a sleep. */
class TrackingClient extends KubeClient {
  inflight = 0;
  private async track<T>(p: Promise<T>): Promise<T> {
    this.inflight++;
    try {
      return await p;
    } finally {
      this.inflight--;
    }
  }
  override get<T extends KubeObject>(
    res: ResourceType,
    name: string,
    opts?: NamespaceOption & { signal?: AbortSignal },
  ) {
    return this.track(super.get<T>(res, name, opts));
  }
  override create<T extends KubeObject>(res: ResourceType, obj: T, opts?: WriteOptions) {
    return this.track(super.create<T>(res, obj, opts));
  }
  override update<T extends KubeObject>(res: ResourceType, obj: T, opts?: WriteOptions) {
    return this.track(super.update<T>(res, obj, opts));
  }
}

interface Harness {
  api: ApiServer;
  clock: FakeClock;
  client: TrackingClient;
  /** Steps fake time timer by timer (I/O settled in between) until `done()` or `maxMs` passed. */
  runUntil(done: () => boolean, maxMs: number): Promise<void>;
  /** Steps fake time for `ms` (timer by timer, I/O settled in between). */
  runFor(ms: number): Promise<void>;
  lease(): Promise<Lease>;
}

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const api = await startApiServer({ bookmarkIntervalMs: 60_000 });
  const clock = new FakeClock();
  const client = new TrackingClient(api.connection());
  const reader = new KubeClient(api.connection());
  const quiet = async () => {
    await eventually(() => client.inflight === 0, { description: "lease requests settled" });
    for (let i = 0; i < 3; i++) await yieldToEventLoop();
  };
  const h: Harness = {
    api,
    clock,
    client,
    async runUntil(done, maxMs) {
      const end = clock.now() + maxMs;
      await quiet();
      while (!done()) {
        const next = clock.nextDue();
        if (next === undefined || next > end) throw new Error(`condition not reached within ${maxMs} ms of fake time`);
        await clock.advance(Math.max(0, next - clock.now()));
        await quiet();
      }
    },
    async runFor(ms) {
      const end = clock.now() + ms;
      await quiet();
      for (;;) {
        const next = clock.nextDue();
        if (next === undefined || next > end) break;
        await clock.advance(Math.max(0, next - clock.now()));
        await quiet();
      }
      await clock.advance(end - clock.now());
      await quiet();
    },
    lease: () => reader.get<Lease>(CoordinationV1.leases, "le-test", { namespace: "default" }),
  };
  try {
    await fn(h);
  } finally {
    client.close();
    reader.close();
    await api.stop();
  }
}

function candidate(h: Harness, identity: string, extra: { releaseOnCancel?: boolean } = {}) {
  const stop = new AbortController();
  const state = {
    leading: false,
    leaderAbortedAt: undefined as number | undefined,
    startedAt: undefined as number | undefined,
  };
  const done = runLeaderElection(
    {
      client: h.client,
      namespace: "default",
      name: "le-test",
      identity,
      leaseDurationMs: LEASE_MS,
      renewDeadlineMs: RENEW_MS,
      retryPeriodMs: RETRY_MS,
      clock: h.clock,
      ...extra,
    },
    stop.signal,
    async (leaderSignal) => {
      state.leading = true;
      state.startedAt = h.clock.now();
      await new Promise<void>((r) => leaderSignal.addEventListener("abort", () => r(), { once: true }));
      state.leaderAbortedAt = h.clock.now();
      state.leading = false;
    },
  );
  const outcome = done.then(() => "resolved", (e) => e);
  return { stop, state, outcome };
}

Deno.test("leader election: acquire creates the lease; renewals advance renewTime; release hands over at once", async () => {
  await withHarness(async (h) => {
    const a = candidate(h, "candidate-a");
    await h.runUntil(() => a.state.leading, 1);
    let lease = await h.lease();
    assert.equal(lease.spec?.holderIdentity, "candidate-a");
    assert.equal(lease.spec?.leaseDurationSeconds, 15);
    assert.equal(lease.spec?.leaseTransitions, 0);
    assert.equal(lease.spec?.acquireTime, microTime(h.clock.now()));
    const acquiredAt = h.clock.now();

    const b = candidate(h, "candidate-b");
    await h.runFor(30_000); // 30 s of renewals: b must keep waiting
    assert.equal(b.state.leading, false);
    lease = await h.lease();
    assert.equal(lease.spec?.holderIdentity, "candidate-a");
    assert.equal(lease.spec?.acquireTime, microTime(acquiredAt), "acquireTime kept while renewing");
    assert.ok(Date.parse(lease.spec!.renewTime!) >= h.clock.now() - RETRY_MS, "renewed every retry period");

    const releasedAt = h.clock.now();
    a.stop.abort();
    assert.equal(await a.outcome, "resolved");
    lease = await h.lease();
    assert.equal(lease.spec?.holderIdentity, undefined, "holderIdentity cleared on release");
    await h.runUntil(() => b.state.leading, LEASE_MS);
    assert.ok(h.clock.now() - releasedAt <= RETRY_MS * 1.2, "took over within one retry period, not a lease duration");
    lease = await h.lease();
    assert.equal(lease.spec?.holderIdentity, "candidate-b");
    assert.equal(lease.spec?.leaseTransitions, 1);
    b.stop.abort();
    assert.equal(await b.outcome, "resolved");
  });
});

Deno.test("leader election: a crashed leader (no release) is replaced once the lease expired, not before", async () => {
  await withHarness(async (h) => {
    const a = candidate(h, "crashing-a", { releaseOnCancel: false });
    await h.runUntil(() => a.state.leading, 1);
    const b = candidate(h, "waiting-b");
    await h.runFor(6_000);
    a.stop.abort(); // stops renewing and does not release: a crash as far as the lease is concerned
    assert.equal(await a.outcome, "resolved");
    const lastRenew = Date.parse((await h.lease()).spec!.renewTime!);
    assert.equal((await h.lease()).spec?.holderIdentity, "crashing-a");
    await h.runUntil(() => b.state.leading, 3 * LEASE_MS);
    const takeover = h.clock.now() - lastRenew;
    assert.ok(takeover >= LEASE_MS, `not before the lease expired (took over ${takeover} ms after the last renew)`);
    assert.ok(takeover <= LEASE_MS + 2 * RETRY_MS * 1.2, `soon after it expired (${takeover} ms)`);
    const lease = await h.lease();
    assert.equal(lease.spec?.holderIdentity, "waiting-b");
    assert.equal(lease.spec?.leaseTransitions, 1);
    b.stop.abort();
    await b.outcome;
  });
});

Deno.test("leader election: failing renewals stop the leader after renewDeadline, before the lease could expire", async () => {
  await withHarness(async (h) => {
    const a = candidate(h, "doomed-a");
    await h.runUntil(() => a.state.leading, 1);
    await h.runFor(4_000);
    const lastRenew = Date.parse((await h.lease()).spec!.renewTime!);
    h.api.faults.add({ verb: "update", resource: "leases", status: 503 });
    await h.runUntil(() => a.state.leaderAbortedAt !== undefined, LEASE_MS);
    const stoppedAfter = a.state.leaderAbortedAt! - lastRenew;
    assert.ok(stoppedAfter >= RENEW_MS, `kept leading until the renew deadline (${stoppedAfter} ms)`);
    assert.ok(stoppedAfter < LEASE_MS, `stopped before anyone else could acquire (${stoppedAfter} ms)`);
    const outcome = await a.outcome;
    assert.ok(outcome instanceof LeaderElectionLostError, `rejects with LeaderElectionLostError, got ${outcome}`);
    assert.match((outcome as Error).message, /lease le-test could not be renewed by doomed-a/);
  });
});

Deno.test("leader election: a hanging API server cannot extend leadership past the renew deadline", async () => {
  await withHarness(async (h) => {
    const a = candidate(h, "slow-a");
    await h.runUntil(() => a.state.leading, 1);
    const lastRenew = Date.parse((await h.lease()).spec!.renewTime!);
    // The next lease read hangs (in real time) while fake time reaches the renew deadline: only the elector's
    // deadline timer can end the attempt.
    h.api.faults.add({ verb: "get", resource: "leases", latencyMs: 300, times: 1 });
    await h.clock.advance(RETRY_MS); // the renew attempt starts and hangs
    await eventually(() => h.client.inflight === 1);
    await h.clock.advance(RENEW_MS - RETRY_MS); // the attempt's deadline
    await eventually(() => a.state.leaderAbortedAt !== undefined, { description: "leader stopped" });
    assert.equal(a.state.leaderAbortedAt! - lastRenew, RENEW_MS);
    assert.ok((await a.outcome) instanceof LeaderElectionLostError);
  });
});

Deno.test("leader election: invalid timings and a failing lead function", async () => {
  const client = new KubeClient({ server: "http://127.0.0.1:1" });
  assert.throws(
    () => new LeaderElector({ client, namespace: "n", name: "l", leaseDurationMs: 5_000, renewDeadlineMs: 5_000 }),
    /leaseDurationMs must be greater than renewDeadlineMs/,
  );
  assert.throws(
    () => new LeaderElector({ client, namespace: "n", name: "l", renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }),
    /renewDeadlineMs must be greater than 1.2 × retryPeriodMs/,
  );
  await assert.rejects(
    runLeaderElection({ client, namespace: "", name: "l" }, new AbortController().signal, () => Promise.resolve()),
    /namespace and name are required/,
  );
  const id = new LeaderElector({ client, namespace: "n", name: "l" }).identity;
  assert.match(id, /^.+_[0-9a-f-]{36}$/, "hostname_uuid");

  await withHarness(async (h) => {
    const stop = new AbortController();
    const result = runLeaderElection(
      { client: h.client, namespace: "default", name: "le-test", identity: "failing", clock: h.clock },
      stop.signal,
      () => Promise.reject(new Error("lead failed")),
    );
    await assert.rejects(result, /lead failed/);
    assert.equal((await h.lease()).spec?.holderIdentity, "failing", "not released: work may still be running");
  });
});
