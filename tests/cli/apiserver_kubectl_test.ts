/**
 * The real kubectl (v1.30) against the standalone fake API server: discovery, get, apply (create, then patch),
 * delete, get -w, patch (merge, json, strategic), api-resources after a CRD is applied. Runs the server as
 * `deno run -P src/main.ts apiserver` in a subprocess, with HOME in a temp dir so kubectl's discovery cache is ours.
 */
import assert from "node:assert/strict";
import { KUBECTL, KUBECTL_MISSING, testUnless } from "../support/needs.ts";
import { cliCommand } from "../../src/playground/components.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Reads a process's stdout line by line. */
class LineReader {
  private buffer = "";
  private readonly decoder = new TextDecoder();
  readonly seen: string[] = [];
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** Resolves with the first line matching `re` (lines before it are remembered in `seen`). */
  async waitFor(re: RegExp, what: string): Promise<string> {
    for (;;) {
      const nl = this.buffer.indexOf("\n");
      if (nl >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.seen.push(line);
        if (re.test(line)) return line;
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) throw new Error(`stream ended before ${what}; output so far:\n${this.seen.join("\n")}`);
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}

testUnless(KUBECTL_MISSING, {
  name: "real kubectl works against the standalone fake API server",
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "kubectl-test-" });
    const kubeconfig = `${dir}/kubeconfig`;
    const home = `${dir}/home`;
    await Deno.mkdir(home);
    const server = new Deno.Command(Deno.execPath(), {
      args: cliCommand(["--log-level", "error", "apiserver", "--kubeconfig-out", kubeconfig]),
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(server.stderr).text();
    const out = new LineReader(server.stdout.getReader());

    async function kubectl(...args: string[]): Promise<string> {
      const res = await new Deno.Command(KUBECTL, {
        args: ["--kubeconfig", kubeconfig, ...args],
        env: { HOME: home, KUBECONFIG: kubeconfig },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdoutText = new TextDecoder().decode(res.stdout);
      const stderrText = new TextDecoder().decode(res.stderr);
      if (!res.success) throw new Error(`kubectl ${args.join(" ")} failed (${res.code}): ${stderrText}${stdoutText}`);
      return stdoutText;
    }

    async function kubectlFails(...args: string[]): Promise<string> {
      const res = await new Deno.Command(KUBECTL, {
        args: ["--kubeconfig", kubeconfig, ...args],
        env: { HOME: home, KUBECONFIG: kubeconfig },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(res.success, false, `kubectl ${args.join(" ")} should fail`);
      return new TextDecoder().decode(res.stderr);
    }

    async function file(name: string, content: string): Promise<string> {
      const path = `${dir}/${name}`;
      await Deno.writeTextFile(path, content);
      return path;
    }

    try {
      const line = await out.waitFor(/^kubeconfig: /, "the kubeconfig line");
      assert.equal(line, `kubeconfig: ${kubeconfig}`);

      await t.step("get: namespaces, short names, NotFound", async () => {
        const ns = await kubectl("get", "namespaces", "-o", "name");
        assert.deepEqual(ns.trim().split("\n"), [
          "namespace/default",
          "namespace/kube-node-lease",
          "namespace/kube-public",
          "namespace/kube-system",
        ]);
        assert.equal((await kubectl("get", "ns", "default", "-o", "jsonpath={.status.phase}")).trim(), "Active");
        assert.match(await kubectlFails("get", "cm", "missing"), /configmaps "missing" not found/);
      });

      const manifest = (value: string, replicas: number) =>
        `apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
data:
  key: "${value}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - {name: main, image: "nginx:1"}
      - {name: side, image: "envoy:1"}
`;

      await t.step("apply --validate=false: create, then a second apply patches", async () => {
        const path = await file("app.yaml", manifest("one", 1));
        const created = await kubectl("apply", "--validate=false", "-f", path);
        assert.match(created, /configmap\/demo created/);
        assert.match(created, /deployment.apps\/web created/);
        const lastApplied = await kubectl(
          "get",
          "cm",
          "demo",
          "-o",
          "jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}",
        );
        assert.match(lastApplied, /"key":"one"/);
        await Deno.writeTextFile(path, manifest("two", 3));
        const configured = await kubectl("apply", "--validate=false", "-f", path);
        assert.match(configured, /configmap\/demo configured/);
        assert.match(configured, /deployment.apps\/web configured/);
        assert.equal(await kubectl("get", "cm", "demo", "-o", "jsonpath={.data.key}"), "two");
        assert.equal(await kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"), "3");
        assert.equal(await kubectl("get", "deploy", "web", "-o", "jsonpath={.metadata.generation}"), "2");
        const unchanged = await kubectl("apply", "--validate=false", "-f", path);
        assert.match(unchanged, /configmap\/demo unchanged/);
      });

      await t.step("patch: merge, json and strategic (containers merged by name)", async () => {
        await kubectl("patch", "cm", "demo", "--type", "merge", "-p", '{"data":{"merged":"yes"}}');
        await kubectl(
          "patch",
          "cm",
          "demo",
          "--type",
          "json",
          "-p",
          '[{"op":"add","path":"/data/json","value":"yes"}]',
        );
        const data = JSON.parse(await kubectl("get", "cm", "demo", "-o", "jsonpath={.data}"));
        assert.deepEqual(data, { key: "two", merged: "yes", json: "yes" });
        await kubectl(
          "patch",
          "deploy",
          "web",
          "--type",
          "strategic",
          "-p",
          '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"envoy:2"}]}}}}',
        );
        assert.equal(
          await kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[*].image}"),
          "nginx:1 envoy:2",
        );
      });

      await t.step("get -w receives the changes made while it runs", async () => {
        const watch = new Deno.Command(KUBECTL, {
          args: ["--kubeconfig", kubeconfig, "get", "configmaps", "-w", "-o", "name"],
          env: { HOME: home, KUBECONFIG: kubeconfig },
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const watchErr = new Response(watch.stderr).text();
        const lines = new LineReader(watch.stdout.getReader());
        try {
          await lines.waitFor(/^configmap\/demo$/, "the initial list");
          await kubectl("create", "configmap", "watched", "--from-literal=a=b");
          await lines.waitFor(/^configmap\/watched$/, "the created configmap");
          await kubectl("label", "configmap", "watched", "changed=yes");
          await lines.waitFor(/^configmap\/watched$/, "the modified configmap");
        } finally {
          watch.kill("SIGTERM");
          await lines.close();
          await watch.status;
          await watchErr;
        }
      });

      await t.step("delete", async () => {
        assert.match(await kubectl("delete", "configmap", "watched"), /configmap "watched" deleted/);
        assert.match(await kubectlFails("get", "configmap", "watched"), /not found/);
        assert.match(await kubectl("delete", "deployment", "web"), /deployment.apps "web" deleted/);
      });

      await t.step("a CRD applied with kubectl shows in api-resources and serves its resources", async () => {
        assert.doesNotMatch(await kubectl("api-resources"), /widgets/);
        const crd = await file(
          "crd.yaml",
          `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wdg]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
`,
        );
        assert.match(await kubectl("apply", "--validate=false", "-f", crd), /widgets.example.com created/);
        const resources = await kubectl("api-resources", "--api-group", "example.com");
        assert.match(resources, /^widgets\s+wdg\s+example.com\/v1\s+true\s+Widget\s*$/m);
        const widget = await file(
          "widget.yaml",
          "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1}\n",
        );
        assert.match(await kubectl("apply", "--validate=false", "-f", widget), /widget.example.com\/w created/);
        await Deno.writeTextFile(
          widget,
          "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 2}\n",
        );
        assert.match(await kubectl("apply", "--validate=false", "-f", widget), /widget.example.com\/w configured/);
        assert.equal(await kubectl("get", "wdg", "w", "-o", "jsonpath={.spec.size}"), "2");
        await Deno.writeTextFile(
          widget,
          "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 5}\n",
        );
        assert.match(
          await kubectl("apply", "--server-side", "--validate=false", "-f", widget),
          /widget.example.com\/w serverside-applied/,
        );
        assert.equal(await kubectl("get", "wdg", "w", "-o", "jsonpath={.spec.size}"), "5");
        assert.match(await kubectl("delete", "crd", "widgets.example.com"), /deleted/);
      });
    } finally {
      server.kill("SIGTERM");
      const status = await server.status;
      await out.close();
      const err = await stderr;
      await Deno.remove(dir, { recursive: true });
      assert.equal(status.code, 0, `server exit code ${status.code}; stderr:\n${err}`);
    }
  },
});
