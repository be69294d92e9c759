/** The pure parts of device creation: placement order and request bodies. */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { createInput, nameHash, planPlacements } from "../../../src/mcm/driver/device_create.ts";
import type { EquinixMetalProviderSpec } from "../../../src/mcm/driver/provider_spec.ts";

const R1 = "932eecda-0000-4000-8000-000000000001";
const R2 = "558c4d16-0000-4000-8000-000000000002";
const KEY = "11111111-2222-4333-8444-555555555555";

const spec: EquinixMetalProviderSpec = {
  projectID: "6f2b3e4a-1111-4222-8333-444455556666",
  metro: "ny",
  machineType: "c3.small.x86",
  billingCycle: "hourly",
  OS: "flatcar_stable",
  tags: ["kubernetes.io/cluster/shoot--p--c", "kubernetes.io/role/node", "x=y+/="],
};

Deno.test("no reservations and no facilities: one on-demand attempt in the metro", () => {
  assertEquals(planPlacements(spec, "m"), [{ kind: "metro" }]);
});

Deno.test("reservations in order, then on demand (no reservation id)", () => {
  assertEquals(planPlacements({ ...spec, reservationIDs: [R1, "next-available", R2] }, "m"), [
    { kind: "reservation", reservationId: R1 },
    { kind: "reservation", reservationId: "next-available" },
    { kind: "reservation", reservationId: R2 },
    { kind: "metro" },
  ]);
  const body = createInput(spec, "m", "ud", { kind: "metro" });
  ok(!("hardware_reservation_id" in body), "on-demand body carries no reservation id");
});

Deno.test("reservedDevicesOnly: reservations only, no on-demand attempt", () => {
  assertEquals(planPlacements({ ...spec, reservationIDs: [R1], reservedDevicesOnly: true }, "m"), [
    { kind: "reservation", reservationId: R1 },
  ]);
});

Deno.test("facilities: the first is chosen by a hash of the machine name, the rest follow in list order", () => {
  const facilities = ["ny5", "ny7", "ny2"];
  const plans = new Map<string, string[]>();
  for (let i = 0; i < 300; i++) {
    const name = `shoot--p--c-worker-z1-${i}`;
    const order = planPlacements({ ...spec, facilities }, name).map((p) => p.kind === "facility" ? p.facility : "?");
    assertEquals(order.length, 3);
    assertEquals(new Set(order).size, 3);
    // rotation of the list: the successor of each facility is the next one in the list
    const start = facilities.indexOf(order[0]);
    assertEquals(order, [0, 1, 2].map((k) => facilities[(start + k) % 3]));
    plans.set(name, order);
  }
  // spread: every facility is first for a fair share of 300 names
  for (const f of facilities) {
    const n = [...plans.values()].filter((o) => o[0] === f).length;
    ok(n > 60 && n < 140, `${f} first for ${n}/300 machines`);
  }
  // stable: the same name always gets the same order
  assertEquals(
    planPlacements({ ...spec, facilities }, "shoot--p--c-worker-z1-7"),
    planPlacements(
      { ...spec, facilities },
      "shoot--p--c-worker-z1-7",
    ),
  );
  assertEquals(nameHash("a"), 0xe40c292c); // FNV-1a 32-bit reference value
});

Deno.test("reservations are tried before facilities", () => {
  const kinds = planPlacements({ ...spec, reservationIDs: [R1], facilities: ["ny5", "ny7"] }, "m").map((p) => p.kind);
  assertEquals(kinds, ["reservation", "facility", "facility"]);
});

Deno.test("request bodies: metro, facility or reservation; tags verbatim; ssh keys; iPXE", () => {
  const full = { ...spec, sshKeys: [KEY], ipxeScriptUrl: "https://boot.example/x.ipxe" };
  assertEquals(createInput(full, "m1", "#!ipxe", { kind: "reservation", reservationId: R1 }), {
    metro: "ny",
    hostname: "m1",
    plan: "c3.small.x86",
    operating_system: "custom_ipxe",
    billing_cycle: "hourly",
    userdata: "#!ipxe",
    tags: spec.tags,
    ipxe_script_url: "https://boot.example/x.ipxe",
    project_ssh_keys: [KEY],
    hardware_reservation_id: R1,
  });
  const fac = createInput(spec, "m1", "ud", { kind: "facility", facility: "ny5" });
  assertEquals((fac as { facility?: string }).facility, "ny5");
  ok(!("metro" in fac) && !("project_ssh_keys" in fac) && !("ipxe_script_url" in fac));
  assertEquals(fac.operating_system, "flatcar_stable");
});

Deno.test("ssh keys: the class's keys as project_ssh_keys; none or an empty list → no_ssh_keys: true", () => {
  const keyed = createInput({ ...spec, sshKeys: [KEY] }, "m1", "ud", { kind: "metro" });
  assertEquals([keyed.project_ssh_keys, keyed.no_ssh_keys], [[KEY], undefined]);
  for (const sshKeys of [undefined, []]) {
    const body = createInput({ ...spec, sshKeys }, "m1", "ud", { kind: "metro" });
    ok(!("project_ssh_keys" in body), JSON.stringify(sshKeys));
    assertEquals(body.no_ssh_keys, true);
  }
});
