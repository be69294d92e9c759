/**
 * The Infrastructure actuator, flow-based (no Terraform). On Equinix Metal a shoot's infrastructure is one project SSH
 * key; this actuator keeps it, records it in `status.state` after every change, and reports it in
 * `status.providerStatus` (`InfrastructureStatus{sshKeyID}`), which gardenlet copies into the Worker and ControlPlane.
 *
 * `status.networking` and `status.nodesCIDR` stay unset: Equinix Metal assigns each device's private address from the
 * project's per-metro private block when the device is provisioned, so no node CIDR exists (or is known) at
 * infrastructure time; gardenlet then uses the Shoot's own `spec.networking`.
 */
import type { Actuator, ActuatorContext, ActuatorOutcome, ClusterContext } from "../reconciler/mod.ts";
import type { Infrastructure } from "../../apis/extensions/v1alpha1.ts";
import { decodeSshPublicKey } from "../../apis/extensions/v1alpha1.ts";
import { encodeInfrastructureStatus } from "../../apis/equinixmetal/helper.ts";
import { DEFAULT_METAL_API_URL, MetalClient, type RetryPolicy } from "../../metal/client.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { describeExtensionObject } from "../reconciler/mod.ts";
import { readCredentials } from "./credentials.ts";
import { adoptTerraformState } from "./legacy_adoption_apply.ts";
import { type DesiredKey, sshKeyLabel } from "./ssh_key_match.ts";
import { deleteSshKeys, ensureSshKey, type SshKeyFlowContext } from "./ssh_key_apply.ts";
import { parsePublicKey } from "./ssh_public_key.ts";
import { observeState } from "./state.ts";
import { FlowStateStore } from "./state_apply.ts";
import { findTerraformerObjects, removeTerraformerObjects } from "./terraformer_objects_apply.ts";

export interface InfrastructureActuatorOptions {
  /** `--metal-api-url` (default the public API). */
  metalApiUrl?: string;
  /** `--metal-api-allow-plain-http`. */
  metalApiAllowPlainHttp?: boolean;
  /** Transport of the Metal client (the playground passes the simulator's in-process fetch). */
  metalFetch?: typeof fetch;
  /** Retries of one Metal call (default: the client's). */
  metalRetry?: RetryPolicy;
  /** Time source of the Metal client's timeouts and retry waits (default: the wall clock). */
  clock?: Clock;
  log?: Logger;
}

/** One actuator instance serves every Infrastructure; it keeps no per-object state between calls. */
export class InfrastructureActuator implements Actuator<Infrastructure> {
  private readonly log: Logger;

  constructor(private readonly options: InfrastructureActuatorOptions = {}) {
    this.log = options.log ?? getLogger("extension.infrastructure.actuator");
  }

  /** Ensures the SSH key and reports it. */
  async reconcile(infra: Infrastructure, _cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome> {
    const { store, desired, label } = await this.prepare(infra, ctx);
    const flow = await this.flow(infra, ctx);
    const sshKeyID = await ensureSshKey(flow, desired, store, label);
    return { status: { providerStatus: encodeInfrastructureStatus({ sshKeyID: sshKeyID ?? "" }) } };
  }

  /** Deletes the SSH key (a key that is already gone counts as deleted). */
  async delete(infra: Infrastructure, _cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome> {
    const { store, desired, label } = await this.prepare(infra, ctx);
    const nothingRecorded = !store.data.sshKeyID && !(store.data.obsoleteSSHKeyIDs?.length);
    if (nothingRecorded && !desired) return {}; // never had a key: no credentials needed
    await deleteSshKeys(await this.flow(infra, ctx), store, label);
    return {};
  }

  /** Gives up the cloud clean-up (the key stays in the project); removes only our seed leftovers. No Metal call. */
  async forceDelete(infra: Infrastructure, _cluster: ClusterContext, ctx: ActuatorContext): Promise<void> {
    const ns = infra.metadata.namespace ?? "";
    const leftovers = await findTerraformerObjects(ctx.client, ns, infra.metadata.name ?? "", ctx.signal);
    await removeTerraformerObjects(ctx.client, ns, leftovers.present, ctx.signal);
  }

  /** Nothing moves in the cloud; the state stays in status (gardenlet copies it); Terraformer leftovers go. */
  async migrate(infra: Infrastructure, _cluster: ClusterContext, ctx: ActuatorContext): Promise<void> {
    await this.prepareState(infra, ctx);
  }

  /** gardenlet already wrote `status.state`: a reconcile rebuilds everything from it. */
  async restore(infra: Infrastructure, cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome> {
    return await this.reconcile(infra, cluster, ctx);
  }

  /** Reads the state (adopting a Terraform one) and the desired key; seed I/O only. */
  private async prepare(infra: Infrastructure, ctx: ActuatorContext) {
    const store = await this.prepareState(infra, ctx);
    const text = decodeSshPublicKey(infra.spec);
    const namespace = infra.metadata.namespace ?? "";
    const label = sshKeyLabel(namespace);
    const desired: DesiredKey | undefined = text === undefined ? undefined : {
      label,
      publicKey: parsePublicKey(text, "spec.sshPublicKey", describeExtensionObject("Infrastructure", infra)),
    };
    return { store, desired, label };
  }

  /** The flow state, with a Terraform-era state adopted and the Terraformer objects removed. */
  private async prepareState(infra: Infrastructure, ctx: ActuatorContext): Promise<FlowStateStore> {
    const object = describeExtensionObject("Infrastructure", infra);
    const namespace = infra.metadata.namespace ?? "";
    const observed = observeState(infra.status?.state, object);
    const store = new FlowStateStore(
      infra.status?.state,
      observed.kind === "flow" ? observed.data : {},
      (patch) => ctx.patchStatus(patch),
    );
    await adoptTerraformState({
      client: ctx.client,
      namespace,
      infraName: infra.metadata.name ?? "",
      object,
      observed,
      store,
      signal: ctx.signal,
      log: ctx.log,
    });
    return store;
  }

  /** A Metal client for the shoot's credentials. */
  private async flow(infra: Infrastructure, ctx: ActuatorContext): Promise<SshKeyFlowContext> {
    const namespace = infra.metadata.namespace ?? "";
    const creds = await readCredentials(ctx.client, infra.spec.secretRef, namespace, ctx.signal);
    const metal = new MetalClient({
      token: creds.apiToken,
      baseUrl: this.options.metalApiUrl ?? DEFAULT_METAL_API_URL,
      allowPlainHttp: this.options.metalApiAllowPlainHttp,
      fetch: this.options.metalFetch,
      retry: this.options.metalRetry,
      clock: this.options.clock ?? realClock,
      log: this.log.child("metal"),
    });
    return {
      metal,
      projectID: creds.projectID,
      signal: ctx.signal,
      log: ctx.log,
      notify: (reason, message) => ctx.recorder?.event(infra, "Normal", reason, message),
    };
  }
}
