/** The `extension` command's flags: upstream defaults, Go booleans, env fallbacks, errors naming the flag; --help. */
import assert from "node:assert/strict";
import { resolveExtensionOptions } from "../../src/extension/options.ts";
import { cliCommand } from "../../src/playground/components.ts";

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: cliCommand(args),
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout), stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("extension flags: the Go provider's defaults", () => {
  const { options, errors } = resolveExtensionOptions({}, {});
  assert.deepEqual(errors, []);
  assert.deepEqual(options, {
    gardenerVersion: undefined,
    kubeconfig: undefined,
    master: undefined,
    leaderElection: { id: "provider-equinix-metal-leader-election", namespace: undefined },
    probeAddresses: [":8081", ":8080"],
    concurrency: { controlplane: 5, infrastructure: 5, worker: 5, healthcheck: 1 },
    heartbeat: { namespace: undefined, renewIntervalSeconds: 30 },
    shootClientExternal: false,
    controllers: ["infrastructure", "controlplane", "worker", "healthcheck", "heartbeat"],
    configFile: undefined,
    ignoreOperationAnnotation: false,
    extensionClasses: ["shoot"],
    metalApiUrl: "https://api.equinix.com/metal/v1",
    metalApiAllowPlainHttp: false,
    webhooks: {
      disabled: [],
      selfHostedShootCluster: false,
      host: "",
      port: 443,
      certDir: "/tmp/gardener-extensions-cert",
      mode: "service",
      url: undefined,
      namespace: undefined,
      ownerNamespace: undefined,
      servicePort: 443,
    },
  });
});

Deno.test("extension flags: webhook settings, with the service port and owner namespace falling back", () => {
  const { options } = resolveExtensionOptions({
    webhookConfigServerPort: "10250",
    webhookConfigCertDir: "",
    webhookConfigMode: "url",
    webhookConfigUrl: "webhooks.example.org:8443",
    disableWebhooks: ["shoot"],
  }, { WEBHOOK_CONFIG_NAMESPACE: "extension-provider-equinix-metal-x1" });
  assert.deepEqual(options?.webhooks, {
    disabled: ["shoot"],
    selfHostedShootCluster: false,
    host: "",
    port: 10250,
    certDir: undefined,
    mode: "url",
    url: "webhooks.example.org:8443",
    namespace: "extension-provider-equinix-metal-x1",
    ownerNamespace: "extension-provider-equinix-metal-x1",
    servicePort: 10250,
  });
  assert.deepEqual(resolveExtensionOptions({ webhookConfigMode: "url" }, {}).errors, [
    "--webhook-config-url: required with --webhook-config-mode=url",
  ]);
});

Deno.test("extension flags: Go booleans, lists, environment fallbacks, disabled probes", () => {
  const { options } = resolveExtensionOptions({
    leaderElection: "false",
    ignoreOperationAnnotation: true,
    controllers: ["infrastructure,heartbeat", "worker"],
    disableControllers: ["worker"],
    metricsBindAddress: "0",
    healthBindAddress: "127.0.0.1:9000",
    heartbeatRenewIntervalSeconds: "10",
    infrastructureMaxConcurrentReconciles: "2",
    extensionClasses: ["seed"],
  }, { LEADER_ELECTION_NAMESPACE: "extension-provider-equinix-metal-x1", WEBHOOK_CONFIG_NAMESPACE: "w" });
  assert.equal(options?.leaderElection, undefined);
  assert.equal(options?.ignoreOperationAnnotation, true);
  assert.deepEqual(options?.controllers, ["infrastructure", "heartbeat"]);
  assert.deepEqual(options?.probeAddresses, ["127.0.0.1:9000"]);
  assert.deepEqual(options?.heartbeat, { namespace: "extension-provider-equinix-metal-x1", renewIntervalSeconds: 10 });
  assert.equal(options?.concurrency.infrastructure, 2);
  assert.deepEqual(options?.extensionClasses, ["seed"]);
  assert.equal(options?.webhooks.namespace, "w");
  assert.deepEqual(
    resolveExtensionOptions({ metricsBindAddress: ":9090", healthBindAddress: ":9090" }, {}).options?.probeAddresses,
    [":9090"],
    "one server for one address",
  );
  assert.deepEqual(
    resolveExtensionOptions({ metricsBindAddress: "127.0.0.1:0", healthBindAddress: "127.0.0.1:0" }, {}).options
      ?.probeAddresses,
    ["127.0.0.1:0", "127.0.0.1:0"],
    "port 0 twice: two servers",
  );
  const le = resolveExtensionOptions({ leaderElectionNamespace: "flag-wins" }, { LEADER_ELECTION_NAMESPACE: "env" });
  assert.equal(le.options?.leaderElection?.namespace, "flag-wins");
});

Deno.test("extension flags: every problem is reported and names its flag", () => {
  const { options, errors } = resolveExtensionOptions({
    controllers: ["infrastructure,dnsrecord"],
    disableControllers: ["bastion"],
    heartbeatRenewIntervalSeconds: "0",
    workerMaxConcurrentReconciles: "many",
    leaderElection: "maybe",
    extensionClass: "cluster",
    extensionClasses: ["seed,galaxy"],
    autonomousShootCluster: "yes",
    selfHostedShootCluster: "no",
    disableWebhooks: ["shoot,etcd"],
    webhookConfigMode: "magic",
    metricsBindAddress: "localhost",
    metalApiUrl: "api.equinix.com",
  }, {});
  assert.equal(options, undefined);
  const expected = [
    /^--leader-election: invalid boolean "maybe"$/,
    /^--metrics-bind-address: invalid listen address/,
    /^--worker-max-concurrent-reconciles: invalid integer "many"$/,
    /^--heartbeat-renew-interval-seconds: must be at least 1, got 0$/,
    /^--controllers: unknown controller\(s\) dnsrecord \(known: infrastructure, controlplane, worker, healthcheck, heartbeat\)$/,
    /^--disable-controllers: unknown controller\(s\) bastion/,
    /^--extension-classes: unsupported value "galaxy" \(one of shoot, seed, garden\)$/,
    /^--extension-class: unsupported value "cluster"/,
    /^--self-hosted-shoot-cluster: invalid boolean "no"$/,
    /^--autonomous-shoot-cluster: invalid boolean "yes"$/,
    /^--disable-webhooks: unknown webhook\(s\) etcd/,
    /^--webhook-config-mode: unsupported value "magic"/,
    /^--metal-api-url: not an absolute http\(s\) URL/,
  ];
  for (const re of expected) assert.ok(errors.some((e) => re.test(e)), `${re} in ${JSON.stringify(errors, null, 1)}`);
  assert.equal(errors.length, expected.length);
});

Deno.test("extension flags: --extension-classes is a list; the old --extension-class adds to it; default shoot", () => {
  const classes = (raw: Parameters<typeof resolveExtensionOptions>[0]) => {
    const { options, errors } = resolveExtensionOptions(raw, {});
    assert.deepEqual(errors, []);
    return options?.extensionClasses;
  };
  assert.deepEqual(classes({ extensionClasses: ["seed,shoot"] }), ["seed", "shoot"]);
  assert.deepEqual(classes({ extensionClasses: ["seed", "garden,seed"] }), ["seed", "garden"]);
  assert.deepEqual(classes({ extensionClass: "garden" }), ["garden"]);
  assert.deepEqual(classes({ extensionClasses: ["seed"], extensionClass: "garden" }), ["seed", "garden"]);
  assert.deepEqual(classes({ extensionClasses: [""] }), ["shoot"], "an empty list means shoot, as in Gardener");
  assert.deepEqual(classes({ extensionClass: "" }), ["shoot"]);
  for (const flags of [{ selfHostedShootCluster: "true" }, { autonomousShootCluster: true }]) {
    assert.deepEqual(resolveExtensionOptions(flags, {}).errors, [], JSON.stringify(flags));
  }
});

Deno.test("extension --help lists new and old flag names; invalid flags stop the start with exit code 1", async () => {
  const help = await run(["extension", "--help"]);
  assert.equal(help.code, 0, help.stderr);
  for (
    const f of [
      "--leader-election",
      "--controllers",
      "--heartbeat-renew-interval-seconds",
      "--metal-api-url",
      "--extension-classes <classes>",
      "--extension-class <class>",
      "--self-hosted-shoot-cluster [bool]",
      "--autonomous-shoot-cluster [bool]",
    ]
  ) {
    assert.ok(help.stdout.includes(f), f);
  }
  assert.doesNotMatch(help.stdout, /\bissues?\b|\blater\b|not built|\byet\b/i, "help describes the product");
  const bad = await run(["extension", "--controllers", "infrastructure,foo", "--kubeconfig", "/nonexistent"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--controllers: unknown controller\(s\) foo/);
  assert.equal(bad.stderr.trimEnd().split("\n").length, 1, bad.stderr);
  const missing = await run(["extension", "--kubeconfig", "/nonexistent/kubeconfig", "--metrics-bind-address", "0"]);
  assert.equal(missing.code, 1);
  assert.match(JSON.parse(missing.stderr).error, /^--kubeconfig: kubeconfig \/nonexistent\/kubeconfig: cannot read/);
});
