/** Label and field selector parsing and matching. */
import assert from "node:assert/strict";
import {
  labelSelectorToString,
  matchesLabels,
  parseLabelSelector,
  SelectorParseError,
} from "../../../src/k8s/api/label_selector.ts";
import {
  FieldSelectorError,
  matchesFields,
  parseFieldSelector,
} from "../../../src/sim/apiserver/storage/field_selector.ts";

Deno.test("label selector operators =, ==, !=, in, notin, exists, !exists", () => {
  const labels = { app: "web", tier: "front", "example.com/team": "a" };
  const cases: Array<[string, boolean]> = [
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app=db", false],
    ["app!=db", true],
    ["missing!=x", true],
    ["tier in (front, back)", true],
    ["tier in (back)", false],
    ["tier notin (back)", true],
    ["missing notin (back)", true],
    ["tier notin (front)", false],
    ["example.com/team", true],
    ["missing", false],
    ["!missing", true],
    ["!app", false],
    ["app=web,tier in (front),!missing", true],
    ["app=web,tier=back", false],
  ];
  for (const [sel, want] of cases) assert.equal(matchesLabels(parseLabelSelector(sel), labels), want, sel);
  assert.equal(matchesLabels(parseLabelSelector("!a"), undefined), true);
  assert.equal(matchesLabels(parseLabelSelector("a"), undefined), false);
});

Deno.test("invalid label selectors are rejected with a parse error", () => {
  for (const bad of ["a in (", "a=b,", "a b", "=x", "a=b c", "-a=b"]) {
    assert.throws(() => parseLabelSelector(bad), SelectorParseError, bad);
  }
});

Deno.test("metav1.LabelSelector converts to the string form", () => {
  const s = labelSelectorToString({
    matchLabels: { app: "web" },
    matchExpressions: [
      { key: "tier", operator: "In", values: ["a", "b"] },
      { key: "x", operator: "Exists" },
      { key: "y", operator: "DoesNotExist" },
      { key: "z", operator: "NotIn", values: ["c"] },
    ],
  });
  assert.equal(s, "app=web,tier in (a,b),x,!y,z notin (c)");
  assert.equal(matchesLabels(parseLabelSelector(s!), { app: "web", tier: "b", x: "", z: "d" }), true);
});

Deno.test("field selectors: metadata fields for all, per-resource fields, 400-worthy errors otherwise", () => {
  const pod = { metadata: { name: "p", namespace: "ns" }, spec: { nodeName: "n1" }, status: { phase: "Running" } };
  assert.equal(matchesFields(parseFieldSelector("spec.nodeName=n1,status.phase!=Failed", "pods"), pod, "pods"), true);
  assert.equal(matchesFields(parseFieldSelector("spec.nodeName==n2", "pods"), pod, "pods"), false);
  assert.equal(matchesFields(parseFieldSelector("metadata.name=p,metadata.namespace=ns", "pods"), pod, "pods"), true);
  const ev = { metadata: { name: "e" }, involvedObject: { kind: "Machine", name: "m1" } };
  assert.equal(
    matchesFields(parseFieldSelector("involvedObject.kind=Machine,involvedObject.name=m1", "events"), ev, "events"),
    true,
  );
  // Absent fields compare as the empty string, as in kube.
  assert.equal(matchesFields(parseFieldSelector("spec.nodeName=", "pods"), { metadata: { name: "x" } }, "pods"), true);
  assert.throws(() => parseFieldSelector("spec.nodeName=n1", "configmaps"), FieldSelectorError);
  assert.throws(
    () => parseFieldSelector("spec.foo=1", "machines.machine.sapcloud.io"),
    /field label not supported: spec.foo/,
  );
  assert.throws(() => parseFieldSelector("nonsense", "pods"), FieldSelectorError);
});
