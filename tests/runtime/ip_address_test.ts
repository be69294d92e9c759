/** CIDR blocks: parsing of both families, network addresses, overlap. */
import assert from "node:assert/strict";
import { cidrsOverlap, parseCidrBlock } from "../../src/runtime/ip_address.ts";

Deno.test("parseCidrBlock: both families, host bits kept apart from the network, malformed text refused", () => {
  assert.deepEqual(parseCidrBlock("10.250.0.0/16"), {
    family: 4,
    prefix: 16,
    address: 0x0afa0000n,
    network: 0x0afa0000n,
  });
  const host = parseCidrBlock("10.250.1.2/16")!;
  assert.equal(host.network, 0x0afa0000n);
  assert.notEqual(host.address, host.network);
  assert.equal(parseCidrBlock("2001:db8::/32")?.family, 6);
  assert.equal(parseCidrBlock("0.0.0.0/0")?.network, 0n);
  for (
    const bad of ["10.0.0.0", "10.0.0.0/33", "10.0.0/8", "10.0.0.0/-1", "x/8", "[::1]/64", "::/129", "10.0.0.0/8/8"]
  ) {
    assert.equal(parseCidrBlock(bad), undefined, bad);
  }
});

Deno.test("cidrsOverlap: nested and equal blocks overlap, neighbours and other families do not", () => {
  const b = (t: string) => parseCidrBlock(t)!;
  assert.ok(cidrsOverlap(b("10.0.0.0/8"), b("10.250.0.0/16")));
  assert.ok(cidrsOverlap(b("10.250.0.0/16"), b("10.0.0.0/8")));
  assert.ok(cidrsOverlap(b("100.64.0.0/13"), b("100.64.0.0/13")));
  assert.ok(!cidrsOverlap(b("100.64.0.0/13"), b("100.96.0.0/11")));
  assert.ok(!cidrsOverlap(b("10.0.0.0/8"), b("::/0")));
});
