import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import {
  deviceIdFromProviderID,
  encodeProviderID,
  locationFromProviderID,
  sameDevice,
} from "../../../src/mcm/driver/provider_id.ts";

const ID = "5d0e6f6c-1b2a-4c3d-8e9f-0123456789ab";

Deno.test("encodeProviderID writes equinixmetal://<metro>/<id> with a lower-case metro", () => {
  assertEquals(encodeProviderID("ny", ID), `equinixmetal://ny/${ID}`);
  assertEquals(encodeProviderID("SV", ID), `equinixmetal://sv/${ID}`);
});

Deno.test("encodeProviderID without a metro falls back to equinixmetal://<id>", () => {
  assertEquals(encodeProviderID(undefined, ID), `equinixmetal://${ID}`);
  assertEquals(encodeProviderID("", ID), `equinixmetal://${ID}`);
});

Deno.test("encodeProviderID rejects ids and metros that would make an unparsable providerID", () => {
  assertThrows(() => encodeProviderID("ny", ""), /invalid device id/);
  assertThrows(() => encodeProviderID("ny", "a/b"), /invalid device id/);
  assertThrows(() => encodeProviderID("n/y", ID), /invalid metro code/);
});

Deno.test("deviceIdFromProviderID reads every known form", () => {
  const forms: Array<[string, string]> = [
    [`equinixmetal://ny/${ID}`, ID], // current metro form
    [`equinixmetal://ewr1/${ID}`, ID], // pre-v0.8.0 facility form
    [`equinixmetal://${ID}`, ID], // CCM form on Nodes
    [`packet://${ID}`, ID], // legacy CCM form
    [ID, ID], // bare UUID
    [ID.toUpperCase(), ID.toUpperCase()],
    [`EquinixMetal://NY/${ID}`, ID], // scheme is case-insensitive
    ["equinixmetal://ewr1/000001", "000001"], // upstream mock ids
    ["equinixmetal:///ewr1/000001", "000001"], // malformed upstream fixture
    [`  equinixmetal://ny/${ID}  `, ID],
  ];
  for (const [providerID, want] of forms) assertEquals(deviceIdFromProviderID(providerID), want, providerID);
});

Deno.test("deviceIdFromProviderID returns undefined for empty and foreign providerIDs", () => {
  for (
    const bad of [
      undefined,
      null,
      "",
      "   ",
      "equinixmetal://",
      "equinixmetal:///",
      `aws:///eu-west-1a/i-0123`,
      `gce://project/zone/${ID}`,
      "not-a-uuid",
      "000001", // a bare non-UUID is not recognisable as a device id
      `equinixmetal://ny/extra/${ID}`,
      "equinixmetal://ny/bad id",
    ]
  ) {
    assertEquals(deviceIdFromProviderID(bad), undefined, String(bad));
  }
});

Deno.test("locationFromProviderID returns the metro or facility of two-segment forms only", () => {
  assertEquals(locationFromProviderID(`equinixmetal://NY/${ID}`), "ny");
  assertEquals(locationFromProviderID(`equinixmetal://ewr1/${ID}`), "ewr1");
  assertEquals(locationFromProviderID(`equinixmetal://${ID}`), undefined);
  assertEquals(locationFromProviderID(ID), undefined);
  assertEquals(locationFromProviderID(""), undefined);
});

Deno.test("sameDevice compares device ids across forms (upgrade from facility to metro form)", () => {
  assertEquals(sameDevice(`equinixmetal://ewr1/${ID}`, `equinixmetal://ny/${ID}`), true);
  assertEquals(sameDevice(`packet://${ID}`, ID.toUpperCase()), true);
  assertEquals(sameDevice(`equinixmetal://ny/${ID}`, `equinixmetal://ny/${ID.replace("5d", "6d")}`), false);
  assertEquals(sameDevice("", ""), false);
  assertEquals(sameDevice(undefined, `equinixmetal://ny/${ID}`), false);
});
