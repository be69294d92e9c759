/** The BGP peer route script and unit as OSC entries, and exactly once in a list. */
import assert from "node:assert/strict";
import {
  BGP_SCRIPT,
  BGP_SCRIPT_PATH,
  BGP_UNIT_CONTENT,
  BGP_UNIT_NAME,
  bgpScriptFile,
  bgpUnit,
  withBgpPeerRoutes,
} from "../../../src/extension/controlplanewebhook/bgp_peer_route.ts";

Deno.test("BGP script: routes the well-known peers and the metadata's via the private IPv4 gateway, idempotently", () => {
  assert.ok(BGP_SCRIPT.startsWith("#!/bin/bash\n"));
  assert.match(BGP_SCRIPT, /https:\/\/metadata\.platformequinix\.com\/metadata/);
  assert.match(BGP_SCRIPT, /select\(\.public == false and \.address_family == 4\)/);
  assert.match(BGP_SCRIPT, /for peer in 169\.254\.255\.1 169\.254\.255\.2 \$peers; do/);
  assert.match(BGP_SCRIPT, /ip route replace "\$peer\/32" via "\$gateway"/);
  assert.equal(bgpScriptFile().permissions, 0o755);
  assert.deepEqual(bgpUnit().filePaths, [BGP_SCRIPT_PATH]);
});

Deno.test("BGP unit: oneshot, kept active, retried, before kubelet, enabled and started", () => {
  for (const line of ["Type=oneshot", "RemainAfterExit=yes", "Restart=on-failure", "Before=kubelet.service"]) {
    assert.ok(BGP_UNIT_CONTENT.split("\n").includes(line), line);
  }
  assert.ok(BGP_UNIT_CONTENT.includes(`ExecStart=${BGP_SCRIPT_PATH}\n`));
  assert.deepEqual({ name: bgpUnit().name, command: bgpUnit().command, enable: bgpUnit().enable }, {
    name: BGP_UNIT_NAME,
    command: "start",
    enable: true,
  });
});

Deno.test("BGP entries: added once to empty lists, and the result is a fixed point", () => {
  const once = withBgpPeerRoutes(undefined, undefined);
  assert.deepEqual(once, { files: [bgpScriptFile()], units: [bgpUnit()] });
  assert.deepEqual(withBgpPeerRoutes(once.files, once.units), once);
});
