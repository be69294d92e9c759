/**
 * The OperatingSystemConfig mutation: kubelet's `ExecStart` edited in place (the rest of gardenlet's unit byte for
 * byte), the BGP peer route unit and script exactly once, other purposes untouched.
 */
import assert from "node:assert/strict";
import {
  ensureOperatingSystemConfig,
  kubeletUnitWithExternalCloudProvider,
  type OperatingSystemConfig,
} from "../../../src/extension/controlplanewebhook/operating_system_config.ts";
import {
  BGP_SCRIPT_PATH,
  BGP_UNIT_NAME,
  bgpScriptFile,
  bgpUnit,
} from "../../../src/extension/controlplanewebhook/bgp_peer_route.ts";
import { KUBELET_UNIT, oscReconcile } from "./fixtures.ts";

Deno.test("kubelet unit: only the ExecStart line changes; a second pass returns the same text", () => {
  const once = kubeletUnitWithExternalCloudProvider(KUBELET_UNIT);
  const [before] = KUBELET_UNIT.split("ExecStart=");
  assert.ok(once.startsWith(before), "everything before ExecStart is gardenlet's text");
  assert.ok(once.endsWith("    --v=2 \\\n    --cloud-provider=external $KUBELET_EXTRA_ARGS"));
  assert.equal(kubeletUnitWithExternalCloudProvider(once), once);
});

Deno.test("kubelet unit: an existing --cloud-provider is replaced where it stood", () => {
  const unit = KUBELET_UNIT.replace("--config=", "--cloud-provider=gce \\\n    --config=");
  const out = kubeletUnitWithExternalCloudProvider(unit);
  assert.equal(out, KUBELET_UNIT.replace("--config=", "--cloud-provider=external \\\n    --config="));
});

Deno.test("OSC reconcile: a stale BGP script or unit is replaced, exactly once each", () => {
  const osc = oscReconcile() as OperatingSystemConfig;
  osc.spec!.files!.push(
    { path: BGP_SCRIPT_PATH, permissions: 0o700, content: { inline: { encoding: "", data: "#!/bin/sh\nold\n" } } },
    { path: BGP_SCRIPT_PATH, content: { inline: { encoding: "b64", data: "b2xk" } } },
  );
  osc.spec!.units!.unshift({ name: BGP_UNIT_NAME, command: "start", enable: false, content: "[Service]\n" });
  const out = ensureOperatingSystemConfig(osc);
  assert.deepEqual(out.spec!.files!.filter((f) => f.path === BGP_SCRIPT_PATH), [bgpScriptFile()]);
  assert.deepEqual(out.spec!.units!.filter((u) => u.name === BGP_UNIT_NAME), [bgpUnit()]);
  assert.equal(out.spec!.units![0].name, BGP_UNIT_NAME, "in the place of the stale one");
  assert.equal(osc.spec!.files!.length, 5, "the input is not modified");
});

Deno.test("OSC reconcile without a kubelet unit still gets the BGP routes; other purposes are untouched", () => {
  const osc = oscReconcile() as OperatingSystemConfig;
  osc.spec!.units = [];
  assert.deepEqual(ensureOperatingSystemConfig(osc).spec!.units, [bgpUnit()]);
  const unknown = oscReconcile() as OperatingSystemConfig;
  unknown.spec!.purpose = "something-new";
  assert.deepEqual(ensureOperatingSystemConfig(unknown), unknown);
});
