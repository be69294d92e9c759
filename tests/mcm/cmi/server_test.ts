/**
 * The CMI server over an in-test fake driver: request translation, status codes, required fields, identity, secrets
 * kept out of logs, unix sockets and graceful shutdown. (Cross-process calls against the real driver are in
 * cmi_process_test.ts.)
 */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import { startCmiServer } from "../../../src/mcm/cmi/server.ts";
import { CMI_PLUGIN_NAME } from "../../../src/mcm/cmi/identity_service.ts";
import { PluginCapability_RPC_Type } from "../../../src/mcm/cmi/gen/cmi_pb.ts";
import {
  type Driver,
  type GetVolumeIDsRequest,
  type ListMachinesRequest,
  type MachineCode,
  MachineCodes,
  MachineError,
  type MachineRequest,
} from "../../../src/mcm/driver/driver.ts";
import { captureLogs } from "../../../src/observability/log.ts";
import { connectCmi } from "./cmi_client.ts";

const enc = new TextEncoder();
const SPEC = enc.encode(JSON.stringify({ metro: "ny", projectID: "p" }));
const TOKEN = "fake-token-0123456789abcdef";
const USER_DATA = "#cloud-config\nbootstrap-token: abcdef.0123456789abcdef\n";

/** Records every call; `fail` makes the next calls throw the given error. */
class FakeDriver implements Driver {
  calls: Array<{ op: string; req: MachineRequest | ListMachinesRequest | GetVolumeIDsRequest }> = [];
  fail?: unknown;
  /** Resolves the pending createMachine call when set (to test draining). */
  gate?: Promise<void>;

  private check() {
    if (this.fail) throw this.fail;
  }
  async createMachine(req: MachineRequest) {
    this.calls.push({ op: "create", req });
    await this.gate;
    this.check();
    return { providerID: `equinixmetal://ny/${req.machine.name}-id`, nodeName: req.machine.name, lastKnownState: "s1" };
  }
  deleteMachine(req: MachineRequest) {
    this.calls.push({ op: "delete", req });
    this.check();
    return Promise.resolve({ lastKnownState: "deleted" });
  }
  getMachineStatus(req: MachineRequest) {
    this.calls.push({ op: "status", req });
    this.check();
    return Promise.resolve({ providerID: req.machine.providerID ?? "", nodeName: req.machine.name });
  }
  listMachines(req: ListMachinesRequest) {
    this.calls.push({ op: "list", req });
    this.check();
    return Promise.resolve({ machineList: { "equinixmetal://ny/1": "m1", "equinixmetal://ny/2": "m2" } });
  }
  getVolumeIDs(req: GetVolumeIDsRequest) {
    this.calls.push({ op: "volumes", req });
    this.check();
    return Promise.resolve({ volumeIDs: [] });
  }
  initializeMachine(): Promise<never> {
    return Promise.reject(new MachineError("Unimplemented", "no initialization"));
  }
}

class ShutDownDriver extends FakeDriver {
  shutDownMachine(req: MachineRequest) {
    this.calls.push({ op: "shutdown", req });
    return Promise.resolve({ lastKnownState: "off" });
  }
}

async function withServer(
  driver: Driver,
  fn: (c: ReturnType<typeof connectCmi>) => Promise<void>,
  endpoint = "tcp://127.0.0.1:0",
) {
  const server = await startCmiServer({ driver, endpoint });
  const client = connectCmi(server.endpoint);
  try {
    await fn(client);
  } finally {
    client.close();
    await server.close();
  }
}

function isCode(code: Code, message?: RegExp) {
  return (err: unknown) => {
    ok(err instanceof ConnectError, `expected a ConnectError, got ${err}`);
    assertEquals(Code[err.code], Code[code], `message: ${err.rawMessage}`);
    if (message) ok(message.test(err.rawMessage), `message ${JSON.stringify(err.rawMessage)} !~ ${message}`);
    assertEquals(err.details.length, 0);
    return true;
  };
}

Deno.test("CreateMachine maps name, spec bytes and UTF-8 secrets onto the driver request", async () => {
  const driver = new FakeDriver();
  await withServer(driver, async (c) => {
    const res = await c.machine.createMachine({
      MachineName: "shoot--p--c-worker-a1b2c",
      ProviderSpec: SPEC,
      Secrets: { apiToken: enc.encode(TOKEN), userData: enc.encode(USER_DATA) },
      LastKnownState: enc.encode("before"),
    });
    assertEquals(res.ProviderID, "equinixmetal://ny/shoot--p--c-worker-a1b2c-id");
    assertEquals(res.NodeName, "shoot--p--c-worker-a1b2c");
    assertEquals(new TextDecoder().decode(res.LastKnownState), "s1");
  });
  const req = driver.calls[0].req as MachineRequest;
  assertEquals(req.machine.name, "shoot--p--c-worker-a1b2c");
  assertEquals(req.machine.lastKnownState, "before");
  assertEquals(req.machineClass.provider, "EquinixMetal");
  assertEquals(new TextDecoder().decode(req.machineClass.providerSpec as Uint8Array), new TextDecoder().decode(SPEC));
  assertEquals(req.secret, { apiToken: TOKEN, userData: USER_DATA });
  ok(req.signal instanceof AbortSignal);
});

Deno.test("every machine code travels as the gRPC code of the same number; Uninitialized as UNKNOWN", async () => {
  const driver = new FakeDriver();
  await withServer(driver, async (c) => {
    for (const name of MachineCodes) {
      if (name === "OK") continue;
      driver.fail = new MachineError(name as MachineCode, `failure ${name}`);
      const expected = name === "Uninitialized" ? Code.Unknown : Code[name as keyof typeof Code];
      const msg = name === "Uninitialized" ? /^Uninitialized: failure Uninitialized$/ : new RegExp(`^failure ${name}$`);
      await rejects(c.machine.getMachineStatus({ MachineName: "m", ProviderID: "x" }), isCode(expected, msg));
    }
  });
});

Deno.test("a non-MachineError from the driver is UNKNOWN, not a crash", async () => {
  const driver = new FakeDriver();
  driver.fail = new TypeError("boom");
  await withServer(driver, async (c) => {
    await rejects(c.machine.listMachines({ ProviderSpec: SPEC }), isCode(Code.Unknown, /boom/));
    // the server still serves
    driver.fail = undefined;
    const res = await c.machine.listMachines({ ProviderSpec: SPEC });
    assertEquals(res.MachineList, { "equinixmetal://ny/1": "m1", "equinixmetal://ny/2": "m2" });
  });
});

Deno.test("missing required fields are INVALID_ARGUMENT naming the field; the driver is not called", async () => {
  const driver = new FakeDriver();
  await withServer(driver, async (c) => {
    await rejects(
      c.machine.createMachine({ MachineName: "", ProviderSpec: SPEC }),
      isCode(Code.InvalidArgument, /CreateMachineRequest\.MachineName: Required value/),
    );
    await rejects(
      c.machine.createMachine({ MachineName: "m" }),
      isCode(Code.InvalidArgument, /CreateMachineRequest\.ProviderSpec: Required value/),
    );
    await rejects(
      c.machine.deleteMachine({ MachineName: " " }),
      isCode(Code.InvalidArgument, /DeleteMachineRequest\.MachineName/),
    );
    await rejects(
      c.machine.getMachineStatus({}),
      isCode(Code.InvalidArgument, /GetMachineStatusRequest\.MachineName/),
    );
    await rejects(c.machine.listMachines({}), isCode(Code.InvalidArgument, /ListMachinesRequest\.ProviderSpec/));
    await rejects(
      c.machine.createMachine({ MachineName: "m", ProviderSpec: SPEC, Secrets: { apiToken: new Uint8Array([0xff]) } }),
      isCode(Code.InvalidArgument, /Secrets\["apiToken"\]: value is not valid UTF-8/),
    );
    await rejects(
      c.machine.getVolumeIDs({ PVSpecList: enc.encode("{") }),
      isCode(Code.InvalidArgument, /PVSpecList: not valid JSON/),
    );
    await rejects(
      c.machine.getVolumeIDs({ PVSpecList: enc.encode("{}") }),
      isCode(Code.InvalidArgument, /PVSpecList: expected a JSON list/),
    );
  });
  assertEquals(driver.calls, []);
});

Deno.test("Delete, GetMachineStatus, List and GetVolumeIDs pass their fields through", async () => {
  const driver = new FakeDriver();
  await withServer(driver, async (c) => {
    const del = await c.machine.deleteMachine({ MachineName: "m", ProviderID: "equinixmetal://ny/abc" });
    assertEquals(new TextDecoder().decode(del.LastKnownState), "deleted");
    const st = await c.machine.getMachineStatus({ MachineName: "m", ProviderID: "equinixmetal://ny/abc" });
    assertEquals([st.ProviderID, st.NodeName], ["equinixmetal://ny/abc", "m"]);
    const vols = await c.machine.getVolumeIDs({ PVSpecList: enc.encode(JSON.stringify([{ csi: { driver: "x" } }])) });
    assertEquals(vols.VolumeIDs, []);
    assertEquals((await c.machine.getVolumeIDs({})).VolumeIDs, []);
  });
  assertEquals(driver.calls.map((c) => c.op), ["delete", "status", "volumes", "volumes"]);
  assertEquals((driver.calls[0].req as MachineRequest).machine.providerID, "equinixmetal://ny/abc");
  assertEquals((driver.calls[2].req as GetVolumeIDsRequest).pvSpecs, [{ csi: { driver: "x" } }]);
});

Deno.test("identity: plugin name and version, capabilities per driver, probe ready", async () => {
  await withServer(new FakeDriver(), async (c) => {
    const info = await c.identity.getPluginInfo({});
    assertEquals(info.name, CMI_PLUGIN_NAME);
    ok(info.name.length <= 63 && /^[a-zA-Z0-9]([-.a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(info.name));
    ok(/^\d+\.\d+\.\d+/.test(info.version), info.version);
    const caps = await c.identity.getPluginCapabilities({});
    const types = caps.capabilities.map((cap) => cap.type.case === "rpc" ? cap.type.value.type : -1);
    assertEquals(types, [
      PluginCapability_RPC_Type.CREATE_MACHINE,
      PluginCapability_RPC_Type.DELETE_MACHINE,
      PluginCapability_RPC_Type.GET_MACHINE_STATUS,
      PluginCapability_RPC_Type.LIST_MACHINES,
      PluginCapability_RPC_Type.GET_VOLUME_IDS,
    ]);
    assertEquals((await c.identity.probe({})).ready, true);
    await rejects(c.machine.shutDownMachine({ MachineName: "m" }), isCode(Code.Unimplemented));
  });
  await withServer(new ShutDownDriver(), async (c) => {
    const caps = await c.identity.getPluginCapabilities({});
    ok(caps.capabilities.some((cap) => cap.type.value?.type === PluginCapability_RPC_Type.SHUTDOWN_MACHINE));
    const res = await c.machine.shutDownMachine({ MachineName: "m", ProviderID: "equinixmetal://ny/x" });
    assertEquals(new TextDecoder().decode(res.LastKnownState), "off");
  });
});

Deno.test("secrets never reach the log, even when a driver error echoes them", async () => {
  const driver = new FakeDriver();
  const logs = captureLogs();
  try {
    await withServer(driver, async (c) => {
      const { registerSecret, forgetSecret } = await import("../../../src/observability/redact.ts");
      registerSecret(TOKEN);
      try {
        driver.fail = new MachineError("Unauthenticated", `token ${TOKEN} rejected`);
        await rejects(
          c.machine.createMachine({ MachineName: "m", ProviderSpec: SPEC, Secrets: { apiToken: enc.encode(TOKEN) } }),
          (err: unknown) => err instanceof ConnectError && !err.rawMessage.includes(TOKEN),
        );
      } finally {
        forgetSecret(TOKEN);
      }
    });
  } finally {
    logs.restore();
  }
  const text = logs.lines.join("\n");
  ok(text.includes("Machine/CreateMachine"), "the failed call is logged");
  ok(!text.includes(TOKEN), "token must not be logged");
  ok(!text.includes("bootstrap-token"), "user data must not be logged");
});

Deno.test("unix socket: serves, replaces a stale socket, refuses a regular file, removes the socket on close", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/cmi.sock`;
    // a stale socket left by a crashed process
    const stale = Deno.listen({ transport: "unix", path });
    stale.close();
    await withServer(new FakeDriver(), async (c) => {
      assertEquals((await c.identity.probe({})).ready, true);
    }, `unix://${path}`);
    await rejects(Deno.lstat(path), Deno.errors.NotFound);

    const file = `${dir}/not-a-socket`;
    await Deno.writeTextFile(file, "keep me");
    await rejects(
      startCmiServer({ driver: new FakeDriver(), endpoint: `unix://${file}` }),
      /exists and is not a socket/,
    );
    assertEquals(await Deno.readTextFile(file), "keep me");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("close() lets a running call finish before the server stops", async () => {
  const driver = new FakeDriver();
  let release!: () => void;
  driver.gate = new Promise((r) => (release = r));
  const server = await startCmiServer({ driver, endpoint: "tcp://127.0.0.1:0" });
  const client = connectCmi(server.endpoint);
  try {
    const call = client.machine.createMachine({ MachineName: "m", ProviderSpec: SPEC });
    while (driver.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 20));
    assertEquals(closed, false, "server must wait for the running call");
    release();
    const res = await call;
    assertEquals(res.NodeName, "m");
    await closing;
  } finally {
    client.close();
  }
});

Deno.test("calls arriving while the server drains are refused with UNAVAILABLE (retryable)", async () => {
  const driver = new FakeDriver();
  let release!: () => void;
  driver.gate = new Promise((r) => (release = r));
  const server = await startCmiServer({ driver, endpoint: "tcp://127.0.0.1:0" });
  const client = connectCmi(server.endpoint);
  try {
    const first = client.machine.createMachine({ MachineName: "m1", ProviderSpec: SPEC });
    while (driver.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    const closing = server.close();
    await rejects(
      client.machine.createMachine({ MachineName: "m2", ProviderSpec: SPEC }),
      isCode(Code.Unavailable, /shutting down/),
    );
    release();
    assertEquals((await first).NodeName, "m1");
    await closing;
    assertEquals(driver.calls.map((c) => (c.req as MachineRequest).machine.name), ["m1"]);
  } finally {
    client.close();
  }
});

Deno.test("close() gives up on a call that outlives the drain timeout", async () => {
  const driver = new FakeDriver();
  let release!: () => void;
  driver.gate = new Promise((r) => (release = r));
  const server = await startCmiServer({ driver, endpoint: "tcp://127.0.0.1:0", drainTimeoutMs: 30 });
  const client = connectCmi(server.endpoint);
  try {
    const abort = new AbortController();
    const call = client.machine.createMachine({ MachineName: "m", ProviderSpec: SPEC }, { signal: abort.signal });
    while (driver.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    await server.close(); // resolves although the call never finishes
    // Deno's http2 does not tell the client that the stream was cut; the client gives up on its own.
    abort.abort();
    await rejects(call, (err: unknown) => err instanceof ConnectError);
    const port = Number(server.endpoint.split(":").pop());
    await rejects(Deno.connect({ hostname: "127.0.0.1", port }), Deno.errors.ConnectionRefused);
  } finally {
    release();
    client.close();
  }
});

Deno.test("a second create/delete for a machine with an operation in progress is ABORTED; others proceed", async () => {
  const driver = new FakeDriver();
  let release!: () => void;
  driver.gate = new Promise((r) => (release = r));
  await withServer(driver, async (c) => {
    const first = c.machine.createMachine({ MachineName: "m1", ProviderSpec: SPEC });
    while (driver.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    await rejects(
      c.machine.createMachine({ MachineName: "m1", ProviderSpec: SPEC }),
      isCode(Code.Aborted, /operation for machine "m1" is already in progress/),
    );
    await rejects(c.machine.deleteMachine({ MachineName: "m1" }), isCode(Code.Aborted));
    // reads and other machines are not blocked
    assertEquals((await c.machine.getMachineStatus({ MachineName: "m1", ProviderID: "p" })).NodeName, "m1");
    assertEquals(
      new TextDecoder().decode((await c.machine.deleteMachine({ MachineName: "m2" })).LastKnownState),
      "deleted",
    );
    release();
    assertEquals((await first).NodeName, "m1");
    assertEquals((await c.machine.createMachine({ MachineName: "m1", ProviderSpec: SPEC })).NodeName, "m1");
  });
});
