/**
 * The V8 flags every process of ours starts with, for memory: one machine controller runs per shoot. `--optimize-for-size`
 * keeps the young generation and heap growth small (machine controller at 1,000 machines: ~146 MB peak instead of
 * ~244 MB, ~+15 % CPU); `--lite-mode` gives up the optimizing compilers, whose code and feedback a controller that
 * waits on I/O barely uses (peak 129 → 113 MB, idle 90 → 85 MB, the same wall time, +0–20 % CPU; docs/performance.md).
 * V8 reads them only at start-up, so they are passed on the command line: the `cli`, `demo` and `compile` tasks of
 * deno.json carry exactly this value (a test checks), and the playground passes it to the components it starts.
 */
export const V8_FLAGS = "--optimize-for-size,--lite-mode";
