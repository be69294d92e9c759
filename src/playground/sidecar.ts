/**
 * How the playground runs a shoot's machine controller: from the provider sidecar the control-plane webhook injected
 * into gardenlet's `machine-controller-manager` Deployment, as the kubelet would run that container. Its arguments
 * are read against the machine controller's own flag table (`MCM_FLAGS`: one declaration per flag) and passed on as
 * they are, except what names the pod's surroundings: `--control-kubeconfig=inClusterConfig` (the pod's service
 * account) becomes the seed, `--target-kubeconfig` (a file in the mounted `kubeconfig` volume) becomes the shoot's
 * API server, and the probe port — a pod's own, shared by every subprocess here — a free one. The Metal API URL of
 * the simulator is added. A wrong injection (no sidecar or two, a flag the machine controller rejects, no kubeconfig
 * mount, another namespace or command) therefore breaks the demo as it would break a seed. Pure.
 */
import type { KubeObject } from "../k8s/api/objects.ts";
import { MCM_FLAGS, type RawMcmOptions } from "../mcm/options.ts";
import { flagName } from "../runtime/flags.ts";
import { GENERIC_KUBECONFIG_VOLUME, MCM_DEPLOYMENT } from "../sim/gardenlet/mod.ts";

/**
 * The sidecar's container name as gardenlet's `ProviderSidecarContainer` names it (`machine-controller-manager-<provider>`,
 * which its VPA policy and Service port rely on): written out here, not taken from the webhook, so that the playground
 * checks the injection against gardenlet's contract.
 */
export const SIDECAR_CONTAINER = "machine-controller-manager-provider-equinix-metal";

/** A container as far as the playground reads it. */
interface ContainerView {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

type DeploymentView = KubeObject & { spec?: { template?: { spec?: { containers?: ContainerView[] } } } };

/** Why the sidecar cannot be run as given: the message names the Deployment and what is wrong. */
export class SidecarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SidecarError";
  }
}

/** The sidecar container of a `machine-controller-manager` Deployment, if the webhook injected it. */
export function sidecarContainer(deployment: KubeObject): ContainerView | undefined {
  const containers = (deployment as DeploymentView).spec?.template?.spec?.containers ?? [];
  return containers.find((c) => c.name === SIDECAR_CONTAINER);
}

/** The message when the Deployment has no sidecar (what `--disable-webhooks` leads to). */
export function noSidecarMessage(namespace: string): string {
  return `no ${SIDECAR_CONTAINER} sidecar in deployment ${namespace}/${MCM_DEPLOYMENT}: are the webhooks disabled?`;
}

const BY_NAME: ReadonlyMap<string, keyof typeof MCM_FLAGS> = new Map(
  (Object.keys(MCM_FLAGS) as Array<keyof typeof MCM_FLAGS>).flatMap((key) => [
    [flagName(key), key] as const,
    ...(MCM_FLAGS[key] as { aliases?: readonly string[] }).aliases?.map((a) => [`--${a}`, key] as const) ?? [],
  ]),
);

/** Reads command-line arguments against the machine controller's flag table; throws naming an unknown flag. */
export function parseMcmArgs(args: readonly string[], where: string): RawMcmOptions {
  const raw: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = BY_NAME.get(name);
    if (!arg.startsWith("--") || !key) throw new SidecarError(`${where}: unknown argument ${JSON.stringify(arg)}`);
    if (eq > 0) raw[key] = arg.slice(eq + 1);
    else if (MCM_FLAGS[key].kind === "bool") raw[key] = true;
    else if (i + 1 < args.length) raw[key] = args[++i];
    else throw new SidecarError(`${where}: ${name} requires a value`);
  }
  return raw as RawMcmOptions;
}

/** The machine controller as the sidecar describes it: its flags, and which cluster each kubeconfig stands for. */
export interface SidecarRun {
  /** The sidecar's flags, the kubeconfigs and the probe port removed (the caller supplies them). */
  flags: RawMcmOptions;
  /** The sidecar's arguments as injected (for messages and tests). */
  args: string[];
  image?: string;
}

/**
 * The machine controller the playground starts for a shoot, from its `machine-controller-manager` Deployment:
 * throws a `SidecarError` when there is no sidecar or it cannot run here (what a pod would fail on).
 */
export function sidecarRun(deployment: KubeObject): SidecarRun {
  const namespace = deployment.metadata.namespace ?? "";
  const where = `deployment ${namespace}/${deployment.metadata.name}, container ${SIDECAR_CONTAINER}`;
  const sidecar = sidecarContainer(deployment);
  if (!sidecar) throw new SidecarError(noSidecarMessage(namespace));
  const copies =
    ((deployment as DeploymentView).spec?.template?.spec?.containers ?? []).filter((c) => c.name === SIDECAR_CONTAINER)
      .length;
  // kube-apiserver rejects a pod template with two containers of one name; the fake one does not check it.
  if (copies > 1) throw new SidecarError(`${where}: injected ${copies} times (container names must be unique)`);
  // `command`, when set, runs this binary's machine-controller command (the image's entrypoint is the bare binary).
  const command = sidecar.command ?? [];
  const program = command.filter((c) => !c.startsWith("--"));
  if (program.length && program.at(-1) !== "machine-controller") {
    throw new SidecarError(`${where}: command ${JSON.stringify(command)} does not run machine-controller`);
  }
  const args = [...command.filter((c) => c.startsWith("--")), ...(sidecar.args ?? [])];
  const { controlKubeconfig, targetKubeconfig, port: _port, ...flags } = parseMcmArgs(args, where);
  if (controlKubeconfig !== "inClusterConfig") {
    throw new SidecarError(
      `${where}: --control-kubeconfig must be inClusterConfig (the seed, through the pod's service account), ` +
        `got ${JSON.stringify(controlKubeconfig ?? "")}`,
    );
  }
  const mount = (sidecar.volumeMounts ?? []).find((m) => m.name === GENERIC_KUBECONFIG_VOLUME);
  if (!mount) {
    throw new SidecarError(`${where}: does not mount volume ${GENERIC_KUBECONFIG_VOLUME} (the shoot's kubeconfig)`);
  }
  const expected = `${mount.mountPath.replace(/\/+$/, "")}/kubeconfig`;
  if (targetKubeconfig !== expected) {
    throw new SidecarError(
      `${where}: --target-kubeconfig must be the kubeconfig of volume ${GENERIC_KUBECONFIG_VOLUME}, ${expected}, ` +
        `got ${JSON.stringify(targetKubeconfig ?? "")}`,
    );
  }
  if (flags.namespace !== namespace) {
    throw new SidecarError(`${where}: --namespace must be the shoot namespace ${namespace}, got ${flags.namespace}`);
  }
  return { flags, args, image: sidecar.image };
}

/** The sidecar's arguments for a subprocess: the kubeconfigs mapped to files, the probe on a port of its own. */
export function subprocessArgs(
  run: SidecarRun,
  files: { controlKubeconfig: string; targetKubeconfig: string; port: number; metalUrl: string },
): string[] {
  return [
    ...Object.entries(run.flags).map(([k, v]) => `${flagName(k)}=${v}`),
    `--control-kubeconfig=${files.controlKubeconfig}`,
    `--target-kubeconfig=${files.targetKubeconfig}`,
    `--port=${files.port}`,
    "--address=127.0.0.1",
    `--metal-api-url=${files.metalUrl}`,
  ];
}
