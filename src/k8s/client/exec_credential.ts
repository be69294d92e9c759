/**
 * Exec credential plugins (client.authentication.k8s.io/v1 and v1beta1), as kubectl runs them: the command from
 * users[].user.exec is started with KUBERNETES_EXEC_INFO, its ExecCredential output is validated and cached until
 * its expirationTimestamp, and concurrent callers share one run. The client invalidates the cache on a 401.
 */
import { z } from "zod";
import { type Clock, realClock } from "../../runtime/clock.ts";
import type { Logger } from "../../observability/log.ts";
import { registerSecret } from "../../observability/redact.ts";
import type { ExecConfig } from "./kubeconfig_file.ts";
import { encodeBase64 } from "../../runtime/base64.ts";

/** Credential API versions we speak (v1alpha1 was removed in Kubernetes 1.24). */
export const EXEC_API_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"] as const;

/** What a plugin gave us. */
export interface ExecCredential {
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Epoch ms after which the credential must be fetched again; absent: until a 401. */
  expiresAt?: number;
}

/** The cluster as passed to plugins with `provideClusterInfo: true`. */
export interface ExecClusterInfo {
  server: string;
  caPem?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
}

export interface ExecCredentialOptions {
  config: ExecConfig;
  /** Kubeconfig file and field of the exec section, for error messages. */
  file: string;
  field: string;
  cluster: ExecClusterInfo;
  /** Environment the plugin inherits (default: this process's environment). */
  env?: Record<string, string>;
  /** A plugin that runs longer is killed (default 2 minutes). */
  timeoutMs?: number;
  clock?: Clock;
  log?: Logger;
}

/** An exec plugin failed or returned something unusable. */
export class ExecCredentialError extends Error {
  constructor(file: string, field: string, detail: string) {
    super(`kubeconfig ${file}: ${field}: ${detail}`);
    this.name = "ExecCredentialError";
  }
}

const ExecCredentialOutput = z.object({
  apiVersion: z.string(),
  kind: z.literal("ExecCredential"),
  status: z.object({
    token: z.string().nullish(),
    clientCertificateData: z.string().nullish(),
    clientKeyData: z.string().nullish(),
    expirationTimestamp: z.string().nullish(),
  }).loose().nullish(),
}).loose();

/** Runs an exec plugin on demand and caches its credential until it expires. */
export class ExecCredentialProvider {
  private cached?: ExecCredential;
  private inFlight?: Promise<ExecCredential>;
  private readonly clock: Clock;

  constructor(readonly options: ExecCredentialOptions) {
    this.clock = options.clock ?? realClock;
    const { config, file, field } = options;
    if (!(EXEC_API_VERSIONS as readonly string[]).includes(config.apiVersion)) {
      throw new ExecCredentialError(
        file,
        `${field}.apiVersion`,
        `unsupported "${config.apiVersion}" (supported: ${EXEC_API_VERSIONS.join(", ")})`,
      );
    }
    if (config.apiVersion === EXEC_API_VERSIONS[0] && !config.interactiveMode) {
      throw new ExecCredentialError(file, `${field}.interactiveMode`, `required for ${config.apiVersion}`);
    }
    if (config.interactiveMode === "Always") {
      throw new ExecCredentialError(
        file,
        `${field}.interactiveMode`,
        `"Always" needs a terminal, but this program runs plugins non-interactively`,
      );
    }
  }

  /** The current credential, running the plugin if nothing valid is cached. */
  get(): Promise<ExecCredential> {
    const c = this.cached;
    if (c && (c.expiresAt === undefined || this.clock.now() < c.expiresAt)) return Promise.resolve(c);
    if (!this.inFlight) {
      this.inFlight = this.run().then((cred) => {
        this.cached = cred;
        return cred;
      }).finally(() => (this.inFlight = undefined));
    }
    return this.inFlight;
  }

  /** Forgets the cached credential (the server rejected it). */
  invalidate(): void {
    this.cached = undefined;
  }

  private execInfo(): string {
    const { config, cluster } = this.options;
    const spec: Record<string, unknown> = { interactive: false };
    if (config.provideClusterInfo) {
      spec.cluster = {
        server: cluster.server,
        "certificate-authority-data": cluster.caPem ? encodeBase64(cluster.caPem) : undefined,
        "insecure-skip-tls-verify": cluster.insecureSkipTlsVerify || undefined,
        "tls-server-name": cluster.tlsServerName,
        "proxy-url": cluster.proxyUrl,
      };
    }
    return JSON.stringify({ apiVersion: config.apiVersion, kind: "ExecCredential", spec });
  }

  private async run(): Promise<ExecCredential> {
    const { config, file, field } = this.options;
    const fail = (detail: string) => new ExecCredentialError(file, field, `plugin "${config.command}": ${detail}`);
    // The plugin inherits our whole environment, as kubectl's do (PATH, HOME, cloud SDK settings), without this
    // process reading it: the binary may read only the variables it needs. An explicit `env` replaces it (tests).
    const env: Record<string, string> = { ...(this.options.env ?? {}) };
    for (const v of config.env ?? []) env[v.name] = v.value;
    env.KUBERNETES_EXEC_INFO = this.execInfo();
    const abort = new AbortController();
    const timeoutMs = this.options.timeoutMs ?? 120_000;
    const timer = this.clock.setTimeout(() => abort.abort(), timeoutMs);
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command(config.command, {
        args: config.args ?? [],
        env,
        clearEnv: this.options.env !== undefined,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        signal: abort.signal,
      }).output();
    } catch (e) {
      if (abort.signal.aborted) throw fail(`killed after ${timeoutMs} ms`);
      if (e instanceof Deno.errors.NotFound) {
        throw fail(`command not found${config.installHint ? `. ${config.installHint.trim()}` : ""}`);
      }
      throw fail(`could not start: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.clock.clearTimeout(timer);
    }
    const stderr = new TextDecoder().decode(out.stderr).trim().slice(0, 500);
    if (abort.signal.aborted) throw fail(`killed after ${timeoutMs} ms`);
    if (!out.success) {
      throw fail(`exited with code ${out.code}${stderr ? `: ${stderr}` : ""}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(out.stdout));
    } catch {
      throw fail("output is not JSON (expected an ExecCredential object)");
    }
    const parsed = ExecCredentialOutput.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw fail(`invalid ExecCredential output at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    }
    const cred = parsed.data;
    if (cred.apiVersion !== config.apiVersion) {
      throw fail(`returned apiVersion "${cred.apiVersion}", but "${config.apiVersion}" is configured`);
    }
    const status = cred.status;
    if (!status) throw fail("ExecCredential has no status");
    const cert = status.clientCertificateData ?? undefined;
    const key = status.clientKeyData ?? undefined;
    if (!!cert !== !!key) throw fail("status.clientCertificateData and status.clientKeyData must be given together");
    if (!status.token && !cert) throw fail("status has neither a token nor a client certificate");
    let expiresAt: number | undefined;
    if (status.expirationTimestamp) {
      expiresAt = Date.parse(status.expirationTimestamp);
      if (!Number.isFinite(expiresAt)) {
        throw fail(`status.expirationTimestamp "${status.expirationTimestamp}" is not an RFC 3339 time`);
      }
    }
    registerSecret(status.token);
    registerSecret(key);
    this.options.log?.debug("Exec credential plugin returned a credential", {
      command: config.command,
      expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt).toISOString(),
    });
    return { token: status.token ?? undefined, clientCertPem: cert, clientKeyPem: key, expiresAt };
  }
}
