/** The admission chain against a real HTTPS webhook with a generated CA. */
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { AdmissionregistrationV1, CoreV1 } from "../../../src/k8s/api/resources.ts";
import { captureLogs } from "../../../src/observability/log.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import {
  AdmissionChain,
  type AdmissionOutcome,
  type AdmissionRequestAttributes,
  type AdmissionSources,
} from "../../../src/sim/apiserver/admission/webhooks.ts";
import { startTestWebhook, type TestWebhookServer } from "./admission_webhook_server.ts";

const NAMESPACES: Record<string, Record<string, string>> = { default: {}, metal: { team: "metal" } };

interface HookSpec {
  name: string;
  path?: string;
  url?: string;
  service?: { namespace: string; name: string; port?: number; path?: string };
  caBundle?: string | null;
  failurePolicy?: "Fail" | "Ignore";
  timeoutSeconds?: number;
  sideEffects?: string;
  namespaceSelector?: unknown;
  objectSelector?: unknown;
  rules?: unknown[];
}

function config(
  kind: "Mutating" | "Validating",
  name: string,
  server: TestWebhookServer,
  hooks: HookSpec[],
): KubeObject {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
    webhooks: hooks.map((h) => ({
      name: h.name,
      clientConfig: {
        ...(h.service ? { service: h.service } : { url: h.url ?? `${server.url}${h.path}` }),
        ...(h.caBundle === null ? {} : { caBundle: h.caBundle ?? server.caBundle }),
      },
      rules: h.rules ??
        [{ operations: ["CREATE", "UPDATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"] }],
      failurePolicy: h.failurePolicy,
      timeoutSeconds: h.timeoutSeconds,
      sideEffects: h.sideEffects ?? "None",
      admissionReviewVersions: ["v1"],
      namespaceSelector: h.namespaceSelector,
      objectSelector: h.objectSelector,
    })),
  } as KubeObject;
}

function sources(
  mutating: KubeObject[],
  validating: KubeObject[] = [],
  extra: Partial<AdmissionSources> = {},
): AdmissionSources {
  return { mutating: () => mutating, validating: () => validating, namespaceLabels: (n) => NAMESPACES[n], ...extra };
}

function cmCreate(extra: Partial<AdmissionRequestAttributes> = {}): AdmissionRequestAttributes {
  return {
    operation: "CREATE",
    resource: CoreV1.configMaps,
    namespace: "metal",
    name: "settings",
    object: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "metal" },
      data: { a: "b" },
    } as KubeObject,
    dryRun: false,
    userInfo: { username: "system:serviceaccount:garden:gardenlet", groups: ["system:serviceaccounts"] },
    ...extra,
  };
}

function denied(o: AdmissionOutcome): Extract<AdmissionOutcome, { allowed: false }> {
  if (o.allowed) throw new Error(`expected a denial, got ${JSON.stringify(o)}`);
  return o;
}

function allowed(o: AdmissionOutcome): Extract<AdmissionOutcome, { allowed: true }> {
  if (!o.allowed) throw new Error(`expected admission, got ${o.code} ${o.message}`);
  return o;
}

/** Runs `fn` with a fresh webhook server that is always stopped; the chain's log lines are kept off stderr. */
function withWebhook(name: string, fn: (server: TestWebhookServer, logs: string[]) => Promise<void>) {
  Deno.test(`admission: ${name}`, async () => {
    const server = await startTestWebhook();
    const logs = captureLogs();
    try {
      await fn(server, logs.lines);
    } finally {
      logs.restore();
      await server.stop();
    }
  });
}

/** A port nothing listens on (bound once, then released), for "connection refused". */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

withWebhook(
  "mutating webhooks run in name order, each seeing the previous output; validating ones see the result",
  async (s) => {
    const chain = new AdmissionChain(sources(
      [
        config("Mutating", "b-second", s, [{ name: "second.example.com", path: "/label?key=second&value=2" }]),
        config("Mutating", "a-first", s, [{ name: "first.example.com", path: "/label?key=first&value=1" }]),
      ],
      [config("Validating", "v", s, [{ name: "allow.example.com", path: "/allow" }])],
    ));
    const out = allowed(await chain.admit(cmCreate()));
    assertEquals(out.object?.metadata.labels, { first: "1", second: "2" });
    assertEquals(out.mutated, true);
    assertEquals(out.warnings, ["warning from /allow"]);
    assertEquals(s.received.map((r) => r.path), ["/label", "/label", "/allow"]);
    // The second webhook saw the first one's label; the validating one saw both.
    const objects = s.received.map((r) => (r.review.request.object as KubeObject).metadata.labels);
    assertEquals(objects, [undefined, { first: "1" }, { first: "1", second: "2" }]);
  },
);

withWebhook("the AdmissionReview request carries what kube-apiserver sends", async (s) => {
  const chain = new AdmissionChain(
    sources([], [config("Validating", "v", s, [{ name: "allow.example.com", path: "/allow" }])]),
  );
  const oldObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace: "metal" },
  } as KubeObject;
  allowed(await chain.admit(cmCreate({ operation: "UPDATE", oldObject })));
  const { review } = s.received[0];
  const r = review.request;
  assertEquals([review.apiVersion, review.kind], ["admission.k8s.io/v1", "AdmissionReview"]);
  match(r.uid, /^[0-9a-f-]{36}$/);
  assertEquals(r.kind, { group: "", version: "v1", kind: "ConfigMap" });
  assertEquals(r.resource, { group: "", version: "v1", resource: "configmaps" });
  assertEquals(r.requestKind, r.kind);
  assertEquals(r.requestResource, r.resource);
  assertEquals([r.name, r.namespace, r.operation, r.dryRun], ["settings", "metal", "UPDATE", false]);
  assertEquals(r.userInfo, { username: "system:serviceaccount:garden:gardenlet", groups: ["system:serviceaccounts"] });
  assertEquals((r.object as KubeObject).metadata.name, "settings");
  assertEquals(r.oldObject, oldObject);
  assertEquals(r.options, { apiVersion: "meta.k8s.io/v1", kind: "UpdateOptions" });
  assertEquals("subResource" in r, false);
});

withWebhook("a denial carries the webhook's message and status code (403 by default)", async (s) => {
  const chain = new AdmissionChain(sources([], [
    config("Validating", "v", s, [{ name: "deny.example.com", path: "/deny?message=machine%20type%20not%20allowed" }]),
  ]));
  assertEquals(denied(await chain.admit(cmCreate())), {
    allowed: false,
    code: 403,
    reason: "Forbidden",
    message: 'admission webhook "deny.example.com" denied the request: machine type not allowed',
  });
  const coded = new AdmissionChain(
    sources([config("Mutating", "m", s, [{ name: "conflict.example.com", path: "/deny?code=409" }])]),
  );
  assertEquals(denied(await coded.admit(cmCreate())), {
    allowed: false,
    code: 409,
    reason: "Conflict",
    message: 'admission webhook "conflict.example.com" denied the request without explanation',
  });
});

withWebhook("failurePolicy on an unreachable URL: Fail denies with 500, Ignore skips the webhook", async (s, logs) => {
  const port = closedPort();
  const unreachable = { url: `https://127.0.0.1:${port}/validate` };
  const fail = new AdmissionChain(
    sources([], [config("Validating", "v", s, [{ name: "down.example.com", ...unreachable }])]),
  );
  const d = denied(await fail.admit(cmCreate()));
  assertEquals([d.code, d.reason], [500, "InternalError"]);
  const prefix = 'Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: ' +
    `Post "https://127.0.0.1:${port}/validate?timeout=10s": `;
  ok(d.message.startsWith(prefix), d.message);
  match(d.message, /connection refused|ECONNREFUSED/i);
  const ignore = new AdmissionChain(sources([], [
    config("Validating", "v", s, [
      { name: "down.example.com", ...unreachable, failurePolicy: "Ignore" },
      { name: "allow.example.com", path: "/allow" },
    ]),
  ]));
  assertEquals(allowed(await ignore.admit(cmCreate())).warnings, ["warning from /allow"]);
  ok(logs.some((l) => l.includes("ignoring failed webhook call") && l.includes("down.example.com")));
});

withWebhook("failurePolicy on a timeout: the call is abandoned after timeoutSeconds on the clock", async (s) => {
  for (const failurePolicy of ["Fail", "Ignore"] as const) {
    const clock = new FakeClock();
    const chain = new AdmissionChain(
      sources([
        config("Mutating", "m", s, [{ name: "slow.example.com", path: "/hang", timeoutSeconds: 2, failurePolicy }]),
      ]),
      undefined,
      { clock },
    );
    const arrived = s.waitFor("/hang");
    const pending = chain.admit(cmCreate());
    await arrived;
    // Nothing is answered before the deadline ...
    await clock.advance(1999);
    // ... and at the deadline the call is given up.
    await clock.advance(1);
    const out = await pending;
    if (failurePolicy === "Fail") {
      const d = denied(out);
      assertEquals(d.code, 500);
      match(
        d.message,
        /failed calling webhook "slow\.example\.com": failed to call webhook: Post ".*\/hang\?timeout=2s": context deadline exceeded$/,
      );
    } else {
      assertEquals(allowed(out).object?.metadata.labels, undefined);
    }
    assertEquals(clock.pending(), 0);
  }
});

withWebhook("caBundle is trusted; a wrong CA or no CA fails the TLS handshake", async (s) => {
  const other = await startTestWebhook();
  try {
    const wrongCa = new AdmissionChain(
      sources([], [
        config("Validating", "v", s, [{ name: "tls.example.com", path: "/allow", caBundle: other.caBundle }]),
      ]),
    );
    const d = denied(await wrongCa.admit(cmCreate()));
    assertEquals(d.code, 500);
    match(d.message, /failed calling webhook "tls\.example\.com": .*(certificate|UnknownIssuer)/i);
    const noCa = new AdmissionChain(
      sources([], [config("Validating", "v", s, [{ name: "tls.example.com", path: "/allow", caBundle: null }])]),
    );
    assertEquals(denied(await noCa.admit(cmCreate())).code, 500);
    assertEquals(s.received.length, 0, "no request may reach a server whose certificate is not trusted");
    const rightCa = new AdmissionChain(
      sources([], [config("Validating", "v", s, [{ name: "tls.example.com", path: "/allow" }])]),
    );
    allowed(await rightCa.admit(cmCreate()));
  } finally {
    await other.stop();
  }
});

withWebhook("namespaceSelector and objectSelector decide whether a webhook is called", async (s) => {
  const chain = new AdmissionChain(sources([], [
    config("Validating", "v", s, [
      { name: "ns.example.com", path: "/deny?message=ns", namespaceSelector: { matchLabels: { team: "metal" } } },
      { name: "obj.example.com", path: "/deny?message=obj", objectSelector: { matchLabels: { guarded: "true" } } },
    ]),
  ]));
  match(denied(await chain.admit(cmCreate())).message, /denied the request: ns$/);
  allowed(await chain.admit(cmCreate({ namespace: "default" })));
  const guarded = cmCreate({ namespace: "default" });
  guarded.object!.metadata.labels = { guarded: "true" };
  match(denied(await chain.admit(guarded)).message, /denied the request: obj$/);
  const missing = denied(await chain.admit(cmCreate({ namespace: "nowhere" })));
  assertEquals([missing.code, missing.message], [404, 'namespaces "nowhere" not found']);
  assertEquals(s.received.map((r) => r.path), ["/deny", "/deny"]);
});

withWebhook("rules select by operation and resource; webhook configurations themselves are exempt", async (s) => {
  const chain = new AdmissionChain(sources([], [
    config("Validating", "v", s, [{
      name: "deny.example.com",
      path: "/deny",
      rules: [{ operations: ["DELETE"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*/*"] }],
    }]),
  ]));
  allowed(await chain.admit(cmCreate()));
  denied(await chain.admit(cmCreate({ operation: "DELETE", object: undefined })));
  allowed(
    await chain.admit(
      cmCreate({
        operation: "DELETE",
        resource: AdmissionregistrationV1.validatingWebhookConfigurations,
        namespace: undefined,
      }),
    ),
  );
  assertEquals(s.received.length, 1);
});

withWebhook("service references go through resolveService; an unknown service fails the call", async (s) => {
  const hooks = [
    config("Validating", "v", s, [{
      name: "svc.example.com",
      service: { namespace: "garden", name: "admission", port: 8443, path: "/allow" },
    }]),
  ];
  const seen: string[] = [];
  const resolved = new AdmissionChain(sources([], hooks, {
    resolveService: (ns, name, port) => {
      seen.push(`${ns}/${name}:${port}`);
      return s.url;
    },
  }));
  allowed(await resolved.admit(cmCreate()));
  assertEquals(seen, ["garden/admission:8443"]);
  assertEquals(s.received[0].path, "/allow");
  const unresolved = new AdmissionChain(sources([], hooks));
  match(
    denied(await unresolved.admit(cmCreate())).message,
    /Post "https:\/\/admission\.garden\.svc:8443\/allow\?timeout=10s": service "admission" not found/,
  );
});

withWebhook(
  "protocol violations are call failures; a patch that does not apply is a 500 whatever the policy",
  async (s) => {
    const hook = (path: string, kind: "Mutating" | "Validating" = "Validating") =>
      new AdmissionChain(
        kind === "Mutating"
          ? sources([config(kind, "c", s, [{ name: "p.example.com", path, failurePolicy: "Fail" }])])
          : sources([], [config(kind, "c", s, [{ name: "p.example.com", path }])]),
      );
    match(denied(await hook("/bad-uid").admit(cmCreate())).message, /expected response\.uid=/);
    match(
      denied(await hook("/label?key=a&value=b").admit(cmCreate())).message,
      /validating webhook may not return response\.patch/,
    );
    match(
      denied(await hook("/patch-without-type", "Mutating").admit(cmCreate())).message,
      /response\.patch but not response\.patchType/,
    );
    match(denied(await hook("/http-500").admit(cmCreate())).message, /status 500/);
    const ignoring = new AdmissionChain(
      sources([config("Mutating", "c", s, [{ name: "p.example.com", path: "/bad-patch", failurePolicy: "Ignore" }])]),
    );
    const d = denied(await ignoring.admit(cmCreate()));
    assertEquals(d.code, 500);
    match(d.message, /admission webhook "p\.example\.com" returned a patch that cannot be applied/);
  },
);

withWebhook("dry-run requests are refused for webhooks with side effects", async (s) => {
  const chain = new AdmissionChain(
    sources([config("Mutating", "m", s, [{ name: "fx.example.com", path: "/allow", sideEffects: "Some" }])]),
  );
  assertEquals(denied(await chain.admit(cmCreate({ dryRun: true }))), {
    allowed: false,
    code: 400,
    reason: "BadRequest",
    message: 'admission webhook "fx.example.com" does not support dry run',
  });
  allowed(await chain.admit(cmCreate()));
  const dryRunSafe = new AdmissionChain(
    sources([config("Mutating", "m", s, [{ name: "ok.example.com", path: "/allow" }])]),
  );
  allowed(await dryRunSafe.admit(cmCreate({ dryRun: true })));
  const last = s.received.at(-1)!.review.request;
  assertEquals([last.dryRun, (last.options as { dryRun?: string[] }).dryRun], [true, ["All"]]);
  ok(s.received.length === 2);
});
