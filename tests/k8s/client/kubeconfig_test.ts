/**
 * Kubeconfig loading. Where kubectl and @kubernetes/client-node agree, client-node's KubeConfig is the reference
 * oracle: the same files are loaded by both and the resolved server, CA, client certificate/key, token, namespace and
 * TLS verification must match. Where client-node deviates from kubectl (documented precedence rules), the test says
 * so and asserts kubectl's behaviour for us.
 */
import assert from "node:assert/strict";
import type https from "node:https";
import { stringify } from "yaml";
import { KubeConfig } from "@kubernetes/client-node";
import {
  type ClusterConnection,
  connectionFromKubeconfigText,
  inClusterConnection,
  KubeconfigError,
  loadConnection,
} from "../../../src/k8s/client/kubeconfig.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { redact } from "../../../src/observability/redact.ts";
import { makeTestPki, type TestPki } from "../support/pki.ts";

const b64 = (s: string) => btoa(s);
let pkiPromise: Promise<TestPki> | undefined;
const pki = () => (pkiPromise ??= makeTestPki("alice"));

interface View {
  server?: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  namespace?: string;
  insecure: boolean;
}

async function ourView(conn: ClusterConnection): Promise<View> {
  return {
    server: conn.server,
    caPem: conn.caPem,
    certPem: conn.clientCertPem,
    keyPem: conn.clientKeyPem,
    token: await conn.token?.(),
    namespace: conn.namespace,
    insecure: conn.insecureSkipTlsVerify === true,
  };
}

async function clientNodeView(kc: KubeConfig): Promise<View> {
  const opts: https.RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const ctx = kc.getContextObject(kc.getCurrentContext());
  const auth = (opts.headers as Record<string, string | undefined>).Authorization;
  const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return {
    server: kc.getCurrentCluster()?.server,
    caPem: text(opts.ca),
    certPem: text(opts.cert),
    keyPem: text(opts.key),
    token: auth?.replace(/^Bearer /, ""),
    namespace: ctx?.namespace,
    insecure: opts.rejectUnauthorized === false,
  };
}

async function tempDir(files: Record<string, string> = {}): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "k8s-kubeconfig-" });
  for (const [name, content] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, content);
  }
  return dir;
}

function kubeconfig(parts: {
  clusters?: Array<{ name: string; cluster: Record<string, unknown> }>;
  users?: Array<{ name: string; user: Record<string, unknown> }>;
  contexts?: Array<{ name: string; context: Record<string, unknown> }>;
  current?: string;
}): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: parts.clusters ?? [],
    users: parts.users ?? [],
    contexts: parts.contexts ?? [],
    "current-context": parts.current,
  });
}

Deno.test("token, CA data and namespace resolve exactly as in client-node", async () => {
  const { caPem } = await pki();
  const dir = await tempDir({
    config: kubeconfig({
      clusters: [{
        name: "c1",
        cluster: { server: "https://10.0.0.1:6443/", "certificate-authority-data": b64(caPem) },
      }],
      users: [{ name: "u1", user: { token: "static-token-abcdef" } }],
      contexts: [{ name: "ctx", context: { cluster: "c1", user: "u1", namespace: "garden-dev" } }],
      current: "ctx",
    }),
  });
  try {
    const ours = await ourView(await loadConnection({ path: `${dir}/config` }));
    const kc = new KubeConfig();
    kc.loadFromFile(`${dir}/config`);
    const theirs = await clientNodeView(kc);
    assert.deepEqual(ours, theirs);
    assert.equal(ours.server, "https://10.0.0.1:6443", "trailing slash removed");
    assert.equal(ours.caPem, caPem);
    assert.equal(redact("token static-token-abcdef"), "token [REDACTED]", "the token is registered as a secret");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("client certificate and key files with paths relative to the kubeconfig match client-node", async () => {
  const p = await pki();
  const dir = await tempDir({
    "pki/ca.crt": p.caPem,
    "pki/client.crt": p.client.certPem,
    "pki/client.key": p.client.keyPem,
    "sub/config": kubeconfig({
      clusters: [{
        name: "c",
        cluster: { server: "https://127.0.0.1:6443", "certificate-authority": "../pki/ca.crt" },
      }],
      users: [{ name: "u", user: { "client-certificate": "../pki/client.crt", "client-key": "../pki/client.key" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      current: "x",
    }),
  });
  try {
    const conn = await loadConnection({ path: `${dir}/sub/config` });
    const kc = new KubeConfig();
    kc.loadFromFile(`${dir}/sub/config`);
    assert.deepEqual(await ourView(conn), await clientNodeView(kc));
    assert.equal(conn.clientCertPem, p.client.certPem);
    assert.equal(conn.clientKeyPem, p.client.keyPem);
    assert.equal(conn.token, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("insecure-skip-tls-verify and plain http servers", async () => {
  const dir = await tempDir({
    config: kubeconfig({
      clusters: [
        { name: "insecure", cluster: { server: "https://1.2.3.4", "insecure-skip-tls-verify": true } },
        { name: "plain", cluster: { server: "http://127.0.0.1:8080", "insecure-skip-tls-verify": true } },
      ],
      // client-node applies TLS settings only when the context has a user.
      users: [{ name: "u", user: { token: "insecure-token-1234" } }],
      contexts: [
        { name: "a", context: { cluster: "insecure", user: "u" } },
        { name: "b", context: { cluster: "plain", user: "u" } },
      ],
      current: "a",
    }),
  });
  try {
    for (const context of ["a", "b"]) {
      const ours = await ourView(await loadConnection({ path: `${dir}/config`, context }));
      const kc = new KubeConfig();
      kc.loadFromFile(`${dir}/config`);
      kc.setCurrentContext(context);
      assert.deepEqual(ours, await clientNodeView(kc), `context ${context}`);
      assert.equal(ours.insecure, true);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KUBECONFIG list: first file wins per name and for current-context; missing files are skipped", async () => {
  const dir = await tempDir({
    one: kubeconfig({
      clusters: [{ name: "shared", cluster: { server: "https://one.example:6443" } }],
      users: [{ name: "u1", user: { token: "token-from-file-one" } }],
      contexts: [{ name: "c1", context: { cluster: "shared", user: "u1", namespace: "ns-one" } }],
      current: "c1",
    }),
    two: kubeconfig({
      clusters: [
        { name: "shared", cluster: { server: "https://two.example:6443" } },
        { name: "only-two", cluster: { server: "https://only-two.example" } },
      ],
      users: [{ name: "u2", user: { token: "token-from-file-two" } }],
      contexts: [{ name: "c2", context: { cluster: "only-two", user: "u2" } }],
      current: "c2",
    }),
  });
  try {
    const env = { KUBECONFIG: `${dir}/missing::${dir}/one:${dir}/two:${dir}/one` };
    const first = await ourView(await loadConnection({ env }));
    assert.equal(first.server, "https://one.example:6443", "current-context and cluster 'shared' from the first file");
    assert.equal(first.token, "token-from-file-one");
    assert.equal(first.namespace, "ns-one");
    const second = await ourView(await loadConnection({ env, context: "c2" }));
    assert.equal(second.server, "https://only-two.example", "entries only in later files are still found");
    assert.equal(second.token, "token-from-file-two");

    // client-node's equivalent of a KUBECONFIG merge (files without duplicate names: client-node throws on those).
    const kcOne = new KubeConfig();
    kcOne.loadFromFile(`${dir}/one`);
    const kcTwo = new KubeConfig();
    kcTwo.loadFromFile(`${dir}/two`);
    kcTwo.clusters = kcTwo.clusters.filter((c) => c.name !== "shared");
    kcOne.mergeConfig(kcTwo, true);
    assert.deepEqual(first, await clientNodeView(kcOne));
    kcOne.setCurrentContext("c2");
    assert.deepEqual(second, await clientNodeView(kcOne));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConnection precedence: --kubeconfig, then KUBECONFIG, then ~/.kube/config, then in-cluster", async () => {
  const mk = (server: string) =>
    kubeconfig({
      clusters: [{ name: "c", cluster: { server } }],
      contexts: [{ name: "x", context: { cluster: "c" } }],
      current: "x",
    });
  const { caPem } = await pki();
  const dir = await tempDir({
    explicit: mk("https://explicit"),
    env: mk("https://env"),
    "home/.kube/config": mk("https://home"),
    "sa/token": "sa-token-0123456789\n",
    "sa/ca.crt": caPem,
  });
  try {
    const base = { HOME: `${dir}/home`, KUBECONFIG: `${dir}/env`, KUBERNETES_SERVICE_HOST: "10.96.0.1" };
    const env = { ...base, KUBERNETES_SERVICE_PORT: "443" };
    const inClusterRoot = `${dir}/sa`;
    assert.equal((await loadConnection({ path: `${dir}/explicit`, env, inClusterRoot })).server, "https://explicit");
    assert.equal((await loadConnection({ env, inClusterRoot })).server, "https://env");
    assert.equal((await loadConnection({ env: { ...env, KUBECONFIG: "" }, inClusterRoot })).server, "https://home");
    const inCluster = await loadConnection({ env: { ...env, KUBECONFIG: "", HOME: `${dir}/nowhere` }, inClusterRoot });
    assert.equal(inCluster.server, "https://10.96.0.1:443");
    await assert.rejects(
      loadConnection({ env: { HOME: `${dir}/nowhere` } }),
      /no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG/,
    );
    await assert.rejects(
      loadConnection({ env: { KUBECONFIG: `${dir}/nope1:${dir}/nope2` } }),
      /none of the listed files exists/,
    );
    await assert.rejects(loadConnection({ path: `${dir}/nope` }), /kubeconfig .*\/nope: cannot read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("in-cluster: server, CA, namespace and token as in client-node; the token is re-read when it rotates", async () => {
  const { caPem } = await pki();
  const dir = await tempDir({
    "var/run/secrets/kubernetes.io/serviceaccount/token": "sa-token-first-0001",
    "var/run/secrets/kubernetes.io/serviceaccount/ca.crt": caPem,
    "var/run/secrets/kubernetes.io/serviceaccount/namespace": "garden\n",
  });
  const root = `${dir}/var/run/secrets/kubernetes.io/serviceaccount`;
  const clock = new FakeClock();
  const saved = { host: Deno.env.get("KUBERNETES_SERVICE_HOST"), port: Deno.env.get("KUBERNETES_SERVICE_PORT") };
  try {
    const env = { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "6443" };
    const conn = await inClusterConnection(root, { env, clock });
    // client-node reads the process environment.
    Deno.env.set("KUBERNETES_SERVICE_HOST", env.KUBERNETES_SERVICE_HOST);
    Deno.env.set("KUBERNETES_SERVICE_PORT", env.KUBERNETES_SERVICE_PORT);
    const kc = new KubeConfig();
    kc.loadFromCluster(dir);
    const theirs = await clientNodeView(kc);
    const ours = await ourView(conn);
    assert.equal(ours.server, "https://[fd00::1]:6443");
    assert.deepEqual(
      { ...ours, namespace: ours.namespace },
      { ...theirs, namespace: theirs.namespace?.trim() },
      "client-node keeps the trailing newline of the namespace file; kubectl trims it",
    );

    await Deno.writeTextFile(`${root}/token`, "sa-token-second-002");
    assert.equal(await conn.token!(), "sa-token-first-0001", "cached within the minute");
    await clock.advance(60_000);
    assert.equal(await conn.token!(), "sa-token-second-002", "re-read after a minute");
    await Deno.writeTextFile(`${root}/token`, "sa-token-third-0003");
    conn.invalidateCredentials!();
    assert.equal(await conn.token!(), "sa-token-third-0003", "re-read at once after a 401");
    await Deno.remove(`${root}/token`);
    conn.invalidateCredentials!();
    assert.equal(await conn.token!(), "sa-token-third-0003", "a failed re-read keeps the last good token");
  } finally {
    if (saved.host === undefined) Deno.env.delete("KUBERNETES_SERVICE_HOST");
    else Deno.env.set("KUBERNETES_SERVICE_HOST", saved.host);
    if (saved.port === undefined) Deno.env.delete("KUBERNETES_SERVICE_PORT");
    else Deno.env.set("KUBERNETES_SERVICE_PORT", saved.port);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("in-cluster errors name what is missing", async () => {
  const dir = await tempDir({ "sa/ca.crt": "not a pem" });
  try {
    await assert.rejects(
      inClusterConnection(`${dir}/sa`, { env: {} }),
      /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT/,
    );
    const env = { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" };
    await assert.rejects(inClusterConnection(`${dir}/nothing`, { env }), /cannot read .*nothing\/ca\.crt/);
    await assert.rejects(inClusterConnection(`${dir}/sa`, { env }), /ca\.crt does not contain a PEM certificate/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tokenFile is re-read every minute and wins over token (kubectl); client-node ignores tokenFile", async () => {
  const dir = await tempDir({
    token: "file-token-aaaaaaaa\n",
    config: kubeconfig({
      clusters: [{ name: "c", cluster: { server: "https://k" } }],
      users: [{ name: "u", user: { tokenFile: "token", token: "inline-token-bbbbbbb" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      current: "x",
    }),
  });
  try {
    const clock = new FakeClock();
    const conn = await loadConnection({ path: `${dir}/config`, clock });
    assert.equal(await conn.token!(), "file-token-aaaaaaaa", "trimmed file content");
    await Deno.writeTextFile(`${dir}/token`, "file-token-cccccccc");
    await clock.advance(59_000);
    assert.equal(await conn.token!(), "file-token-aaaaaaaa");
    await clock.advance(1_000);
    assert.equal(await conn.token!(), "file-token-cccccccc");
    const kc = new KubeConfig();
    kc.loadFromFile(`${dir}/config`);
    assert.equal((await clientNodeView(kc)).token, "inline-token-bbbbbbb", "client-node only knows `token`");

    await Deno.remove(`${dir}/token`);
    const fresh = await loadConnection({ path: `${dir}/config`, clock });
    assert.equal(await fresh.token!(), "inline-token-bbbbbbb", "unreadable file: fall back to token");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("certificate data wins over the file (kubectl: '-data overrides'); client-node prefers the file", async () => {
  const p = await pki();
  const other = await makeTestPki("bob");
  const dir = await tempDir({
    "ca-file.crt": other.caPem,
    config: kubeconfig({
      clusters: [{
        name: "c",
        cluster: {
          server: "https://k",
          "certificate-authority": "ca-file.crt",
          "certificate-authority-data": b64(p.caPem),
        },
      }],
      users: [{ name: "u", user: { token: "data-wins-token-1" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      current: "x",
    }),
  });
  try {
    const conn = await loadConnection({ path: `${dir}/config` });
    assert.equal(conn.caPem, p.caPem);
    const kc = new KubeConfig();
    kc.loadFromFile(`${dir}/config`);
    assert.equal((await clientNodeView(kc)).caPem, other.caPem);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const EXEC_SCRIPT = `#!/bin/sh
dir="$(dirname "$0")"
echo "$*" >> "$dir/calls"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info"
printf '%s' "$PLUGIN_GREETING" > "$dir/env-seen"
cat "$dir/response"
`;

async function execSetup(apiVersion: string, response: unknown, extra: Record<string, unknown> = {}) {
  const dir = await tempDir({
    "bin/plugin": EXEC_SCRIPT,
    "bin/response": JSON.stringify(response),
  });
  await Deno.chmod(`${dir}/bin/plugin`, 0o755);
  await Deno.writeTextFile(
    `${dir}/config`,
    kubeconfig({
      clusters: [{ name: "c", cluster: { server: "https://exec.example:6443", "insecure-skip-tls-verify": true } }],
      users: [{
        name: "u",
        user: {
          exec: {
            apiVersion,
            command: "./bin/plugin",
            args: ["get-token", "--cluster", "c"],
            env: [{ name: "PLUGIN_GREETING", value: "hello" }],
            ...extra,
          },
        },
      }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      current: "x",
    }),
  );
  const calls = async () => (await Deno.readTextFile(`${dir}/bin/calls`).catch(() => "")).split("\n").filter(Boolean);
  return { dir, calls };
}

for (const apiVersion of ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]) {
  Deno.test(`exec plugin ${apiVersion}: token matches client-node, cached until expirationTimestamp`, async () => {
    const clock = new FakeClock();
    const expires = new Date(clock.now() + 10 * 60_000).toISOString();
    const { dir, calls } = await execSetup(apiVersion, {
      apiVersion,
      kind: "ExecCredential",
      status: { token: "exec-token-0123456789", expirationTimestamp: expires },
    }, { interactiveMode: "IfAvailable", provideClusterInfo: true });
    try {
      const conn = await loadConnection({ path: `${dir}/config`, clock });
      const [a, b] = await Promise.all([conn.token!(), conn.token!()]);
      assert.equal(a, "exec-token-0123456789");
      assert.equal(b, a);
      assert.deepEqual(await calls(), ["get-token --cluster c"], "one run for concurrent callers");
      const info = JSON.parse(await Deno.readTextFile(`${dir}/bin/exec-info`));
      assert.equal(info.apiVersion, apiVersion);
      assert.equal(info.kind, "ExecCredential");
      assert.equal(info.spec.interactive, false);
      assert.equal(info.spec.cluster.server, "https://exec.example:6443", "provideClusterInfo passes the cluster");
      assert.equal(await Deno.readTextFile(`${dir}/bin/env-seen`), "hello", "exec.env reaches the plugin");

      await clock.advance(9 * 60_000);
      await conn.token!();
      assert.equal((await calls()).length, 1, "still cached before expiry");
      await clock.advance(60_000);
      await conn.token!();
      assert.equal((await calls()).length, 2, "re-run at expiry");
      conn.invalidateCredentials!();
      await conn.token!();
      assert.equal((await calls()).length, 3, "re-run after a 401");

      const kc = new KubeConfig();
      kc.loadFromFile(`${dir}/config`);
      // client-node does not resolve a relative command against the kubeconfig's folder (kubectl does).
      kc.users[0].exec.command = `${dir}/bin/plugin`;
      const theirs = await clientNodeView(kc);
      assert.equal(theirs.token, a);
      assert.equal(redact(a), "[REDACTED]");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("exec plugin returning a client certificate", async () => {
  const p = await pki();
  const apiVersion = "client.authentication.k8s.io/v1beta1";
  const { dir } = await execSetup(apiVersion, {
    apiVersion,
    kind: "ExecCredential",
    status: { clientCertificateData: p.client.certPem, clientKeyData: p.client.keyPem },
  });
  try {
    const conn = await loadConnection({ path: `${dir}/config` });
    assert.equal(await conn.token!(), undefined);
    assert.deepEqual(await conn.clientCertificate!(), { certPem: p.client.certPem, keyPem: p.client.keyPem });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exec plugin failures are clear errors naming the kubeconfig field and the plugin", async () => {
  const v1 = "client.authentication.k8s.io/v1";
  const cases: Array<{ response: unknown; extra?: Record<string, unknown>; error: RegExp; script?: string }> = [
    {
      response: { apiVersion: v1, kind: "ExecCredential", status: { token: "x" } },
      error: /interactiveMode: required/,
    },
    {
      response: {},
      extra: { apiVersion: "client.authentication.k8s.io/v1alpha1" },
      error: /exec\.apiVersion: unsupported "client.authentication.k8s.io\/v1alpha1"/,
    },
    { response: {}, extra: { interactiveMode: "Always" }, error: /"Always" needs a terminal/ },
    {
      response: { apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { token: "x" } },
      extra: { interactiveMode: "Never" },
      error: /returned apiVersion "client.authentication.k8s.io\/v1beta1", but "client.authentication.k8s.io\/v1"/,
    },
    {
      response: { apiVersion: v1, kind: "ExecCredential", status: {} },
      extra: { interactiveMode: "Never" },
      error: /neither a token nor a client certificate/,
    },
    {
      response: { apiVersion: v1, kind: "ExecCredential", status: { token: "t", expirationTimestamp: "soon" } },
      extra: { interactiveMode: "Never" },
      error: /expirationTimestamp "soon" is not an RFC 3339 time/,
    },
    {
      response: { apiVersion: v1, kind: "ExecCredential", status: { clientCertificateData: "x" } },
      extra: { interactiveMode: "Never" },
      error: /must be given together/,
    },
    { response: "not json at all", extra: { interactiveMode: "Never" }, error: /output is not JSON/ },
    {
      response: {},
      extra: { interactiveMode: "Never", command: "/nonexistent/kubelogin", installHint: "Install kubelogin." },
      error: /plugin "\/nonexistent\/kubelogin": command not found\. Install kubelogin\./,
    },
  ];
  for (const c of cases) {
    const { dir } = await execSetup(v1, c.response, c.extra);
    try {
      if (typeof c.response === "string") await Deno.writeTextFile(`${dir}/bin/response`, c.response);
      await assert.rejects(
        (async () => await (await loadConnection({ path: `${dir}/config` })).token!())(),
        (e: Error) => {
          assert.match(e.message, c.error);
          assert.match(e.message, /kubeconfig .*config: users\[0\]\.user\.exec/);
          return true;
        },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  // A failing plugin: exit code and stderr are reported.
  const { dir } = await execSetup(v1, {}, { interactiveMode: "Never" });
  try {
    await Deno.writeTextFile(`${dir}/bin/plugin`, "#!/bin/sh\necho 'login expired, run kubelogin' >&2\nexit 3\n");
    const conn = await loadConnection({ path: `${dir}/config` });
    await assert.rejects(conn.token!(), /exited with code 3: login expired, run kubelogin/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad kubeconfigs are rejected naming the file and the field", async () => {
  const p = await pki();
  const ctx = [{ name: "x", context: { cluster: "c", user: "u" } }];
  const cluster = [{ name: "c", cluster: { server: "https://k" } }];
  const cases: Array<{ text: string; context?: string; error: RegExp }> = [
    { text: "clusters: [\n", error: /not valid YAML/ },
    // The parser's own message quotes the offending line; here that line holds a token.
    {
      text: "users:\n- user:\n    token: sekret-0123456789: x: [\n",
      error: /: not valid YAML at line 3, column \d+ \(\w+\)$/,
    },
    { text: kubeconfig({ clusters: [{ name: "c", cluster: {} }] }), error: /clusters\[0\]\.cluster\.server: / },
    { text: kubeconfig({ clusters: cluster, contexts: ctx }), error: /current-context: not set/ },
    {
      text: kubeconfig({ clusters: cluster, contexts: ctx, current: "y" }),
      error: /context "y" not found \(known contexts: x\)/,
    },
    {
      text: kubeconfig({ clusters: cluster, contexts: ctx, current: "x" }),
      context: "z",
      error: /--context: context "z" not found/,
    },
    {
      text: kubeconfig({ contexts: ctx, current: "x" }),
      error: /contexts\[0\]\.context\.cluster: cluster "c" not found/,
    },
    {
      text: kubeconfig({ clusters: cluster, contexts: ctx, current: "x" }),
      error: /contexts\[0\]\.context\.user: user "u" not found/,
    },
    {
      text: kubeconfig({
        clusters: [{ name: "c", cluster: { server: "ftp://k" } }],
        contexts: [{ name: "x", context: { cluster: "c" } }],
        current: "x",
      }),
      error: /clusters\[0\]\.cluster\.server: scheme must be https or http/,
    },
    {
      text: kubeconfig({
        clusters: [{ name: "c", cluster: { server: "https://k", "certificate-authority-data": "%%%" } }],
        contexts: [{ name: "x", context: { cluster: "c" } }],
        current: "x",
      }),
      error: /clusters\[0\]\.cluster\.certificate-authority-data: is not valid base64/,
    },
    {
      text: kubeconfig({
        clusters: [{ name: "c", cluster: { server: "https://k", "certificate-authority-data": b64("hello") } }],
        contexts: [{ name: "x", context: { cluster: "c" } }],
        current: "x",
      }),
      error: /certificate-authority-data: does not contain a PEM certificate/,
    },
    {
      text: kubeconfig({
        clusters: [{
          name: "c",
          cluster: {
            server: "https://k",
            "certificate-authority-data": b64(p.caPem),
            "insecure-skip-tls-verify": true,
          },
        }],
        contexts: [{ name: "x", context: { cluster: "c" } }],
        current: "x",
      }),
      error: /insecure-skip-tls-verify: cannot be combined with certificate-authority/,
    },
    {
      text: kubeconfig({
        clusters: cluster,
        users: [{ name: "u", user: { "client-certificate-data": b64(p.client.certPem) } }],
        contexts: ctx,
        current: "x",
      }),
      error: /users\[0\]\.user\.client-key: client certificate and key must be given together/,
    },
    {
      text: kubeconfig({
        clusters: cluster,
        users: [{ name: "u", user: { "client-key": "/no/such/key" } }],
        contexts: ctx,
        current: "x",
      }),
      error: /users\[0\]\.user\.client-key: cannot read \/no\/such\/key/,
    },
    {
      text: kubeconfig({
        clusters: cluster,
        users: [{ name: "u", user: { "auth-provider": { name: "gcp" } } }],
        contexts: ctx,
        current: "x",
      }),
      error: /auth-provider: auth provider "gcp" is not supported; use an exec credential plugin/,
    },
    {
      text: kubeconfig({
        clusters: cluster,
        users: [{ name: "u", user: { username: "a", password: "b" } }],
        contexts: ctx,
        current: "x",
      }),
      error: /users\[0\]\.user\.username: basic authentication is not supported/,
    },
    {
      text: kubeconfig({ clusters: [...cluster, ...cluster], contexts: ctx, current: "x" }),
      error: /clusters\[1\]\.name: duplicate name "c" \(also clusters\[0\]\)/,
    },
  ];
  for (const c of cases) {
    await assert.rejects(
      connectionFromKubeconfigText(c.text, { name: "/etc/test/kubeconfig", context: c.context }),
      (e: Error) => {
        assert.ok(e instanceof KubeconfigError, `${e}`);
        assert.match(e.message, /^kubeconfig \/etc\/test\/kubeconfig: /);
        assert.match(e.message, c.error);
        return true;
      },
    );
  }
});

Deno.test("impersonation and proxy settings are carried into the connection", async () => {
  const conn = await connectionFromKubeconfigText(
    kubeconfig({
      clusters: [{ name: "c", cluster: { server: "https://k", "proxy-url": "http://proxy:3128" } }],
      users: [{ name: "u", user: { token: "imp-token-123456", as: "system:admin", "as-groups": ["a", "b"] } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      current: "x",
    }),
    { name: "inline" },
  );
  assert.equal(conn.proxyUrl, "http://proxy:3128");
  assert.deepEqual(conn.impersonate, { user: "system:admin", uid: undefined, groups: ["a", "b"] });
  assert.match(conn.source ?? "", /kubeconfig inline context x/);
});
