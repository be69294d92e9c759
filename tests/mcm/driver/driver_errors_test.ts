/** Every row of the driver's error-code table (src/mcm/driver/error_codes.ts), produced by the Metal simulator. */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { MachineError } from "../../../src/mcm/driver/driver.ts";
import { fixture, idOf } from "./sim_fixture.ts";

function isMachineError(code: string, message?: RegExp) {
  return (err: unknown) => {
    ok(err instanceof MachineError, `expected a MachineError, got ${err}`);
    assertEquals(err.code, code, err.message);
    if (message) ok(message.test(err.message), `message ${JSON.stringify(err.message)} !~ ${message}`);
    return true;
  };
}

const BAD_TOKEN = "not-a-valid-token-0000000000000000";

Deno.test("401: every call is Unauthenticated, nothing is created", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m0"));
  const secret = { apiToken: BAD_TOKEN, userData: "#!/bin/sh\necho hi\n" };
  await rejects(f.driver.createMachine(f.req("m1", { secret })), isMachineError("Unauthenticated", /401/));
  await rejects(f.driver.getMachineStatus(f.req("m0", { providerID, secret })), isMachineError("Unauthenticated"));
  await rejects(f.driver.deleteMachine(f.req("m0", { providerID, secret })), isMachineError("Unauthenticated"));
  await rejects(f.driver.listMachines(f.listReq({ secret })), isMachineError("Unauthenticated"));
  assertEquals(f.sim.devices().length, 1);
});

Deno.test("alternateApiToken: used when apiToken is empty, and once more after apiToken gets a 401", async () => {
  const f = fixture();
  const { userData } = f.secret;
  const onlyAlternate = { apiToken: "  ", alternateApiToken: ` ${f.sim.defaultToken}\n`, userData };
  await f.driver.createMachine(f.req("m1", { secret: onlyAlternate }));
  const rejected = { apiToken: BAD_TOKEN, alternateApiToken: f.sim.defaultToken, userData };
  const { providerID } = await f.driver.createMachine(f.req("m2", { secret: rejected }));
  assertEquals((await f.driver.getMachineStatus(f.req("m2", { providerID, secret: rejected }))).providerID, providerID);
  assertEquals(f.sim.devices().map((d) => d.hostname).sort(), ["m1", "m2"]);
  // both rejected: still Unauthenticated
  await rejects(
    f.driver.listMachines(f.listReq({ secret: { apiToken: BAD_TOKEN, alternateApiToken: `${BAD_TOKEN}-2` } })),
    isMachineError("Unauthenticated"),
  );
});

Deno.test("403 on the project (token of another tenant): PermissionDenied for every call", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m0"));
  const foreign = f.sim.seed.tokens.find((t) => t.token !== f.sim.defaultToken && t.userId)!.token;
  const secret = { apiToken: foreign, userData: f.secret.userData };
  await rejects(f.driver.createMachine(f.req("m1", { secret })), isMachineError("PermissionDenied", /403/));
  await rejects(f.driver.listMachines(f.listReq({ secret })), isMachineError("PermissionDenied"));
  await rejects(
    f.driver.getMachineStatus(f.req("m0", { providerID, secret })),
    isMachineError("PermissionDenied", /may not access it \(403\)/),
  );
  await rejects(f.driver.deleteMachine(f.req("m0", { providerID, secret })), isMachineError("PermissionDenied"));
  assertEquals(f.sim.devices().length, 1, "nothing deleted");
});

Deno.test("InvalidArgument: one flat message listing every spec, secret and name problem; nothing sent", async () => {
  const f = fixture();
  const spec = f.spec({ metro: undefined, billingCycle: "weekly", tags: ["kubernetes.io/cluster/x"] });
  await rejects(
    f.driver.createMachine(f.req("Bad_Name", { spec, secret: {} })),
    (err: unknown) => {
      ok(err instanceof MachineError && err.code === "InvalidArgument");
      for (
        const part of [
          "providerSpec.metro: Required value: Metro is required",
          "providerSpec.tags: Required value: Tag required of the form kubernetes.io/role/****",
          'providerSpec.billingCycle: Invalid value: "weekly"',
          "secretRef.apiToken: Required value",
          "secretRef.userData: Required value: Required userData",
          "machine name: name must consist of lower case alphanumeric characters",
        ]
      ) ok(err.message.includes(part), `${part} missing in ${err.message}`);
      ok(!/InvalidArgument|Internal/.test(err.message), "no nested status strings");
      return true;
    },
  );
  assertEquals(f.sim.counters.total(""), 0);
});

Deno.test("InvalidArgument: provider other than EquinixMetal, with upstream's message", async () => {
  const f = fixture();
  const req = f.req("m1");
  req.machineClass.provider = "AWS";
  await rejects(
    f.driver.createMachine(req),
    isMachineError("InvalidArgument", /^Requested for Provider 'AWS', we only support 'EquinixMetal'$/),
  );
  await rejects(
    f.driver.listMachines({ ...f.listReq(), machineClass: req.machineClass }),
    isMachineError("InvalidArgument"),
  );
});

Deno.test("InvalidArgument: 422 from the API (unknown plan) and an unknown project", async () => {
  const f = fixture();
  await rejects(
    f.driver.createMachine(f.req("m1", { spec: f.spec({ machineType: "c9.huge.x86" }) })),
    isMachineError("InvalidArgument", /c9\.huge\.x86 is not a valid plan/),
  );
  const project = "0b1c2d3e-0000-4000-8000-000000000000";
  await rejects(
    f.driver.createMachine(f.req("m1", { spec: f.spec({ projectID: project }) })),
    isMachineError("InvalidArgument", new RegExp(`providerSpec.projectID: project ${project} does not exist`)),
  );
  await rejects(
    f.driver.listMachines(f.listReq({ spec: f.spec({ projectID: project }) })),
    isMachineError("InvalidArgument"),
  );
});

Deno.test("decoding compatibility through the driver: case-insensitive keys, unknown keys, wrong types, null", async () => {
  const f = fixture();
  const s = f.spec();
  const mixedCase = {
    projectid: s.projectID,
    Metro: "ny",
    machinetype: "c3.small.x86",
    BillingCycle: "hourly",
    os: "flatcar_stable",
    Tags: s.tags,
    facilitiesX: ["ignored"],
    description: "ignored",
  };
  const { providerID } = await f.driver.createMachine(f.req("m1", { spec: mixedCase }));
  assertEquals(f.sim.devices()[0].id, idOf(providerID));
  await rejects(
    f.driver.createMachine(f.req("m2", { spec: f.spec({ reservedDevicesOnly: "true" }) })),
    isMachineError("InvalidArgument", /providerSpec\.reservedDevicesOnly: Invalid value: expected boolean, got string/),
  );
  await rejects(
    f.driver.createMachine(f.req("m2", { spec: null })),
    isMachineError("InvalidArgument", /providerSpec: Required value: providerSpec is null/),
  );
  await rejects(f.driver.listMachines(f.listReq({ spec: null })), isMachineError("InvalidArgument", /is null/));
});

Deno.test("ResourceExhausted: no on-demand capacity for the plan in the metro", async () => {
  const f = fixture();
  f.sim.setCapacity("ny", "c3.small.x86", 0);
  await rejects(
    f.driver.createMachine(f.req("m1")),
    isMachineError("ResourceExhausted", /on demand in metro ny.*There aren't available servers in that metro/),
  );
  assertEquals(f.sim.devices().length, 0);
});

Deno.test("Unavailable: 429, 500, 502, 503, lost responses and timeouts, for create, status, delete and list", async () => {
  const faults = [
    { status: 429 as const },
    { status: 500 as const },
    { status: 502 as const },
    { status: 503 as const },
    { loseResponse: true },
    { timeout: true as const },
  ];
  for (const fault of faults) {
    const f = fixture({ driver: { timeoutMs: 500 } });
    const { providerID } = await f.driver.createMachine(f.req("m0"));
    const label = JSON.stringify(fault);
    const remove = f.sim.faults.add({ ...fault });
    try {
      await rejects(f.driver.createMachine(f.req("m1")), isMachineError("Unavailable"), label);
      await rejects(f.driver.getMachineStatus(f.req("m0", { providerID })), isMachineError("Unavailable"), label);
      await rejects(f.driver.listMachines(f.listReq()), isMachineError("Unavailable"), label);
      await rejects(f.driver.deleteMachine(f.req("m0", { providerID })), isMachineError("Unavailable"), label);
    } finally {
      remove();
      f.sim.close();
    }
  }
});

Deno.test("the caller's cancellation and deadline become Canceled and DeadlineExceeded", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m0"));
  const canceled = { ...f.req("m0", { providerID }), signal: AbortSignal.abort() };
  await rejects(f.driver.getMachineStatus(canceled), isMachineError("Canceled"));
  const expired = {
    ...f.req("m1"),
    signal: AbortSignal.abort(new DOMException("deadline", "TimeoutError")),
  };
  await rejects(f.driver.createMachine(expired), isMachineError("DeadlineExceeded"));
  assertEquals(f.sim.devices().length, 1);
});

Deno.test("a Metal error that quotes a fragment of the user data never carries its bootstrap token", async () => {
  const token = "abcdef.0123456789abcdef"; // the token inside the fixture's user data
  const base = fixture(); // the same seed: the same project and token as the fixture below
  const f = fixture({
    driver: {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const req = new Request(input, init);
        if (req.method === "POST" && new URL(req.url).pathname.endsWith("/devices")) {
          // The API rejects the user data and quotes the part it choked on (the token's line, cut mid-way).
          const body = { errors: [`userdata is invalid near "content: ${token}"`, `bad value "${token.slice(7)}"`] };
          return Response.json(body, { status: 422 });
        }
        return await base.sim.fetch(req);
      },
    },
  });
  await rejects(f.driver.createMachine(f.req("m1")), (err: unknown) => {
    ok(err instanceof MachineError, String(err));
    ok(!err.message.includes(token.slice(7)), err.message);
    ok(err.message.includes("[REDACTED]"), err.message);
    return true;
  });
});
