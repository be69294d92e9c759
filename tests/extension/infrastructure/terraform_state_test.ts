/** Reading the SSH key id from the Go provider's Terraform state: v4 and v3 formats, encodings, bad input. */
import assert from "node:assert/strict";
import { sshKeyIdFromTfstate, tfstateText } from "../../../src/extension/infrastructure/terraform_state.ts";
import { ConfigurationError } from "../../../src/extension/reconciler/error_codes.ts";

const ID = "0f5c6a2e-86a4-4d7e-9f0e-3b1c2a5d6e7f";
const OBJ = "Infrastructure shoot--a--b/b";
const read = (text: string) => sshKeyIdFromTfstate(text, "status.state.data", OBJ);

Deno.test("tfstate v4: output key_pair_id first, else the metal_project_ssh_key.publickey resource", () => {
  assert.equal(read(JSON.stringify({ version: 4, outputs: { key_pair_id: { value: ID, type: "string" } } })), ID);
  const resources = (type: string, name = "publickey", mode = "managed") =>
    JSON.stringify({
      version: 4,
      outputs: {},
      resources: [{ mode, type, name, instances: [{ attributes: { id: ID } }] }],
    });
  assert.equal(read(resources("metal_project_ssh_key")), ID);
  assert.equal(read(resources("packet_project_ssh_key")), ID, "before the provider was renamed");
  assert.equal(read(resources("metal_project_ssh_key", "other")), undefined);
  assert.equal(read(resources("metal_project_ssh_key", "publickey", "data")), undefined, "a data source is not ours");
});

Deno.test("tfstate v3 (modules) and empty states", () => {
  assert.equal(
    read(JSON.stringify({ version: 3, modules: [{ path: ["root"], outputs: { key_pair_id: { value: ID } } }] })),
    ID,
  );
  assert.equal(
    read(JSON.stringify({
      version: 3,
      modules: [{
        path: ["root"],
        outputs: {},
        resources: { "metal_project_ssh_key.publickey": { primary: { id: ID } } },
      }],
    })),
    ID,
  );
  assert.equal(read(""), undefined, "Terraform never applied");
  assert.equal(read(JSON.stringify({ version: 4, outputs: {}, resources: [] })), undefined);
});

Deno.test("raw states: base64 and plain text; broken input is a configuration error naming the field", () => {
  const text = JSON.stringify({ version: 4 });
  assert.equal(tfstateText({ data: btoa(text), encoding: "base64" }, OBJ), text);
  assert.equal(tfstateText({ data: text, encoding: "none" }, OBJ), text);
  assert.equal(tfstateText({ data: text }, OBJ), text);
  assert.throws(
    () => tfstateText({ data: "%%%", encoding: "base64" }, OBJ),
    (e) => e instanceof ConfigurationError && /status\.state\.data: Invalid value: not base64/.test(e.message),
  );
  assert.throws(
    () => tfstateText({ data: text, encoding: "gzip" }, OBJ),
    /status\.state\.encoding: Unsupported value: "gzip"/,
  );
  assert.throws(
    () => read("{not json"),
    /Infrastructure shoot--a--b\/b: status\.state\.data: Invalid value: not a Terraform state/,
  );
});
