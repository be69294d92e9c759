/**
 * The V8 flags every process of ours starts with. `--optimize-for-size` keeps the young generation and heap growth
 * small: the machine-controller at 1,000 machines peaks at ~146 MB instead of ~244 MB for ~+15 % CPU (see
 * docs/performance.md). V8 reads it only at start-up (setting it at run time has no effect), so it is passed on the
 * command line: the `cli`, `demo` and `compile` tasks of deno.json carry exactly this value (a test checks), and the
 * playground passes it to the components it starts.
 */
export const V8_FLAGS = "--optimize-for-size";
