/** The image vector: the embedded defaults, Gardener's format, an IMAGEVECTOR_OVERWRITE file applied by name. */
import assert from "node:assert/strict";
import {
  defaultImageVector,
  findImage,
  imageReference,
  ImageVectorError,
  loadImageVector,
  overwriteImageVector,
  parseImageVector,
} from "../../../src/extension/imagevector/imagevector.ts";
import { VERSION } from "../../../src/runtime/version.ts";

Deno.test("image vector: the embedded defaults hold the sidecar (this build's version) and the CCM", () => {
  const vector = defaultImageVector();
  assert.equal(
    findImage(vector, "machine-controller-manager-provider-equinix-metal"),
    `provider-equinix-metal:v${VERSION}`,
    "the sidecar's tag follows deno.json's version",
  );
  assert.equal(
    findImage(vector, "cloud-controller-manager"),
    "europe-docker.pkg.dev/gardener-project/releases/3rd/equinix/cloud-provider-equinix-metal:v3.6.2",
  );
});

Deno.test("image vector: references from repository and tag, a digest, or ref", () => {
  assert.equal(imageReference({ name: "a", repository: "r.example/a", tag: "v1" }), "r.example/a:v1");
  assert.equal(imageReference({ name: "a", repository: "r.example/a", tag: "sha256:abc" }), "r.example/a@sha256:abc");
  assert.equal(imageReference({ name: "a", repository: "r.example/a" }), "r.example/a");
  assert.equal(imageReference({ name: "a", ref: "r.example/a@sha256:def", repository: "x" }), "r.example/a@sha256:def");
  assert.throws(() => imageReference({ name: "a" }), /image a: neither ref nor repository is set/);
  assert.throws(() => findImage(new Map(), "missing"), /image missing is not in the image vector/);
});

Deno.test("image vector: an overwrite replaces the fields it sets, by name, and adds new names", () => {
  const base = parseImageVector(
    "images:\n- name: a\n  repository: r.example/a\n  tag: v1\n- name: b\n  ref: r.example/b:v1\n",
    "base",
  );
  const over = parseImageVector(
    "images:\n- name: a\n  tag: v2\n- name: b\n  repository: mirror.example/b\n  tag: v3\n- name: c\n  ref: c:v1\n",
    "over",
  );
  const merged = overwriteImageVector(base, over);
  assert.equal(findImage(merged, "a"), "r.example/a:v2");
  assert.equal(findImage(merged, "b"), "mirror.example/b:v3");
  assert.equal(findImage(merged, "c"), "c:v1");
  assert.equal(findImage(base, "a"), "r.example/a:v1", "the base is not modified");
  const byRef = overwriteImageVector(base, parseImageVector("images:\n- name: a\n  ref: pinned@sha256:1\n", "o"));
  assert.equal(findImage(byRef, "a"), "pinned@sha256:1");
});

Deno.test("image vector: errors name the source and the entry", () => {
  assert.throws(
    () => parseImageVector("images: [", "f.yaml"),
    (e) => e instanceof ImageVectorError && /f\.yaml: not YAML/.test(e.message),
  );
  assert.throws(
    () => parseImageVector("images:\n- repository: x\n", "f.yaml"),
    /image vector f\.yaml: images\.0\.name/,
  );
  assert.throws(
    () => parseImageVector("images:\n- name: a\n  targetVersion: '>= 1.30'\n", "f.yaml"),
    /image vector f\.yaml: images\.0/,
  );
  assert.throws(() => parseImageVector("images:\n- name: a\n- name: a\n", "f.yaml"), /images\[1\]: duplicate name a/);
});

Deno.test("image vector: loadImageVector applies the file IMAGEVECTOR_OVERWRITE names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/overwrite.yaml`;
    await Deno.writeTextFile(
      path,
      "images:\n- name: machine-controller-manager-provider-equinix-metal\n  repository: registry.example/pem\n  tag: v9\n",
    );
    const vector = loadImageVector(path);
    assert.equal(findImage(vector, "machine-controller-manager-provider-equinix-metal"), "registry.example/pem:v9");
    assert.deepEqual(loadImageVector(undefined), defaultImageVector());
    assert.throws(() => loadImageVector(`${dir}/missing.yaml`), /IMAGEVECTOR_OVERWRITE: cannot read .*missing\.yaml/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
