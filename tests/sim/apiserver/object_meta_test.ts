/** Metadata validation rules and generated names. */
import assert from "node:assert/strict";
import {
  generatedName,
  nameRuleFor,
  validateName,
  validateObjectMeta,
} from "../../../src/sim/apiserver/object_meta.ts";

Deno.test("name rules by resource: subdomain, label for namespaces, DNS-1035 for services, path segments for RBAC", () => {
  assert.equal(nameRuleFor("configmaps"), "subdomain");
  assert.equal(nameRuleFor("machines.machine.sapcloud.io"), "subdomain");
  assert.equal(nameRuleFor("namespaces"), "label");
  assert.equal(nameRuleFor("services"), "dns1035");
  assert.equal(nameRuleFor("clusterroles.rbac.authorization.k8s.io"), "pathSegment");
  assert.deepEqual(validateName("shoot--proj--x.y", "subdomain"), []);
  assert.equal(validateName("a.b", "label").length, 1);
  assert.equal(validateName("1abc", "dns1035").length, 1);
  assert.deepEqual(validateName("system:controller:x", "pathSegment"), []);
  assert.equal(validateName("a/b", "pathSegment").length, 1);
  assert.equal(validateName("x".repeat(254), "subdomain").length, 1);
});

Deno.test("object metadata: required name, namespace scope, labels, annotations, finalizers", () => {
  const errs = (meta: Record<string, unknown>, namespaced = true) =>
    validateObjectMeta({ metadata: meta }, { rule: "subdomain", namespaced }).map((e) => `${e.type} ${e.field}`);
  assert.deepEqual(errs({ name: "a", namespace: "ns" }), []);
  assert.deepEqual(errs({ namespace: "ns" }), ["FieldValueRequired metadata.name"]);
  assert.deepEqual(errs({ name: "a" }), ["FieldValueRequired metadata.namespace"]);
  assert.deepEqual(errs({ name: "a", namespace: "ns" }, false), ["FieldValueForbidden metadata.namespace"]);
  assert.deepEqual(errs({ name: "a", namespace: "ns", labels: { "example.com/a": "b-c_d.e" } }), []);
  assert.deepEqual(errs({ name: "a", namespace: "ns", labels: { a: "-bad" } }), ["FieldValueInvalid metadata.labels"]);
  assert.deepEqual(errs({ name: "a", namespace: "ns", annotations: { "bad key": "v" } }), [
    "FieldValueInvalid metadata.annotations",
  ]);
  assert.deepEqual(errs({ name: "a", namespace: "ns", finalizers: ["example.com/x", "kubernetes"] }), []);
  assert.deepEqual(errs({ name: "a", namespace: "ns", finalizers: ["not valid"] }), [
    "FieldValueInvalid metadata.finalizers[0]",
  ]);
});

Deno.test("generated names: prefix (at most 58 characters) and 5 characters of kube's alphabet", () => {
  let i = 0;
  const seq = [0, 0.5, 0.99, 0.1, 0.3];
  assert.equal(generatedName("web-", () => seq[i++]), "web-br9dl");
  assert.equal(generatedName("x".repeat(70), () => 0).length, 63);
});
