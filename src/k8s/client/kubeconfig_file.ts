/**
 * The kubeconfig file format: zod schema, parsing with errors that name the file and the field, relative paths made
 * absolute against the file that defines them, and merging of a KUBECONFIG list as kubectl does (for every
 * cluster/user/context name and for current-context, the first file that sets it wins).
 */
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";

/** A kubeconfig problem, naming the file and the field. */
export class KubeconfigError extends Error {
  constructor(readonly file: string, readonly field: string, detail: string) {
    super(`kubeconfig ${file}: ${field ? `${field}: ` : ""}${detail}`);
    this.name = "KubeconfigError";
  }
}

const ExecEnvVar = z.object({ name: z.string(), value: z.string() });

/** users[].user.exec: a client.authentication.k8s.io credential plugin. */
export const ExecConfigSchema = z.object({
  apiVersion: z.string().min(1),
  command: z.string().min(1),
  args: z.array(z.string()).nullish(),
  env: z.array(ExecEnvVar).nullish(),
  installHint: z.string().nullish(),
  provideClusterInfo: z.boolean().nullish(),
  interactiveMode: z.enum(["Never", "IfAvailable", "Always"]).nullish(),
}).loose();
export type ExecConfig = z.infer<typeof ExecConfigSchema>;

const ClusterSchema = z.object({
  server: z.string().min(1),
  "certificate-authority": z.string().nullish(),
  "certificate-authority-data": z.string().nullish(),
  "insecure-skip-tls-verify": z.boolean().nullish(),
  "tls-server-name": z.string().nullish(),
  "proxy-url": z.string().nullish(),
}).loose();
export type KubeconfigCluster = z.infer<typeof ClusterSchema>;

const UserSchema = z.object({
  token: z.string().nullish(),
  tokenFile: z.string().nullish(),
  "client-certificate": z.string().nullish(),
  "client-certificate-data": z.string().nullish(),
  "client-key": z.string().nullish(),
  "client-key-data": z.string().nullish(),
  username: z.string().nullish(),
  password: z.string().nullish(),
  as: z.string().nullish(),
  "as-uid": z.string().nullish(),
  "as-groups": z.array(z.string()).nullish(),
  exec: ExecConfigSchema.nullish(),
  "auth-provider": z.object({ name: z.string() }).loose().nullish(),
}).loose();
export type KubeconfigUser = z.infer<typeof UserSchema>;

const ContextSchema = z.object({
  cluster: z.string().min(1),
  user: z.string().nullish(),
  namespace: z.string().nullish(),
}).loose();
export type KubeconfigContext = z.infer<typeof ContextSchema>;

const KubeconfigSchema = z.object({
  apiVersion: z.string().nullish(),
  kind: z.string().nullish(),
  clusters: z.array(z.object({ name: z.string().min(1), cluster: ClusterSchema })).nullish(),
  users: z.array(z.object({ name: z.string().min(1), user: UserSchema.nullish() })).nullish(),
  contexts: z.array(z.object({ name: z.string().min(1), context: ContextSchema })).nullish(),
  "current-context": z.string().nullish(),
}).loose();

/** An entry together with the file it came from (relative paths in it are already absolute). */
export interface Sourced<T> {
  value: T;
  file: string;
  /** Field path of the entry, e.g. `users[1]`. */
  field: string;
}

/** One or more kubeconfig files merged. */
export interface MergedKubeconfig {
  files: string[];
  clusters: Map<string, Sourced<KubeconfigCluster>>;
  users: Map<string, Sourced<KubeconfigUser>>;
  contexts: Map<string, Sourced<KubeconfigContext>>;
  currentContext?: { name: string; file: string };
}

/** `a.b[0].c` from a zod issue path. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** Resolves `p` against `dir` unless it is absolute (kubectl resolves kubeconfig paths against the file's folder). */
export function resolvePath(dir: string, p: string): string {
  if (p.startsWith("/")) return p;
  if (p.startsWith("~/")) return p; // kubectl does not expand ~ either; the read error will name the path
  return `${dir.replace(/\/+$/, "")}/${p}`;
}

/**
 * Where and why the YAML parser gave up, without its message: that quotes the offending line (and some messages
 * quote parts of a value), and a kubeconfig line may hold a token or a key.
 */
function yamlProblem(e: unknown): string {
  if (!(e instanceof YAMLParseError)) return "not valid YAML";
  const at = e.linePos?.[0];
  return `not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ""} (${e.code})`;
}

/** Parses one kubeconfig document (the text of `file`) into a single-file merged view. */
export function parseKubeconfig(text: string, file: string): MergedKubeconfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new KubeconfigError(file, "", yamlProblem(e));
  }
  if (raw === null || raw === undefined) raw = {};
  const parsed = KubeconfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KubeconfigError(file, fieldPath(issue.path), issue.message);
  }
  const cfg = parsed.data;
  const dir = dirname(file);
  const out: MergedKubeconfig = { files: [file], clusters: new Map(), users: new Map(), contexts: new Map() };
  (cfg.clusters ?? []).forEach((c, i) => {
    rejectDuplicate(out.clusters, c.name, file, `clusters[${i}]`);
    const cluster = { ...c.cluster };
    if (cluster["certificate-authority"]) {
      cluster["certificate-authority"] = resolvePath(dir, cluster["certificate-authority"]);
    }
    out.clusters.set(c.name, { value: cluster, file, field: `clusters[${i}]` });
  });
  (cfg.users ?? []).forEach((u, i) => {
    rejectDuplicate(out.users, u.name, file, `users[${i}]`);
    const user: KubeconfigUser = { ...(u.user ?? {}) };
    for (const k of ["client-certificate", "client-key", "tokenFile"] as const) {
      const v = user[k];
      if (v) user[k] = resolvePath(dir, v);
    }
    if (user.exec && user.exec.command.includes("/")) {
      user.exec = { ...user.exec, command: resolvePath(dir, user.exec.command) };
    }
    out.users.set(u.name, { value: user, file, field: `users[${i}]` });
  });
  (cfg.contexts ?? []).forEach((c, i) => {
    rejectDuplicate(out.contexts, c.name, file, `contexts[${i}]`);
    out.contexts.set(c.name, { value: c.context, file, field: `contexts[${i}]` });
  });
  if (cfg["current-context"]) out.currentContext = { name: cfg["current-context"], file };
  return out;
}

function rejectDuplicate(seen: Map<string, Sourced<unknown>>, name: string, file: string, field: string): void {
  const first = seen.get(name);
  if (first) throw new KubeconfigError(file, `${field}.name`, `duplicate name "${name}" (also ${first.field})`);
}

/** Merges parsed files in precedence order: for every name, and for current-context, the first file wins. */
export function mergeKubeconfigs(configs: MergedKubeconfig[]): MergedKubeconfig {
  const out: MergedKubeconfig = { files: [], clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const c of configs) {
    out.files.push(...c.files);
    for (const [k, v] of c.clusters) if (!out.clusters.has(k)) out.clusters.set(k, v);
    for (const [k, v] of c.users) if (!out.users.has(k)) out.users.set(k, v);
    for (const [k, v] of c.contexts) if (!out.contexts.has(k)) out.contexts.set(k, v);
    if (!out.currentContext && c.currentContext) out.currentContext = c.currentContext;
  }
  return out;
}

/** Splits a KUBECONFIG value (colon-separated), dropping empty entries and repeats. */
export function splitKubeconfigEnv(value: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of value.split(":")) {
    if (!p || seen.has(p)) continue;
    seen.add(p);
    out.push(p);
  }
  return out;
}
