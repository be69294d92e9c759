/** The supervisor of our components (restarts) and the /proc reading used to measure subprocesses. */
import assert from "node:assert/strict";
import {
  type ComponentInstance,
  readProcessUsage,
  type StopMode,
  Supervisor,
} from "../../src/playground/components.ts";
import { getLogger } from "../../src/observability/log.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { faultsFromFlags } from "../../src/cli/playground.ts";

configureLogging({ level: "error" });

class FakeInstance implements ComponentInstance {
  readonly stops: StopMode[] = [];
  cpu = 0;
  private end = Promise.withResolvers<string>();
  readonly done = this.end.promise;
  constructor(readonly generation: number) {}
  exit(why: string) {
    this.end.resolve(why);
  }
  usage() {
    return { cpuSeconds: this.cpu, peakRssBytes: 100 * this.generation };
  }
  stop(mode: StopMode): Promise<void> {
    this.stops.push(mode);
    this.end.resolve(`stopped (${mode})`);
    return Promise.resolve();
  }
}

async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

Deno.test("supervisor: restarts on request (crash or graceful) and after an unexpected stop; stop() ends it for good", async () => {
  const clock = new FakeClock();
  const instances: FakeInstance[] = [];
  const s = new Supervisor(
    "component",
    (gen) => {
      const i = new FakeInstance(gen);
      instances.push(i);
      return Promise.resolve(i);
    },
    clock,
    getLogger("test"),
  );
  await s.start();
  assert.equal(s.current, instances[0]);
  instances[0].cpu = 1;
  await s.restart("crash");
  assert.deepEqual(instances[0].stops, ["crash"]);
  assert.equal(s.current, instances[1]);
  assert.equal(instances[1].generation, 2);
  // It stops on its own (e.g. lost its lease): restarted after a second, like a container.
  instances[1].cpu = 2;
  instances[1].exit("stopped (leadership-lost)");
  await settle();
  assert.equal(s.current, undefined);
  await clock.advance(1000);
  await settle();
  assert.equal(s.current, instances[2]);
  assert.equal(s.restarts, 2);
  instances[2].cpu = 4;
  assert.deepEqual(s.usage(), { cpuSeconds: 7, peakRssBytes: 300 }, "CPU of every instance, the largest peak");
  await s.stop();
  assert.deepEqual(instances[2].stops, ["graceful"]);
  await s.restart("crash");
  await clock.advance(5000);
  await settle();
  assert.equal(instances.length, 3, "no restart after stop()");
  // gardenlet deploys machine-controller-manager again for a re-created shoot: start() after stop() works.
  await s.start();
  assert.equal(s.current, instances[3]);
  await s.start();
  assert.equal(instances.length, 4, "start() with a running instance starts no second one");
  await s.stop();
  assert.equal(clock.pending(), 0);
});

Deno.test("readProcessUsage reads CPU seconds and peak RSS from /proc; undefined for a process that does not exist", () => {
  const u = readProcessUsage(Deno.pid)!;
  assert.ok(u.cpuSeconds > 0 && u.peakRssBytes > 10 * 1024 * 1024, JSON.stringify(u));
  assert.equal(readProcessUsage(2 ** 22 + 12345), undefined);
});

Deno.test("fault flags map onto fault options; none set gives none", () => {
  assert.equal(faultsFromFlags({}), undefined);
  assert.deepEqual(
    faultsFromFlags({
      metalLostResponses: 10,
      metalServerErrors: 5,
      metalLateCommits: 10,
      metal429Bursts: { everyMs: 20_000, size: 5 },
      apiserverConflicts: 5,
      apiserverWatchDrops: 30,
      apiserverGone: 60,
      restarts: 45,
      restartMode: "mixed",
    }),
    {
      metal: {
        lostResponsePercent: 10,
        serverErrorPercent: 5,
        lateCommitPercent: 10,
        rateLimitBursts: { everyMs: 20_000, size: 5 },
      },
      apiServers: { conflictPercent: 5, watchDropEveryMs: 30_000, goneEveryMs: 60_000 },
      restarts: { everyMs: 45_000, mode: "mixed" },
    },
  );
  assert.deepEqual(faultsFromFlags({ metalLateCommits: 20 }), {
    metal: {
      lostResponsePercent: undefined,
      serverErrorPercent: undefined,
      lateCommitPercent: 20,
      rateLimitBursts: undefined,
    },
  });
});
