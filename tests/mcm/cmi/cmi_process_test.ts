/**
 * The CMI server as a separate process (`provider-equinix-metal cmi`), driven by clients in other processes: connect's
 * gRPC transport in this test process, and Python grpcio in tests of their own. The Metal API is the simulator, served
 * over loopback HTTP from this process. Every RPC is called over TCP and over a unix socket and must answer with the
 * documented code.
 *
 * The Python client needs `/usr/bin/python3` with grpcio and protobuf (Debian: python3-grpcio; `CMI_INTEROP_PYTHON`
 * names another interpreter). Where it cannot `import grpc` the Python tests are ignored, with that reason in their
 * name. No protoc: the client builds its message classes from the file descriptor embedded in the generated code.
 */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { MetalSimulator } from "../../../src/sim/metal/mod.ts";
import { CMI_PLUGIN_NAME } from "../../../src/mcm/cmi/identity_service.ts";
import { file_cmi, PluginCapability_RPC_Type } from "../../../src/mcm/cmi/gen/cmi_pb.ts";
import { toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { testUnless } from "../../support/needs.ts";
import { connectCmi } from "./cmi_client.ts";
import { cliCommand } from "../../../src/playground/components.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const enc = new TextEncoder();
const dec = new TextDecoder();
const CLUSTER_TAG = "kubernetes.io/cluster/shoot--dev--cmi";
const ROLE_TAG = "kubernetes.io/role/node";
const USER_DATA = "#cloud-config\nbootstrap: abcdef.0123456789abcdef\n";
const UNKNOWN_DEVICE = "equinixmetal://ny/0b1c2d3e-0000-4000-8000-000000000000";

/** A running `cmi` subprocess. */
interface CmiProcess {
  endpoint: string;
  /** Sends SIGTERM and waits; returns the exit code and everything the process wrote. */
  stop(): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Starts `cmi`; the endpoint goes into `--listen`, or with `viaEnv` into `CMI_ENDPOINT` (the spec's variable). */
async function startCmiProcess(listen: string, metalApiUrl: string, viaEnv = false): Promise<CmiProcess> {
  const listenArgs = viaEnv ? [] : ["--listen", listen];
  const child = new Deno.Command(Deno.execPath(), {
    args: cliCommand(["cmi", ...listenArgs, "--metal-api-url", metalApiUrl]),
    env: viaEnv ? { CMI_ENDPOINT: listen } : {},
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  const deadline = Date.now() + 30_000;
  let endpoint: string | undefined;
  while (endpoint === undefined) {
    const { value, done } = await reader.read();
    if (done || Date.now() > deadline) {
      child.kill("SIGKILL");
      await child.status;
      throw new Error(`cmi process did not report listening; stdout: ${stdout}\nstderr: ${await stderr}`);
    }
    stdout += value;
    endpoint = /listening: (\S+)\n/.exec(stdout)?.[1];
  }
  const rest = (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) stdout += r.value;
  })();
  return {
    endpoint,
    async stop() {
      child.kill("SIGTERM");
      const status = await child.status;
      await rest;
      return { code: status.code, stdout, stderr: await stderr };
    },
  };
}

interface World {
  sim: MetalSimulator;
  clock: FakeClock;
  url: string;
  spec: Uint8Array;
  secrets: Record<string, Uint8Array>;
  stop(): Promise<void>;
}

async function metalWorld(): Promise<World> {
  const clock = new FakeClock();
  const sim = new MetalSimulator({ clock, randomSeed: 77 });
  const { url, stop } = await sim.serve();
  const spec = enc.encode(JSON.stringify({
    projectID: sim.defaultProjectId,
    metro: "ny",
    machineType: "c3.small.x86",
    billingCycle: "hourly",
    OS: "flatcar_stable",
    tags: [CLUSTER_TAG, ROLE_TAG],
  }));
  const secrets = { apiToken: enc.encode(sim.defaultToken), userData: enc.encode(USER_DATA) };
  return {
    sim,
    clock,
    url,
    spec,
    secrets,
    stop: async () => {
      sim.close();
      await stop();
    },
  };
}

function isCode(code: Code, message?: RegExp) {
  return (err: unknown) => {
    ok(err instanceof ConnectError, `expected a ConnectError, got ${err}`);
    assertEquals(Code[err.code], Code[code], err.rawMessage);
    if (message) ok(message.test(err.rawMessage), `${JSON.stringify(err.rawMessage)} !~ ${message}`);
    return true;
  };
}

/** Every RPC through connect's gRPC transport. */
async function connectScenario(w: World, endpoint: string, machine: string): Promise<void> {
  const c = connectCmi(endpoint);
  try {
    const { spec, secrets } = w;
    const info = await c.identity.getPluginInfo({});
    assertEquals([info.name, info.version.length > 0], [CMI_PLUGIN_NAME, true]);
    const caps = (await c.identity.getPluginCapabilities({})).capabilities.map((cap) => cap.type.value?.type);
    assertEquals(caps, [
      PluginCapability_RPC_Type.CREATE_MACHINE,
      PluginCapability_RPC_Type.DELETE_MACHINE,
      PluginCapability_RPC_Type.GET_MACHINE_STATUS,
      PluginCapability_RPC_Type.LIST_MACHINES,
      PluginCapability_RPC_Type.SHUTDOWN_MACHINE,
      PluginCapability_RPC_Type.GET_VOLUME_IDS,
    ]);
    assertEquals((await c.identity.probe({})).ready, true);

    // Create (idempotent), status, list.
    const created = await c.machine.createMachine({ MachineName: machine, ProviderSpec: spec, Secrets: secrets });
    ok(created.ProviderID.startsWith("equinixmetal://ny/"), created.ProviderID);
    assertEquals(created.NodeName, machine);
    const again = await c.machine.createMachine({ MachineName: machine, ProviderSpec: spec, Secrets: secrets });
    assertEquals(again.ProviderID, created.ProviderID);
    const status = await c.machine.getMachineStatus({
      MachineName: machine,
      ProviderSpec: spec,
      Secrets: secrets,
      ProviderID: created.ProviderID,
    });
    assertEquals([status.ProviderID, status.NodeName], [created.ProviderID, machine]);
    const list = await c.machine.listMachines({ ProviderSpec: spec, Secrets: secrets });
    assertEquals(list.MachineList[created.ProviderID], machine);
    assertEquals((await c.machine.getVolumeIDs({ PVSpecList: enc.encode("[]") })).VolumeIDs, []);

    // Documented error codes.
    await rejects(
      c.machine.createMachine({ MachineName: "", ProviderSpec: spec, Secrets: secrets }),
      isCode(Code.InvalidArgument, /MachineName/),
    );
    await rejects(
      c.machine.createMachine({ MachineName: `${machine}-x`, ProviderSpec: enc.encode("null"), Secrets: secrets }),
      isCode(Code.InvalidArgument, /providerSpec is null/),
    );
    await rejects(
      c.machine.createMachine({
        MachineName: `${machine}-x`,
        ProviderSpec: spec,
        Secrets: { ...secrets, apiToken: enc.encode("not-a-valid-token-000000000000") },
      }),
      isCode(Code.Unauthenticated),
    );
    await rejects(
      c.machine.getMachineStatus({
        MachineName: machine,
        ProviderSpec: spec,
        Secrets: secrets,
        ProviderID: UNKNOWN_DEVICE,
      }),
      isCode(Code.NotFound),
    );
    w.sim.setCapacity("ny", "c3.small.x86", 0);
    await rejects(
      c.machine.createMachine({ MachineName: `${machine}-full`, ProviderSpec: spec, Secrets: secrets }),
      isCode(Code.ResourceExhausted),
    );
    w.sim.setCapacity("ny", "c3.small.x86", "unlimited");
    // Retry-After beyond the client's retry budget: the driver gives up at once (no waiting in the test).
    const removeFault = w.sim.faults.add({
      method: "GET",
      endpoint: "/devices/{id}",
      status: 503,
      retryAfterSeconds: 600,
      times: 1,
    });
    await rejects(
      c.machine.getMachineStatus({
        MachineName: machine,
        ProviderSpec: spec,
        Secrets: secrets,
        ProviderID: created.ProviderID,
      }),
      isCode(Code.Unavailable),
    );
    removeFault();
    w.sim.failNextCreates(1, "failed");
    const failing = await c.machine.createMachine({
      MachineName: `${machine}-failing`,
      ProviderSpec: spec,
      Secrets: secrets,
    });
    await w.clock.advance(5 * 60_000);
    await rejects(
      c.machine.getMachineStatus({
        MachineName: `${machine}-failing`,
        ProviderSpec: spec,
        Secrets: secrets,
        ProviderID: failing.ProviderID,
      }),
      isCode(Code.FailedPrecondition, /failed provisioning/),
    );

    // Shut down, delete (twice), then NotFound.
    await c.machine.shutDownMachine({
      MachineName: machine,
      ProviderSpec: spec,
      Secrets: secrets,
      ProviderID: created.ProviderID,
    });
    for (const name of [`${machine}-failing`, `${machine}-failing`]) {
      await c.machine.deleteMachine({ MachineName: name, Secrets: secrets, ProviderID: failing.ProviderID });
    }
    await rejects(
      c.machine.getMachineStatus({
        MachineName: `${machine}-failing`,
        ProviderSpec: spec,
        Secrets: secrets,
        ProviderID: failing.ProviderID,
      }),
      isCode(Code.NotFound),
    );
  } finally {
    c.close();
  }
}

// ---- Python grpcio interop ----

const PYTHON = Deno.env.get("CMI_INTEROP_PYTHON") ?? "/usr/bin/python3";

/** Why the Python client cannot run here (undefined when PYTHON imports grpc and protobuf). */
async function pythonMissing(): Promise<string | undefined> {
  let why: string;
  try {
    // Deno.Command throws synchronously when the program does not exist.
    const probe = await new Deno.Command(PYTHON, {
      args: ["-c", "import grpc, google.protobuf"],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (probe.success) return undefined;
    why = dec.decode(probe.stderr).trim().split("\n").at(-1) ?? `exit code ${probe.code}`;
  } catch (e) {
    why = e instanceof Error ? e.message : String(e);
  }
  return `${PYTHON} cannot import grpcio and protobuf (${why}); Debian: apt-get install python3-grpcio`;
}

const PYTHON_MISSING = await pythonMissing();

/** cmi.proto's FileDescriptorProto, as embedded in the generated code, in a temporary file for the Python client. */
async function descriptorFile(dir: string): Promise<string> {
  const path = `${dir}/cmi.desc`;
  await Deno.writeFile(path, toBinary(FileDescriptorProtoSchema, file_cmi.proto));
  return path;
}

interface PyResult {
  code: string;
  message: string;
  // deno-lint-ignore no-explicit-any -- proto JSON of any response message
  response: any;
}

async function runPython(descriptor: string, endpoint: string, calls: unknown[]): Promise<PyResult[]> {
  const target = endpoint.startsWith("tcp://") ? endpoint.slice("tcp://".length) : endpoint;
  const child = new Deno.Command(PYTHON, {
    args: [`${ROOT}tests/mcm/cmi/interop_client.py`, descriptor, target],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(enc.encode(JSON.stringify(calls)));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(`python client failed: ${dec.decode(out.stderr)}`);
  return JSON.parse(dec.decode(out.stdout));
}

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

async function pythonScenario(w: World, descriptor: string, endpoint: string, machine: string, providerID: string) {
  const spec = b64(w.spec);
  const secrets = Object.fromEntries(Object.entries(w.secrets).map(([k, v]) => [k, b64(v)]));
  const m = (method: string, request: Record<string, unknown>) => ({ service: "Machine", method, request });
  const calls = [
    { service: "Identity", method: "GetPluginInfo" },
    { service: "Identity", method: "GetPluginCapabilities" },
    { service: "Identity", method: "Probe" },
    m("CreateMachine", { MachineName: machine, ProviderSpec: spec, Secrets: secrets }),
    m("GetMachineStatus", { MachineName: machine, ProviderSpec: spec, Secrets: secrets, ProviderID: providerID }),
    m("ListMachines", { ProviderSpec: spec, Secrets: secrets }),
    m("GetVolumeIDs", { PVSpecList: b64(enc.encode("[]")) }),
    m("CreateMachine", { MachineName: "", ProviderSpec: spec, Secrets: secrets }),
    m("CreateMachine", {
      MachineName: `${machine}-py`,
      ProviderSpec: spec,
      Secrets: { ...secrets, apiToken: b64(enc.encode("not-a-valid-token-000000000000")) },
    }),
    m("GetMachineStatus", { MachineName: machine, ProviderSpec: spec, Secrets: secrets, ProviderID: UNKNOWN_DEVICE }),
    m("ShutDownMachine", { MachineName: machine, ProviderSpec: spec, Secrets: secrets, ProviderID: providerID }),
    m("DeleteMachine", { MachineName: machine, Secrets: secrets, ProviderID: providerID }),
    m("DeleteMachine", { MachineName: machine, Secrets: secrets, ProviderID: providerID }),
    m("GetMachineStatus", { MachineName: machine, ProviderSpec: spec, Secrets: secrets, ProviderID: providerID }),
  ];
  const r = await runPython(descriptor, endpoint, calls);
  assertEquals(r.map((x) => x.code), [
    "OK",
    "OK",
    "OK",
    "OK",
    "OK",
    "OK",
    "OK",
    "INVALID_ARGUMENT",
    "UNAUTHENTICATED",
    "NOT_FOUND",
    "OK",
    "OK",
    "OK",
    "NOT_FOUND",
  ], JSON.stringify(r));
  assertEquals(r[0].response.name, CMI_PLUGIN_NAME);
  assertEquals(r[1].response.capabilities.map((c: { rpc: { type: string } }) => c.rpc.type), [
    "CREATE_MACHINE",
    "DELETE_MACHINE",
    "GET_MACHINE_STATUS",
    "LIST_MACHINES",
    "SHUTDOWN_MACHINE",
    "GET_VOLUME_IDS",
  ]);
  assertEquals(r[2].response.ready, true);
  assertEquals(r[3].response, { ProviderID: providerID, NodeName: machine }, "create from Python adopts");
  assertEquals(r[4].response, { ProviderID: providerID, NodeName: machine });
  assertEquals(r[5].response.MachineList[providerID], machine);
  assertEquals(r[6].response, {}, "empty VolumeIDs");
  ok(r[7].message.includes("MachineName"), r[7].message);
  ok(!r.some((x) => x.message.includes(w.sim.defaultToken)));
}

/** Runs `fn` against a `cmi` process listening on `transport`, then stops it and checks its exit and its log. */
async function withCmiProcess(
  transport: "tcp" | "unix",
  fn: (w: World, endpoint: string, dir: string) => Promise<void>,
): Promise<void> {
  const w = await metalWorld();
  const dir = await Deno.makeTempDir({ prefix: "cmi-proc-" });
  let proc: CmiProcess | undefined;
  try {
    const listen = transport === "tcp" ? "tcp://127.0.0.1:0" : `unix://${dir}/cmi.sock`;
    proc = await startCmiProcess(listen, w.url, transport === "unix");
    if (transport === "unix") assertEquals(proc.endpoint, listen);
    else ok(/^tcp:\/\/127\.0\.0\.1:\d+$/.test(proc.endpoint) && !proc.endpoint.endsWith(":0"), proc.endpoint);

    await fn(w, proc.endpoint, dir);

    const { code, stderr } = await proc.stop();
    proc = undefined;
    assertEquals(code, 0, `exit code after SIGTERM; stderr: ${stderr}`);
    ok(stderr.includes("CMI server stopped"), stderr);
    ok(!stderr.includes(w.sim.defaultToken), "the API token must not be logged");
    ok(!stderr.includes("abcdef.0123456789abcdef"), "user data must not be logged");
    if (transport === "unix") await rejects(Deno.lstat(`${dir}/cmi.sock`), Deno.errors.NotFound);
  } finally {
    if (proc) await proc.stop();
    await w.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

for (const transport of ["tcp", "unix"] as const) {
  const how = transport === "tcp" ? "--listen" : "CMI_ENDPOINT";
  Deno.test(`CMI over ${transport} (${how}) in a separate process: every RPC from connect's gRPC client`, async () => {
    await withCmiProcess(transport, async (w, endpoint) => {
      await connectScenario(w, endpoint, `m-${transport}`);
    });
  });

  testUnless(PYTHON_MISSING, {
    name: `CMI over ${transport} (${how}) in a separate process: every RPC from Python grpcio`,
    fn: async () => {
      await withCmiProcess(transport, async (w, endpoint, dir) => {
        const machine = `m-py-${transport}`;
        // The machine Python's create adopts, made through connect so that both clients see the same device.
        const c = connectCmi(endpoint);
        let providerID: string;
        try {
          ({ ProviderID: providerID } = await c.machine.createMachine({
            MachineName: machine,
            ProviderSpec: w.spec,
            Secrets: w.secrets,
          }));
        } finally {
          c.close();
        }
        await w.clock.advance(10 * 60_000); // provisioned: active devices can be powered off
        await pythonScenario(w, await descriptorFile(dir), endpoint, machine, providerID);
      });
    },
  });
}
