/** Bounded waits: the window per wait, Gardener's stuck-MCM rule, and the bounded, redacted error with the reasons. */
import assert from "node:assert/strict";
import type { Machine, MachineDeployment, MachineSet } from "../../../src/apis/machine/v1alpha1.ts";
import { MCM_FINALIZER } from "../../../src/apis/machine/v1alpha1.ts";
import {
  continueWait,
  MAX_MACHINE_DESCRIPTION,
  MAX_MACHINES_IN_ERROR,
  stuckMachineControllerManager,
  WAIT_TIMEOUT_MS,
  waitTimeoutError,
} from "../../../src/extension/genericworker/bounded_wait.ts";
import { determineErrorCodes } from "../../../src/extension/reconciler/error_codes.ts";
import { forgetSecret, registerSecret } from "../../../src/observability/redact.ts";

const MIN = 60_000;

Deno.test("a wait runs out after 5 minutes of the same wait for the same generation; another wait or spec starts over", () => {
  const first = continueWait(undefined, "rollout", 3, 1_000);
  assert.deepEqual(first, { record: { what: "rollout", generation: 3, sinceMs: 1_000 }, expired: false });
  const table: [what: string, generation: number, now: number, expired: boolean, since: number][] = [
    ["rollout", 3, 1_000 + WAIT_TIMEOUT_MS - 1, false, 1_000],
    ["rollout", 3, 1_000 + WAIT_TIMEOUT_MS, true, 1_000],
    ["unwanted", 3, 1_000 + WAIT_TIMEOUT_MS, false, 1_000 + WAIT_TIMEOUT_MS], // another wait: new window
    ["rollout", 4, 1_000 + WAIT_TIMEOUT_MS, false, 1_000 + WAIT_TIMEOUT_MS], // new spec: new window
  ];
  for (const [what, generation, now, expired, since] of table) {
    const next = continueWait(first.record, what, generation, now);
    assert.equal(next.expired, expired, `${what} gen ${generation} at ${now}`);
    assert.equal(next.record.sinceMs, since);
  }
  assert.equal(continueWait(first.record, "rollout", 3, 1_000 + MIN, MIN).expired, true, "configurable timeout");
});

function md(name: string, cls: string, createdMinAgo: number, finalizer = true): MachineDeployment {
  return {
    metadata: {
      name,
      namespace: "ns",
      creationTimestamp: new Date(10 * MIN - createdMinAgo * MIN).toISOString(),
      finalizers: finalizer ? [MCM_FINALIZER] : undefined,
    },
    spec: { template: { spec: { class: { kind: "MachineClass", name: cls } } } },
  };
}

function set(owner: string, cls: string): MachineSet {
  return {
    metadata: {
      name: `${owner}-x`,
      ownerReferences: [{
        apiVersion: "machine.sapcloud.io/v1alpha1",
        kind: "MachineDeployment",
        name: owner,
        uid: "u",
      }],
    },
    spec: { template: { spec: { class: { kind: "MachineClass", name: cls } } } },
  };
}

Deno.test("stuck MCM (Gardener's rule): a deployment MCM took, older than 2 minutes, without a set of its class", () => {
  const now = 10 * MIN;
  const table: [what: string, deployments: MachineDeployment[], sets: MachineSet[], stuck: string | undefined][] = [
    ["no set at all", [md("a", "a-1", 3)], [], "missing machine set for machine deployment (ns/a)"],
    [
      "only a set of the old class",
      [md("a", "a-2", 3)],
      [set("a", "a-1")],
      "missing machine set for machine deployment (ns/a)",
    ],
    ["a set of its class", [md("a", "a-1", 3)], [set("a", "a-1")], undefined],
    ["younger than 2 minutes", [md("a", "a-1", 1)], [], undefined],
    ["MCM has not taken it (no finalizer)", [md("a", "a-1", 3, false)], [], undefined],
    [
      "the second deployment",
      [md("a", "a-1", 3), md("b", "b-1", 5)],
      [set("a", "a-1")],
      "missing machine set for machine deployment (ns/b)",
    ],
  ];
  for (const [what, deployments, sets, stuck] of table) {
    assert.equal(stuckMachineControllerManager(deployments, sets, now), stuck, what);
  }
});

function machine(name: string, phase: string | undefined, description = "", errorCode?: string): Machine {
  return {
    metadata: { name, labels: { name: "md" } },
    spec: {},
    status: {
      currentStatus: phase ? { phase } : undefined,
      lastOperation: description ? { description, errorCode, state: "Failed", type: "Create" } : undefined,
    },
  };
}

Deno.test("the timeout error names the machines that are not Running with phase and reason; codes as for failed machines", () => {
  const e = waitTimeoutError("failed while waiting for all machine deployments to be ready", "Waiting until ...", [
    machine("m-b", "CrashLoopBackOff", "Cloud provider message - no capacity\nfor m3.small.x86", "ResourceExhausted"),
    machine("m-a", "Running", "Created"),
    machine("m-c", undefined),
    { ...machine("m-d", "Running", "Drain"), metadata: { name: "m-d", deletionTimestamp: "2026-01-01T00:00:00Z" } },
  ]);
  assert.equal(
    e.message,
    'failed while waiting for all machine deployments to be ready: Waiting until ...; machines: "m-b" ' +
      '(CrashLoopBackOff): Cloud provider message - no capacity for m3.small.x86; "m-c" (no phase yet); ' +
      '"m-d" (Terminating): Drain',
  );
  assert.deepEqual(e.machines, ["m-b", "m-c", "m-d"]);
  assert.deepEqual(determineErrorCodes(e), ["ERR_INFRA_RESOURCES_DEPLETED"]);
  assert.equal(waitTimeoutError("ctx", "detail", []).message, "ctx: detail");
  assert.deepEqual(determineErrorCodes(waitTimeoutError("ctx", "detail", [])), []);
});

Deno.test("the timeout error is bounded (machines and text per machine) and carries no registered secret", () => {
  const token = "abcdef.0123456789abcdef";
  registerSecret(token);
  try {
    const many = Array.from(
      { length: 25 },
      (_, i) =>
        machine(`m-${String(i).padStart(2, "0")}`, "Pending", `bootstrap token ${token} rejected; ${"x".repeat(500)}`),
    );
    const e = waitTimeoutError("ctx", `detail with ${token}`, many);
    assert.ok(!e.message.includes(token), e.message.slice(0, 300));
    assert.match(
      e.message,
      /^ctx: detail with \[REDACTED\]; machines: "m-00" \(Pending\): bootstrap token \[REDACTED\]/,
    );
    assert.match(e.message, /; and 15 more$/);
    assert.equal(e.message.split('" (Pending)').length - 1, MAX_MACHINES_IN_ERROR);
    assert.ok(e.message.length < MAX_MACHINES_IN_ERROR * (MAX_MACHINE_DESCRIPTION + 30) + 100, `${e.message.length}`);
    assert.equal(e.machines.length, 25);
  } finally {
    forgetSecret(token);
  }
});
