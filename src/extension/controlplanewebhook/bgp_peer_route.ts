/**
 * Host routes to Equinix Metal's BGP peers. The cloud-controller-manager announces LoadBalancer addresses with BGP
 * (MetalLB speakers on the nodes peer with the Metal routers at the link-local addresses 169.254.255.1 and
 * 169.254.255.2). Those peers are reached through the server's private gateway, while the default route points at the
 * public one, so every node needs a host route per peer via the private IPv4 gateway. A oneshot unit runs a script that
 * reads the gateway (and any further peers) from the Metal metadata service and sets the routes with
 * `ip route replace` (idempotent, so a restart of the unit is harmless). Pure: the unit and file as OSC entries.
 */
import { upsertOnce } from "./upsert.ts";

export const BGP_SCRIPT_PATH = "/opt/bin/bgp-peer.sh";
export const BGP_UNIT_NAME = "bgp-peer-route.service";

/** The script (bash, curl and jq, which Flatcar and the other node images Gardener supports ship). */
export const BGP_SCRIPT = `#!/bin/bash
# Host routes to the Equinix Metal BGP peers through the private gateway (written by provider-equinix-metal).
set -euo pipefail

metadata=$(curl --fail --silent --show-error --retry 10 --retry-delay 3 --retry-connrefused \\
  https://metadata.platformequinix.com/metadata)
gateway=$(jq -r '[.network.addresses[] | select(.public == false and .address_family == 4)][0].gateway // empty' \\
  <<<"$metadata")
if [[ -z "$gateway" ]]; then
  echo "no private IPv4 gateway in the Equinix Metal metadata" >&2
  exit 1
fi
peers=$(jq -r '[.bgp_neighbors[]? | select(.address_family == 4) | .peer_ips[]?] | .[]' <<<"$metadata")
for peer in 169.254.255.1 169.254.255.2 $peers; do
  ip route replace "$peer/32" via "$gateway"
done
`;

/** The unit: after the network is up, before kubelet (whose MetalLB speaker needs the routes), retried on failure. */
export const BGP_UNIT_CONTENT = `[Unit]
Description=Host routes to the Equinix Metal BGP peers via the private gateway
Wants=network-online.target
After=network-online.target
Before=kubelet.service
[Service]
Type=oneshot
RemainAfterExit=yes
Restart=on-failure
RestartSec=10
ExecStart=${BGP_SCRIPT_PATH}
[Install]
WantedBy=multi-user.target
`;

/** An OSC file entry. */
export interface OscFile {
  path: string;
  permissions?: number;
  content: { inline?: { encoding: string; data: string }; [field: string]: unknown };
  [field: string]: unknown;
}

/** An OSC unit entry. */
export interface OscUnit {
  name: string;
  command?: string;
  enable?: boolean;
  content?: string;
  filePaths?: string[];
  [field: string]: unknown;
}

/** The script as an OSC file (mode 0755, plain text). */
export function bgpScriptFile(): OscFile {
  return { path: BGP_SCRIPT_PATH, permissions: 0o755, content: { inline: { encoding: "", data: BGP_SCRIPT } } };
}

/** The unit as an OSC unit; `filePaths` makes gardener-node-agent restart it when the script changes. */
export function bgpUnit(): OscUnit {
  return {
    name: BGP_UNIT_NAME,
    command: "start",
    enable: true,
    content: BGP_UNIT_CONTENT,
    filePaths: [BGP_SCRIPT_PATH],
  };
}

/** `files` and `units` with the script and the unit exactly once each. Pure. */
export function withBgpPeerRoutes(
  files: readonly OscFile[] | undefined,
  units: readonly OscUnit[] | undefined,
): { files: OscFile[]; units: OscUnit[] } {
  return {
    files: upsertOnce(files, (f) => f.path === BGP_SCRIPT_PATH, bgpScriptFile()),
    units: upsertOnce(units, (u) => u.name === BGP_UNIT_NAME, bgpUnit()),
  };
}
