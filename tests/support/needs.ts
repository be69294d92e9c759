/**
 * Tests that need something a machine may lack: a program (kubectl, Python with grpcio) or a document the repository
 * may not ship. Where it is missing the test is registered as ignored with the reason in its name, so `deno test`
 * lists it as ignored and says why: never failed for that, never passed without running.
 */

/** The absolute path of `name` on PATH, or undefined when no executable file of that name is there. */
export function findProgram(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter((d) => d !== "")) {
    try {
      const info = Deno.statSync(`${dir}/${name}`);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return `${dir}/${name}`;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Registers `def`; when `missing` gives a reason, registers it ignored with "(ignored: <reason>)" in its name. With
 * `REQUIRE_TEST_NEEDS=1` (CI, where everything is provided) a missing need fails the test instead.
 */
export function testUnless(missing: string | undefined, def: Deno.TestDefinition): void {
  if (missing !== undefined && Deno.env.get("REQUIRE_TEST_NEEDS") === "1") {
    Deno.test({ ...def, fn: () => Promise.reject(new Error(`required but missing: ${missing}`)) });
  } else if (missing === undefined) Deno.test(def);
  else Deno.test({ ...def, name: `${def.name} (ignored: ${missing})`, ignore: true });
}

/** kubectl from PATH ("kubectl" when absent: the tests that run it are ignored then). */
export const KUBECTL: string = findProgram("kubectl") ?? "kubectl";

/** Why tests driving kubectl cannot run here, or undefined. */
export const KUBECTL_MISSING: string | undefined = findProgram("kubectl") ? undefined : "kubectl is not on PATH";
