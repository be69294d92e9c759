/** Boolean flag values as Go's `strconv.ParseBool` reads them (the upstream components' flags are Go flags). */

/** The boolean of a flag value; an invalid value is recorded in `errors` (naming the flag) and gives `fallback`. */
export function goBool(v: string | boolean | undefined, flag: string, fallback: boolean, errors: string[]): boolean {
  if (v === undefined) return fallback;
  if (typeof v === "boolean") return v;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(v)) return false;
  errors.push(`${flag}: invalid boolean ${JSON.stringify(v)}`);
  return fallback;
}
