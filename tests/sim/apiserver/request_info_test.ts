/** URL parsing as kube-apiserver's RequestInfo does it. */
import assert from "node:assert/strict";
import { parseResourcePath } from "../../../src/sim/apiserver/http/request_info.ts";

const q = (s = "") => new URLSearchParams(s);

Deno.test("resource paths: core and groups, namespaced and cluster-scoped, subresources, verbs", () => {
  assert.deepEqual(parseResourcePath("GET", "/api/v1/namespaces/ns/pods", q()), {
    group: "",
    version: "v1",
    namespace: "ns",
    resource: "pods",
    name: undefined,
    subresource: undefined,
    verb: "list",
  });
  assert.deepEqual(parseResourcePath("PUT", "/apis/apps/v1/namespaces/ns/deployments/web/status", q()), {
    group: "apps",
    version: "v1",
    namespace: "ns",
    resource: "deployments",
    name: "web",
    subresource: "status",
    verb: "update",
  });
  const node = parseResourcePath("DELETE", "/api/v1/nodes/n1", q())!;
  assert.equal(node.verb, "delete");
  assert.equal(node.namespace, undefined);
  assert.equal(parseResourcePath("DELETE", "/api/v1/namespaces/ns/pods", q())!.verb, "deletecollection");
  assert.equal(parseResourcePath("GET", "/api/v1/namespaces/ns/pods", q("watch=true"))!.verb, "watch");
  assert.equal(parseResourcePath("GET", "/api/v1/watch/namespaces/ns/pods", q())!.verb, "watch");
  assert.equal(parseResourcePath("POST", "/api/v1/namespaces/ns/pods/p/eviction", q())!.subresource, "eviction");
  assert.equal(parseResourcePath("PATCH", "/apis/x.io/v1/things/t", q())!.verb, "patch");
});

Deno.test("namespaces themselves: /namespaces/foo is the namespace foo, status and finalize are its subresources", () => {
  const ns = parseResourcePath("GET", "/api/v1/namespaces/foo", q())!;
  assert.equal(ns.resource, "namespaces");
  assert.equal(ns.name, "foo");
  assert.equal(ns.namespace, undefined);
  assert.equal(parseResourcePath("PUT", "/api/v1/namespaces/foo/finalize", q())!.subresource, "finalize");
  assert.equal(parseResourcePath("PUT", "/api/v1/namespaces/foo/status", q())!.subresource, "status");
  assert.equal(parseResourcePath("GET", "/api/v1/namespaces", q())!.verb, "list");
});

Deno.test("non-resource paths are not resource requests", () => {
  for (const p of ["/api", "/apis", "/api/v1", "/apis/apps", "/apis/apps/v1", "/version", "/healthz"]) {
    assert.equal(parseResourcePath("GET", p, q()), undefined, p);
  }
  assert.equal(parseResourcePath("OPTIONS", "/api/v1/pods", q()), undefined);
});
