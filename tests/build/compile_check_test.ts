import assert from "node:assert/strict";
import { embeddedPaths } from "../../tools/compile_check.ts";

Deno.test("compile check: the embedded-files tree of deno compile becomes full paths", () => {
  const listing = [
    "Embedded Files",
    "",
    "p",
    "├─┬ .deno_compile_node_modules (12MB - 11.32MB unique)",
    "│ └─┬ localhost (12MB - 11.32MB unique)",
    "│   ├── @bufbuild/protobuf/* (1.92MB - 1.5MB unique)",
    "│   ├─┬ @connectrpc (1.05MB - 911.88KB unique)",
    "│   │ └── connect-node/* (210.57KB - 179.5KB unique)",
    "│   └── zod/4.6.7/* (5.93MB - 5.86MB unique)",
    "├── example/* (22.79KB)",
    "└─┬ src",
    "  └── main.ts (668B)",
    "",
    "Files: 16.22MB",
  ].join("\n");
  assert.deepEqual(embeddedPaths(listing), [
    ".deno_compile_node_modules",
    ".deno_compile_node_modules/localhost",
    ".deno_compile_node_modules/localhost/@bufbuild/protobuf/*",
    ".deno_compile_node_modules/localhost/@connectrpc",
    ".deno_compile_node_modules/localhost/@connectrpc/connect-node/*",
    ".deno_compile_node_modules/localhost/zod/4.6.7/*",
    "example/*",
    "src",
    "src/main.ts",
  ]);
});
