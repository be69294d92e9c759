/**
 * How to reach one API server. Loaded from a kubeconfig file (token, tokenFile, client certificates, exec
 * credential plugins, CA data/file, insecure-skip-tls-verify; the KUBECONFIG variable and --kubeconfig) or from the
 * in-cluster service account (token re-read when it rotates).
 */
import { type Clock, realClock } from "../../runtime/clock.ts";
import type { Logger } from "../../observability/log.ts";
import { registerSecret } from "../../observability/redact.ts";
import { ExecCredentialProvider } from "./exec_credential.ts";
import {
  KubeconfigError,
  type MergedKubeconfig,
  mergeKubeconfigs,
  parseKubeconfig,
  splitKubeconfigEnv,
} from "./kubeconfig_file.ts";
import { TokenFile } from "./token_file.ts";
import { tunnelProxy } from "./proxy.ts";
import { decodeBase64 } from "../../runtime/base64.ts";

export { KubeconfigError } from "./kubeconfig_file.ts";

/** Everything the client needs to talk to one API server. */
export interface ClusterConnection {
  /** Base URL, e.g. `https://127.0.0.1:6443` (may carry a path prefix; no trailing slash). */
  server: string;
  /** PEM CA bundle to trust (absent: system roots). */
  caPem?: string;
  /** PEM client certificate and key for mTLS. */
  clientCertPem?: string;
  clientKeyPem?: string;
  insecureSkipTlsVerify?: boolean;
  /** Returns the current bearer token (re-read or refreshed as needed); undefined for none. */
  token?: () => Promise<string | undefined>;
  /** Default namespace from the context or the in-cluster namespace file. */
  namespace?: string;
  /** Client certificate that may change at run time (exec plugins that return certificates). */
  clientCertificate?: () => Promise<{ certPem: string; keyPem: string } | undefined>;
  /** Called after a 401: the next `token()`/`clientCertificate()` must fetch fresh credentials. */
  invalidateCredentials?: () => void;
  /** Credentials come from an exec plugin: the process must keep its permission to run programs. */
  execPlugin?: boolean;
  /**
   * Proxy (kubeconfig `proxy-url`): http, https or socks5 for plain http:// servers and HTTPS servers without a CA;
   * http:// only (HTTP CONNECT) for servers verified against their own CA or with insecure-skip-tls-verify.
   */
  proxyUrl?: string;
  /** Impersonation headers (kubeconfig `as`, `as-uid`, `as-groups`). */
  impersonate?: { user?: string; uid?: string; groups?: string[] };
  /** Where this connection came from, for logs and errors (never contains secrets). */
  source?: string;
}

export interface LoadKubeconfigOptions {
  /** Explicit path (a --kubeconfig flag). Otherwise KUBECONFIG, then ~/.kube/config, then in-cluster. */
  path?: string;
  /** The flag that gives `path`, named when no configuration is found (default `--kubeconfig`). */
  flag?: string;
  context?: string;
  /** Environment to read KUBECONFIG, HOME and KUBERNETES_SERVICE_* from (default: the process environment). */
  env?: Record<string, string | undefined>;
  /** Service-account folder for the in-cluster fallback. */
  inClusterRoot?: string;
  clock?: Clock;
  log?: Logger;
}

const SERVICE_ACCOUNT_ROOT = "/var/run/secrets/kubernetes.io/serviceaccount";

function processEnv(): Record<string, string | undefined> {
  return Deno.env.toObject();
}

function definedEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

async function readKubeconfigFile(path: string): Promise<MergedKubeconfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new KubeconfigError(path, "", `cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseKubeconfig(text, path);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Resolves a connection from flags, environment and files, as kubectl and controller-runtime do. */
export async function loadConnection(opts: LoadKubeconfigOptions = {}): Promise<ClusterConnection> {
  const env = opts.env ?? processEnv();
  if (opts.path) {
    return connectionFromKubeconfig(await readKubeconfigFile(opts.path), opts);
  }
  if (env.KUBECONFIG) {
    const files: MergedKubeconfig[] = [];
    // Like kubectl, files of the list that do not exist are skipped.
    for (const f of splitKubeconfigEnv(env.KUBECONFIG)) if (await exists(f)) files.push(await readKubeconfigFile(f));
    if (files.length === 0) {
      throw new KubeconfigError(`KUBECONFIG=${env.KUBECONFIG}`, "", "none of the listed files exists");
    }
    return connectionFromKubeconfig(mergeKubeconfigs(files), opts);
  }
  const home = env.HOME;
  if (home && (await exists(`${home}/.kube/config`))) {
    return connectionFromKubeconfig(await readKubeconfigFile(`${home}/.kube/config`), opts);
  }
  if (env.KUBERNETES_SERVICE_HOST) {
    return inClusterConnection(opts.inClusterRoot ?? SERVICE_ACCOUNT_ROOT, opts);
  }
  throw new Error(
    `no Kubernetes configuration found: pass ${opts.flag ?? "--kubeconfig"}, set KUBECONFIG, create ~/.kube/config, ` +
      "or run in a pod (KUBERNETES_SERVICE_HOST is not set)",
  );
}

/** Builds a connection from kubeconfig text that did not come from a file (e.g. a Secret's `kubeconfig` key). */
export async function connectionFromKubeconfigText(
  text: string,
  opts: { name: string; context?: string; clock?: Clock; log?: Logger; env?: Record<string, string | undefined> },
): Promise<ClusterConnection> {
  return await connectionFromKubeconfig(parseKubeconfig(text, opts.name), opts);
}

function decodeBase64Field(data: string, file: string, field: string): string {
  try {
    return new TextDecoder().decode(decodeBase64(data));
  } catch {
    throw new KubeconfigError(file, field, "is not valid base64");
  }
}

async function readPemFile(path: string, file: string, field: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new KubeconfigError(file, field, `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function checkPem(pem: string, kind: "CERTIFICATE" | "PRIVATE KEY", file: string, field: string): string {
  const ok = kind === "CERTIFICATE"
    ? /-----BEGIN CERTIFICATE-----/.test(pem)
    : /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem);
  if (!ok) throw new KubeconfigError(file, field, `does not contain a PEM ${kind.toLowerCase()}`);
  return pem;
}

/** Data wins over file, as kubectl documents (`*-data` "overrides" the path). */
async function pemFrom(
  data: string | null | undefined,
  path: string | null | undefined,
  kind: "CERTIFICATE" | "PRIVATE KEY",
  file: string,
  field: string,
): Promise<string | undefined> {
  if (data) return checkPem(decodeBase64Field(data, file, `${field}-data`), kind, file, `${field}-data`);
  if (path) return checkPem(await readPemFile(path, file, field), kind, file, field);
  return undefined;
}

/** Resolves the selected (or current) context of merged kubeconfig files into a connection. */
export async function connectionFromKubeconfig(
  cfg: MergedKubeconfig,
  opts: { context?: string; clock?: Clock; log?: Logger; env?: Record<string, string | undefined> } = {},
): Promise<ClusterConnection> {
  const files = cfg.files.join(":");
  const contextName = opts.context ?? cfg.currentContext?.name;
  if (!contextName) {
    throw new KubeconfigError(files, "current-context", "not set, and no context was selected (--context)");
  }
  const ctx = cfg.contexts.get(contextName);
  if (!ctx) {
    const field = opts.context ? "--context" : "current-context";
    const known = [...cfg.contexts.keys()].join(", ") || "none";
    throw new KubeconfigError(files, field, `context "${contextName}" not found (known contexts: ${known})`);
  }
  const cluster = cfg.clusters.get(ctx.value.cluster);
  if (!cluster) {
    throw new KubeconfigError(ctx.file, `${ctx.field}.context.cluster`, `cluster "${ctx.value.cluster}" not found`);
  }
  const userName = ctx.value.user ?? undefined;
  const user = userName ? cfg.users.get(userName) : undefined;
  if (userName && !user) {
    throw new KubeconfigError(ctx.file, `${ctx.field}.context.user`, `user "${userName}" not found`);
  }

  const c = cluster.value;
  const cf = `${cluster.field}.cluster`;
  let url: URL;
  try {
    url = new URL(c.server);
  } catch {
    throw new KubeconfigError(cluster.file, `${cf}.server`, `"${c.server}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new KubeconfigError(cluster.file, `${cf}.server`, `scheme must be https or http, got "${url.protocol}"`);
  }
  const caPem = await pemFrom(
    c["certificate-authority-data"],
    c["certificate-authority"],
    "CERTIFICATE",
    cluster.file,
    `${cf}.certificate-authority`,
  );
  const insecure = c["insecure-skip-tls-verify"] === true;
  if (insecure && caPem) {
    throw new KubeconfigError(
      cluster.file,
      `${cf}.insecure-skip-tls-verify`,
      "cannot be combined with certificate-authority(-data): choose one",
    );
  }
  const proxyUrl = c["proxy-url"] ?? undefined;
  if (proxyUrl && url.protocol === "https:" && (caPem || insecure)) {
    const proxy = tunnelProxy(proxyUrl);
    if ("problem" in proxy) throw new KubeconfigError(cluster.file, `${cf}.proxy-url`, proxy.problem);
  }
  if (c["tls-server-name"]) {
    opts.log?.warn("kubeconfig tls-server-name is not supported and is ignored", {
      file: cluster.file,
      field: `${cf}.tls-server-name`,
    });
  }

  const conn: ClusterConnection = {
    server: c.server.replace(/\/+$/, ""),
    caPem,
    insecureSkipTlsVerify: insecure || undefined,
    proxyUrl,
    namespace: ctx.value.namespace ?? undefined,
    source: `kubeconfig ${files} context ${contextName}`,
  };

  if (user) {
    const u = user.value;
    const uf = `${user.field}.user`;
    if (u["auth-provider"]) {
      throw new KubeconfigError(
        user.file,
        `${uf}.auth-provider`,
        `auth provider "${u["auth-provider"].name}" is not supported; use an exec credential plugin instead`,
      );
    }
    if (u.username || u.password) {
      throw new KubeconfigError(
        user.file,
        `${uf}.username`,
        "basic authentication is not supported (removed from Kubernetes in 1.19)",
      );
    }
    const certPem = await pemFrom(
      u["client-certificate-data"],
      u["client-certificate"],
      "CERTIFICATE",
      user.file,
      `${uf}.client-certificate`,
    );
    const keyPem = await pemFrom(
      u["client-key-data"],
      u["client-key"],
      "PRIVATE KEY",
      user.file,
      `${uf}.client-key`,
    );
    if (!!certPem !== !!keyPem) {
      throw new KubeconfigError(
        user.file,
        certPem ? `${uf}.client-key` : `${uf}.client-certificate`,
        "client certificate and key must be given together",
      );
    }
    registerSecret(keyPem);
    conn.clientCertPem = certPem;
    conn.clientKeyPem = keyPem;
    if (u.as || u["as-groups"]?.length || u["as-uid"]) {
      conn.impersonate = {
        user: u.as ?? undefined,
        uid: u["as-uid"] ?? undefined,
        groups: u["as-groups"] ?? undefined,
      };
    }

    const clock = opts.clock ?? realClock;
    if (u.tokenFile) {
      // Newer kubectl: the file is re-read periodically and its content wins over `token`.
      const tf = new TokenFile(u.tokenFile, {
        fallback: u.token ?? undefined,
        describe: `kubeconfig ${user.file}: ${uf}.tokenFile`,
        clock,
        log: opts.log,
      });
      conn.token = () => tf.token();
      conn.invalidateCredentials = () => tf.invalidate();
    } else if (u.token) {
      const token = u.token;
      registerSecret(token);
      conn.token = () => Promise.resolve(token);
    } else if (u.exec) {
      const exec = new ExecCredentialProvider({
        config: u.exec,
        file: user.file,
        field: `${uf}.exec`,
        cluster: { server: conn.server, caPem, insecureSkipTlsVerify: insecure, proxyUrl: conn.proxyUrl },
        env: opts.env ? definedEnv(opts.env) : undefined,
        clock,
        log: opts.log,
      });
      conn.token = async () => (await exec.get()).token;
      conn.clientCertificate = async () => {
        const cred = await exec.get();
        return cred.clientCertPem && cred.clientKeyPem
          ? { certPem: cred.clientCertPem, keyPem: cred.clientKeyPem }
          : undefined;
      };
      conn.invalidateCredentials = () => exec.invalidate();
      conn.execPlugin = true;
    }
  }
  return conn;
}

/** The in-cluster connection from KUBERNETES_SERVICE_HOST/PORT and the service account files. */
export async function inClusterConnection(
  root = SERVICE_ACCOUNT_ROOT,
  opts: { env?: Record<string, string | undefined>; clock?: Clock; log?: Logger } = {},
): Promise<ClusterConnection> {
  const env = opts.env ?? processEnv();
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error(
      "in-cluster configuration: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set " +
        "(this process does not seem to run in a pod)",
    );
  }
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  let caPem: string;
  try {
    caPem = await Deno.readTextFile(`${root}/ca.crt`);
  } catch (e) {
    throw new Error(`in-cluster configuration: cannot read ${root}/ca.crt: ${e instanceof Error ? e.message : e}`);
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(caPem)) {
    throw new Error(`in-cluster configuration: ${root}/ca.crt does not contain a PEM certificate`);
  }
  let namespace: string | undefined;
  try {
    namespace = (await Deno.readTextFile(`${root}/namespace`)).trim() || undefined;
  } catch {
    namespace = undefined; // optional, as in client-go
  }
  const tf = new TokenFile(`${root}/token`, {
    describe: "in-cluster service account",
    clock: opts.clock,
    log: opts.log,
  });
  await tf.token(); // fail now, with a clear message, if the token is unreadable
  return {
    server: `https://${hostPart}:${port}`,
    caPem,
    namespace,
    token: () => tf.token(),
    invalidateCredentials: () => tf.invalidate(),
    source: `in-cluster service account ${root}`,
  };
}
