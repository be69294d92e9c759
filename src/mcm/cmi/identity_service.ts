/** The CMI `Identity` service: plugin name and version, the Machine RPCs implemented, readiness. */
import type { ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { VERSION } from "../../runtime/version.ts";
import {
  GetPluginCapabilitiesResponseSchema,
  GetPluginInfoResponseSchema,
  type Identity,
  PluginCapability_RPC_Type,
  PluginCapabilitySchema,
  ProbeResponseSchema,
} from "./gen/cmi_pb.ts";

/**
 * Plugin name reported by GetPluginInfo: DNS-like, at most 63 characters as the spec requires, named after the
 * Gardener provider extension this binary belongs to.
 */
export const CMI_PLUGIN_NAME = "equinixmetal.provider.extensions.gardener.cloud";

export interface IdentityOptions {
  /** Whether the driver offers ShutDownMachine. */
  shutDown: boolean;
  /** Readiness; absent means always ready. */
  ready?: () => boolean;
  version?: string;
}

/** The capabilities, identical for every instance of a version (they depend only on the driver's methods). */
export function capabilityTypes(opts: { shutDown: boolean }): PluginCapability_RPC_Type[] {
  const types = [
    PluginCapability_RPC_Type.CREATE_MACHINE,
    PluginCapability_RPC_Type.DELETE_MACHINE,
    PluginCapability_RPC_Type.GET_MACHINE_STATUS,
    PluginCapability_RPC_Type.LIST_MACHINES,
  ];
  if (opts.shutDown) types.push(PluginCapability_RPC_Type.SHUTDOWN_MACHINE);
  types.push(PluginCapability_RPC_Type.GET_VOLUME_IDS);
  return types;
}

/** Implementation of `cmi.v1.Identity`. */
export function identityService(opts: IdentityOptions): ServiceImpl<typeof Identity> {
  return {
    getPluginInfo() {
      return create(GetPluginInfoResponseSchema, {
        name: CMI_PLUGIN_NAME,
        version: opts.version ?? VERSION,
        manifest: { provider: "EquinixMetal" },
      });
    },
    getPluginCapabilities() {
      return create(GetPluginCapabilitiesResponseSchema, {
        capabilities: capabilityTypes(opts).map((type) =>
          create(PluginCapabilitySchema, { type: { case: "rpc", value: { type } } })
        ),
      });
    },
    probe() {
      return create(ProbeResponseSchema, { ready: opts.ready ? opts.ready() : true });
    },
  };
}
