import { deepStrictEqual as assertEquals, ok, throws } from "node:assert/strict";
import {
  createProblems,
  decodeForCreate,
  decodeForOwnership,
  decodeProviderSpec,
  operatingSystemOf,
  ownershipTags,
  ProviderSpecError,
} from "../../../src/mcm/driver/provider_spec.ts";
import { machineNameProblems } from "../../../src/mcm/driver/machine_name.ts";

const PROJECT = "6f2b3e4a-1111-4222-8333-444455556666";
const RES1 = "932eecda-0000-4000-8000-000000000001";
const KEY = "11111111-2222-4333-8444-555555555555";

/** A MachineClass providerSpec as the Gardener extension generates it. */
const valid = {
  projectID: PROJECT,
  OS: "flatcar_stable",
  billingCycle: "hourly",
  machineType: "c3.small.x86",
  metro: "ny",
  sshKeys: [KEY],
  tags: ["kubernetes.io/cluster/shoot--p--c", "kubernetes.io/role/node"],
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    ok(e instanceof ProviderSpecError, `expected ProviderSpecError, got ${e}`);
    return e.problems;
  }
  throw new Error("expected an error");
}

Deno.test("decodes a production spec; unknown keys (facilities comes through, metadata/description ignored)", () => {
  const spec = decodeForCreate({ ...valid, facilities: ["ny5", "ny7"], description: "x", metadata: { a: 1 } });
  assertEquals(spec.metro, "ny");
  assertEquals(spec.facilities, ["ny5", "ny7"]);
  assertEquals(spec.tags, valid.tags);
  ok(!("description" in spec) && !("metadata" in spec));
});

Deno.test("accepts the spec as JSON text and bytes (the CMI form)", () => {
  assertEquals(decodeProviderSpec(JSON.stringify(valid)).projectID, PROJECT);
  assertEquals(decodeProviderSpec(new TextEncoder().encode(JSON.stringify(valid))).machineType, "c3.small.x86");
});

Deno.test("keys match case-insensitively when there is no exact match, like Go's encoding/json", () => {
  const spec = decodeProviderSpec({ os: "ubuntu_22_04", PROJECTID: PROJECT, MachineType: "m3.small.x86", Metro: "da" });
  assertEquals([spec.OS, spec.projectID, spec.machineType, spec.metro], [
    "ubuntu_22_04",
    PROJECT,
    "m3.small.x86",
    "da",
  ]);
});

Deno.test("when several keys match one field the last one in the document wins", () => {
  assertEquals(decodeProviderSpec(JSON.parse('{"OS":"a","os":"b"}')).OS, "b");
  assertEquals(decodeProviderSpec(JSON.parse('{"os":"b","OS":"a"}')).OS, "a");
});

Deno.test("null field values leave the field unset", () => {
  const spec = decodeProviderSpec({ ...valid, ipxeScriptUrl: null, reservationIDs: null, reservedDevicesOnly: null });
  ok(spec.ipxeScriptUrl === undefined && spec.reservationIDs === undefined && spec.reservedDevicesOnly === undefined);
});

Deno.test("wrong types are errors naming the field (as the user wrote it) and the types", () => {
  const problems = problemsOf(() =>
    decodeProviderSpec({ ...valid, reservedDevicesOnly: "true", tags: ["ok", 7], Metro: 3 })
  );
  assertEquals(problems.sort(), [
    "providerSpec.Metro: Invalid value: expected string, got number",
    "providerSpec.reservedDevicesOnly: Invalid value: expected boolean, got string",
    "providerSpec.tags[1]: Invalid value: expected string, got number",
  ]);
  assertEquals(problemsOf(() => decodeProviderSpec({ sshKeys: "abc" })), [
    "providerSpec.sshKeys: Invalid value: expected array, got string",
  ]);
});

Deno.test("null, empty, non-object and non-JSON specs are errors, not crashes", () => {
  assertEquals(problemsOf(() => decodeProviderSpec(null)), ["providerSpec: Required value: providerSpec is null"]);
  assertEquals(problemsOf(() => decodeProviderSpec("null")), ["providerSpec: Required value: providerSpec is null"]);
  assertEquals(problemsOf(() => decodeProviderSpec(undefined)), ["providerSpec: Required value: providerSpec is null"]);
  assertEquals(problemsOf(() => decodeProviderSpec("")), ["providerSpec: Required value: providerSpec is empty"]);
  assertEquals(problemsOf(() => decodeProviderSpec([1])), [
    "providerSpec: Invalid value: expected a JSON object, got array",
  ]);
  ok(problemsOf(() => decodeProviderSpec("{not json"))[0].startsWith("providerSpec: Invalid value: not valid JSON"));
});

Deno.test("create validation: upstream's required fields and messages, all collected", () => {
  const problems = problemsOf(() => decodeForCreate({ billingCycle: "hourly" }));
  assertEquals(problems, [
    "providerSpec.OS: Required value: OS or IPXEScriptURL is required",
    "providerSpec.machineType: Required value: Machine Type is required",
    "providerSpec.metro: Required value: Metro is required",
    "providerSpec.projectID: Required value: Project ID is required",
    "providerSpec.tags: Required value: Tag required of the form kubernetes.io/cluster/****",
    "providerSpec.tags: Required value: Tag required of the form kubernetes.io/role/****",
  ]);
  const err = (() => {
    try {
      decodeForCreate({ billingCycle: "hourly" });
    } catch (e) {
      return e as Error;
    }
  })()!;
  ok(err.message.startsWith("[providerSpec.OS: Required value"), err.message);
});

Deno.test("billingCycle is checked up front", () => {
  assertEquals(createProblems({ ...valid, billingCycle: "weekly" }), [
    'providerSpec.billingCycle: Invalid value: "weekly": supported values: hourly, daily, monthly, yearly',
  ]);
  assertEquals(createProblems({ ...valid, billingCycle: undefined }), [
    "providerSpec.billingCycle: Required value: one of hourly, daily, monthly, yearly is required",
  ]);
  for (const c of ["hourly", "daily", "monthly", "yearly"]) {
    assertEquals(createProblems({ ...valid, billingCycle: c }), []);
  }
});

Deno.test("tags: the cluster and role tags are the last tags containing the markers", () => {
  assertEquals(
    ownershipTags({
      tags: ["kubernetes.io/cluster/a", "x", "kubernetes.io/role/node: 1", "kubernetes.io/cluster/b: 1"],
    }),
    { clusterTag: "kubernetes.io/cluster/b: 1", roleTag: "kubernetes.io/role/node: 1" },
  );
  assertEquals(createProblems({ ...valid, tags: ["kubernetes.io/cluster/a"] }), [
    "providerSpec.tags: Required value: Tag required of the form kubernetes.io/role/****",
  ]);
});

Deno.test("iPXE: a URL replaces the OS with custom_ipxe; an empty URL counts as absent; a bad URL is rejected", () => {
  assertEquals(operatingSystemOf({ ...valid, ipxeScriptUrl: "https://boot.example/ipxe" }), "custom_ipxe");
  assertEquals(createProblems({ ...valid, OS: undefined, ipxeScriptUrl: "https://boot.example/ipxe" }), []);
  assertEquals(operatingSystemOf({ ...valid, ipxeScriptUrl: "" }), "flatcar_stable");
  assertEquals(createProblems({ ...valid, OS: undefined, ipxeScriptUrl: "" }), [
    "providerSpec.OS: Required value: OS or IPXEScriptURL is required",
  ]);
  assertEquals(createProblems({ ...valid, ipxeScriptUrl: "ftp://x" }), [
    'providerSpec.ipxeScriptUrl: Invalid value: "ftp://x": must be an http or https URL',
  ]);
});

Deno.test("reservations: ids must be UUIDs or next-available; reservedDevicesOnly needs ids", () => {
  assertEquals(createProblems({ ...valid, reservationIDs: [RES1, "next-available"] }), []);
  assertEquals(createProblems({ ...valid, reservationIDs: [RES1, "abc"] }), [
    'providerSpec.reservationIDs[1]: Invalid value: "abc": must be a reservation UUID or "next-available"',
  ]);
  assertEquals(createProblems({ ...valid, reservedDevicesOnly: true }), [
    'providerSpec.reservedDevicesOnly: Invalid value: true: needs reservationIDs; use reservationIDs: ["next-available"] ' +
    "to take any free reservation",
  ]);
  assertEquals(createProblems({ ...valid, reservedDevicesOnly: true, reservationIDs: ["next-available"] }), []);
});

Deno.test("facilities, ssh keys and metro are checked for shape", () => {
  assertEquals(createProblems({ ...valid, facilities: ["ny5", "bad code"], sshKeys: ["id_rsa"], metro: "n y" }), [
    'providerSpec.metro: Invalid value: "n y": not a metro code',
    'providerSpec.facilities[1]: Invalid value: "bad code": not a facility code',
    'providerSpec.sshKeys[0]: Invalid value: "id_rsa": must be the UUID of a project SSH key',
  ]);
});

Deno.test("ownership decoding needs only the project and the two tags (orphan collection keeps working)", () => {
  const { owner } = decodeForOwnership({ projectID: PROJECT, tags: valid.tags, billingCycle: "weekly" });
  assertEquals(owner, { projectID: PROJECT, clusterTag: valid.tags[0], roleTag: valid.tags[1] });
  throws(() => decodeForOwnership({ tags: valid.tags }), /providerSpec\.projectID: Required value/);
  throws(
    () => decodeForOwnership({ projectID: "abcdefg", tags: valid.tags }),
    /providerSpec\.projectID: Invalid value: "abcdefg": must be a project UUID/,
  );
});

Deno.test("machine names: any Kubernetes node name, dots included (upstream rejected them)", () => {
  for (const name of ["machine-0", "shoot--p--c-worker-z1-7d9f8-abcde", "node.example.com", "a", "0abc"]) {
    assertEquals(machineNameProblems(name), [], name);
  }
  assertEquals(machineNameProblems(""), ["name must not be blank"]);
  for (const bad of ["Machine", "-a", "a-", "a..b", "a_b", "a.-b"]) {
    ok(machineNameProblems(bad)[0]?.includes("lower case alphanumeric"), bad);
  }
  assertEquals(machineNameProblems("a".repeat(64)), ["name has a part of length 64, more than the maximum 63"]);
  ok(machineNameProblems(("a".repeat(60) + ".").repeat(5).slice(0, -1))[0].includes("more than the maximum 253"));
});
