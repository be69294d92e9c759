/** MCM's checks before the simulated controllers act; every problem names the field. */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  describeProblems,
  machineDeploymentProblems,
  machineSetProblems,
} from "../../../src/sim/machinedeployments/validation.ts";
import { deployment } from "./harness.ts";
import { machineSet } from "./fixtures.ts";

Deno.test("a deployment as Gardener writes it is valid", () => {
  assertEquals(machineDeploymentProblems(deployment("md")), []);
  assertEquals(machineDeploymentProblems(deployment("md", { strategy: { type: "Recreate" } })), []);
  assertEquals(machineSetProblems(machineSet("s", 1, 1)), []);
});

Deno.test("deployment problems name the field", () => {
  const cases: Array<[Partial<ReturnType<typeof deployment>["spec"]>, string]> = [
    [{ replicas: -1 }, "spec.replicas: Replicas has to be a whole number"],
    [{ strategy: { type: "Blue" } }, 'spec.strategy.type: Unsupported value "Blue"'],
    [{ strategy: {} }, 'spec.strategy.type: Unsupported value ""'],
    [{ strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "x", maxUnavailable: 0 } } }, "maxSurge"],
    [{ selector: { matchLabels: {} } }, "spec.selector: must not be empty"],
    [{ selector: { matchExpressions: [{ key: "a", operator: "In" }] } }, "spec.selector: values: Required value"],
    [{ selector: { matchLabels: { name: "other" } } }, "spec.selector.matchLabels: is not matching"],
  ];
  for (const [spec, expected] of cases) {
    const problems = machineDeploymentProblems(deployment("md", spec));
    if (!problems.some((p) => p.includes(expected))) throw new Error(`${JSON.stringify(spec)}: ${problems}`);
  }
  const noTemplate = deployment("md");
  delete (noTemplate.spec as { template?: unknown }).template;
  assertEquals(machineDeploymentProblems(noTemplate).some((p) => p.startsWith("spec.template:")), true);
  assertEquals(
    describeProblems("MachineDeployment", "ns/md", ["spec.a: bad", "spec.b: worse"]),
    "invalid MachineDeployment ns/md: spec.a: bad; spec.b: worse",
  );
});

Deno.test("machine set problems name the field", () => {
  const s = machineSet("s", 1, 1);
  s.spec!.template!.spec!.class = { name: "c" };
  assertEquals(machineSetProblems(s), ["spec.template.spec.class.kind: Kind is required"]);
  const neg = machineSet("s", -2, 0);
  assertEquals(machineSetProblems(neg), ["spec.replicas: Replicas has to be a whole number"]);
});
