/** Boolean flag values as Go's `strconv.ParseBool` reads them (the upstream components' flags are Go flags). */

/** The boolean of a Go boolean text; throws `invalid boolean "<text>"` for anything else. */
export function parseGoBool(text: string): boolean {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(text)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(text)) return false;
  throw new Error(`invalid boolean ${JSON.stringify(text)}`);
}
