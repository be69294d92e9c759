/** The authorization attributes of requests, as kube-apiserver derives them from the URL. */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { nonResourceAttributes, resourceAttributes } from "../../../../src/sim/apiserver/http/authorization.ts";
import { parseResourcePath } from "../../../../src/sim/apiserver/http/request_info.ts";

const user = { username: "u", groups: [] };

function attrs(method: string, url: string) {
  const u = new URL(url, "https://x");
  const a = resourceAttributes(parseResourcePath(method, u.pathname, u.searchParams)!, user, u.searchParams);
  return [a.verb, a.group, a.resource, a.subresource, a.namespace, a.name];
}

Deno.test("resource attributes: verbs, subresources, scopes, and names selected by a field selector", () => {
  assertEquals(attrs("GET", "/api/v1/namespaces/n/pods"), ["list", "", "pods", "", "n", ""]);
  assertEquals(attrs("GET", "/api/v1/pods?watch=true"), ["watch", "", "pods", "", "", ""]);
  assertEquals(attrs("GET", "/api/v1/namespaces/n/secrets?fieldSelector=metadata.name%3Dcp"), [
    "list",
    "",
    "secrets",
    "",
    "n",
    "cp",
  ]);
  assertEquals(attrs("GET", "/api/v1/watch/namespaces/n/secrets?fieldSelector=type%3Dx,metadata.name%3D%3Dcp"), [
    "watch",
    "",
    "secrets",
    "",
    "n",
    "cp",
  ]);
  assertEquals(attrs("POST", "/api/v1/namespaces/n/pods/p/eviction"), ["create", "", "pods", "eviction", "n", "p"]);
  assertEquals(attrs("PATCH", "/apis/extensions.gardener.cloud/v1alpha1/namespaces/n/workers/w/status"), [
    "patch",
    "extensions.gardener.cloud",
    "workers",
    "status",
    "n",
    "w",
  ]);
  assertEquals(attrs("DELETE", "/apis/machine.sapcloud.io/v1alpha1/namespaces/n/machines"), [
    "deletecollection",
    "machine.sapcloud.io",
    "machines",
    "",
    "n",
    "",
  ]);
  assertEquals(attrs("PATCH", "/api/v1/nodes/n1/status"), ["patch", "", "nodes", "status", "", "n1"]);
  // A namespace is requested in itself.
  assertEquals(attrs("GET", "/api/v1/namespaces/foo"), ["get", "", "namespaces", "", "foo", "foo"]);
});

Deno.test("non-resource attributes: the path and the method's verb", () => {
  const a = nonResourceAttributes("GET", "/apis/apps/v1", user);
  assertEquals([a.resourceRequest, a.verb, a.path], [false, "get", "/apis/apps/v1"]);
  assertEquals(nonResourceAttributes("HEAD", "/healthz", user).verb, "get");
});
