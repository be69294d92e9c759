/** The fake API server authorizes ServiceAccount tokens by the RBAC objects it stores, and audits every decision. */
import { deepStrictEqual as assertEquals, equal, ok, rejects } from "node:assert/strict";
import { ForbiddenError, UnauthorizedError } from "../../../../src/k8s/api/errors.ts";
import type { KubeObject } from "../../../../src/k8s/api/objects.ts";
import { CoreV1, RbacV1 } from "../../../../src/k8s/api/resources.ts";
import { KubeClient } from "../../../../src/k8s/client/client.ts";
import { policyOf, startApiServer, unusedRules } from "../../../../src/sim/apiserver/mod.ts";

const rbac = "rbac.authorization.k8s.io/v1";
const role = {
  apiVersion: rbac,
  kind: "Role",
  metadata: { name: "reader", namespace: "default" },
  rules: [
    { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"], resourceNames: ["allowed"] },
    { apiGroups: [""], resources: ["secrets"], verbs: ["get"] },
  ],
} as KubeObject;
const binding = {
  apiVersion: rbac,
  kind: "RoleBinding",
  metadata: { name: "reader", namespace: "default" },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
  subjects: [{ kind: "ServiceAccount", name: "app", namespace: "default" }],
} as KubeObject;

Deno.test("ServiceAccount tokens are authorized by RBAC; denials are 403 with kube's message and audited", async () => {
  const api = await startApiServer();
  const admin = new KubeClient(api.connection());
  try {
    await admin.create(CoreV1.serviceAccounts, { metadata: { name: "app", namespace: "default" } } as KubeObject);
    for (const name of ["allowed", "other"]) {
      await admin.create(CoreV1.configMaps, { metadata: { name, namespace: "default" } } as KubeObject);
    }
    const token = api.serviceAccountToken("default", "app");
    const app = new KubeClient(api.connection(token));
    try {
      await rejects(app.list(CoreV1.configMaps, { namespace: "default" }), (e: unknown) => {
        ok(e instanceof ForbiddenError);
        equal(
          e.message,
          'configmaps is forbidden: User "system:serviceaccount:default:app" cannot list resource "configmaps" ' +
            'in API group "" in the namespace "default"',
        );
        return true;
      });
      await admin.create(RbacV1.roles, role);
      await admin.create(RbacV1.roleBindings, binding);
      equal((await app.get(CoreV1.configMaps, "allowed", { namespace: "default" })).metadata?.name, "allowed");
      await rejects(app.get(CoreV1.configMaps, "other", { namespace: "default" }), ForbiddenError);
      // resourceNames: a list is allowed only when it selects the named object.
      await rejects(app.list(CoreV1.configMaps, { namespace: "default" }), ForbiddenError);
      const one = await app.list(CoreV1.configMaps, { namespace: "default", fieldSelector: "metadata.name=allowed" });
      equal(one.items.length, 1);
      await rejects(app.list(CoreV1.configMaps), ForbiddenError);
      // The admin stays unrestricted and is not audited.
      equal((await admin.list(CoreV1.configMaps)).items.length >= 2, true);

      const denials = api.rbac.audit.denied().map((e) => [e.verb, e.resource, e.namespace, e.name, e.count]);
      assertEquals(denials, [
        ["list", "configmaps", "default", "", 2],
        ["get", "configmaps", "default", "other", 1],
        ["list", "configmaps", "", "", 1],
      ]);
      const unused = unusedRules(policyOf([role, binding]), api.rbac.audit.all());
      assertEquals(unused.map((u) => [u.role, u.index, u.whole, u.grants]), [
        ["Role/default/reader", 0, false, ["watch configmaps"]],
        ["Role/default/reader", 1, true, ["get secrets"]],
      ]);

      // A token is worth nothing once its ServiceAccount is gone.
      await admin.delete(CoreV1.serviceAccounts, "app", { namespace: "default" });
      await rejects(app.get(CoreV1.configMaps, "allowed", { namespace: "default" }), UnauthorizedError);
    } finally {
      app.close();
    }
  } finally {
    admin.close();
    await api.stop();
  }
});

Deno.test("serviceAccountToken needs the ServiceAccount", async () => {
  const api = await startApiServer();
  try {
    let message = "";
    try {
      api.serviceAccountToken("default", "missing");
    } catch (e) {
      message = (e as Error).message;
    }
    ok(message.includes('serviceaccounts "missing" not found'));
  } finally {
    await api.stop();
  }
});

Deno.test("TokenRequest: serviceaccounts/<name>/token issues a token; asking for one needs create on it", async () => {
  const api = await startApiServer();
  const admin = new KubeClient(api.connection());
  try {
    for (const name of ["a", "b"]) {
      await admin.create(CoreV1.serviceAccounts, { metadata: { name, namespace: "default" } } as KubeObject);
    }
    const path = (sa: string) => `/api/v1/namespaces/default/serviceaccounts/${sa}/token`;
    const body = { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 600 } };
    const tr = await admin.requestJson<{ kind: string; status: { token: string } }>("POST", path("a"), body);
    equal(tr.kind, "TokenRequest");
    const a = new KubeClient(api.connection(tr.status.token));
    try {
      await rejects(a.requestJson("POST", path("b"), body), (e: unknown) => {
        ok(e instanceof ForbiddenError);
        equal(
          e.message,
          'serviceaccounts "b" is forbidden: User "system:serviceaccount:default:a" cannot create resource ' +
            '"serviceaccounts/token" in API group "" in the namespace "default"',
        );
        return true;
      });
    } finally {
      a.close();
    }
    await rejects(admin.requestJson("POST", path("missing"), body), /serviceaccounts "missing" not found/);
  } finally {
    admin.close();
    await api.stop();
  }
});
