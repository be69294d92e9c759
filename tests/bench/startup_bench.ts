/**
 * Start-up time and memory of the binary's entry point: `provider-equinix-metal version` (how fast the CLI answers)
 * and an idle controller process (`machine-controller` against a fake API server with nothing to do, measured after
 * its caches synced). The binary cannot be compiled on this machine (`deno compile` downloads its runtime), so the
 * entry point runs as the playground starts it (`deno run -P` with the product's V8 flags) — the same code,
 * permissions and flags; the compiled binary skips the module loading from DENO_DIR, so these numbers are an upper
 * bound.
 */
import { report } from "./report.ts";
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { loadCrds } from "../../src/playground/crds.ts";
import { cliCommand } from "../../src/playground/components.ts";

const root = new URL("../../", import.meta.url).pathname;
const RUNS = 7;

async function timeVersion(): Promise<{ wallMs: number; rssMb: number }> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%e %M", Deno.execPath(), ...cliCommand(["version"])],
    cwd: root,
    stdout: "null",
    stderr: "piped",
  }).output();
  const last = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "";
  const [seconds, kb] = last.split(" ").map(Number);
  return { wallMs: seconds * 1000, rssMb: kb / 1024 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// 1. version: warm the module cache once, then measure.
await timeVersion();
const versionRuns = [];
for (let i = 0; i < RUNS; i++) versionRuns.push(await timeVersion());
report({ name: "version: wall time (median of 7)", value: median(versionRuns.map((r) => r.wallMs)), unit: "ms" });
report({ name: "version: peak RSS (median of 7)", value: median(versionRuns.map((r) => r.rssMb)), unit: "MB" });

// 2. An idle machine controller: control and target cluster with nothing to do.
const control = await startApiServer();
const target = await startApiServer();
await control.installCrds(loadCrds({ groups: ["machine"] }));
const dir = await Deno.makeTempDir();
await control.writeKubeconfig(`${dir}/control.yaml`);
await target.writeKubeconfig(`${dir}/target.yaml`);
// MCM's flag validation (like ours) rejects port 0: take a free port first.
const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const port = (probe.addr as Deno.NetAddr).port;
probe.close();
const started = performance.now();
const child = new Deno.Command(Deno.execPath(), {
  args: cliCommand([
    "machine-controller",
    `--control-kubeconfig=${dir}/control.yaml`,
    `--target-kubeconfig=${dir}/target.yaml`,
    "--namespace=default",
    `--port=${port}`,
    "--address=127.0.0.1",
    "--leader-elect=false",
  ]),
  cwd: root,
  stdout: "null",
  stderr: "piped",
}).spawn();
// The controller logs "caches synced" style lines as JSON; wait for its readiness via its own log, then idle a bit.
const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
let buffered = "";
let readyMs: number | undefined;
const deadline = Date.now() + 30_000;
while (readyMs === undefined && Date.now() < deadline) {
  const { value, done } = await reader.read();
  if (done) break;
  buffered += value;
  if (/synced|Starting workers|started/i.test(buffered)) readyMs = performance.now() - started;
}
await new Promise((r) => setTimeout(r, 5_000));
let status: string;
try {
  status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
} catch {
  throw new Error(`machine-controller exited early; its log:\n${buffered.slice(-3000)}`);
}
const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
child.kill("SIGTERM");
// Drain the rest of the log so the child can exit.
(async () => {
  for (;;) if ((await reader.read()).done) break;
})();
await child.status;
if (readyMs !== undefined) {
  report({ name: "idle machine-controller: time to caches synced", value: readyMs, unit: "ms" });
} else console.log("idle machine-controller: no readiness line seen within 30 s (log format changed?)");
report({ name: "idle machine-controller: RSS after 5 s idle", value: rssMb, unit: "MB" });
await control.stop();
await target.stop();
await Deno.remove(dir, { recursive: true });
