/**
 * Command-line flags in a container's `command`/`args` or a systemd `ExecStart`: set one flag to one value, idempotently.
 * Pure.
 */

/** True if `token` is the flag `name`, as `--name=value` or a bare `--name`. */
function isFlag(token: string, name: string): boolean {
  return token === `--${name}` || token.startsWith(`--${name}=`);
}

/** True if `tokens` hold any flag at all (`--x`). */
export function hasFlags(tokens: readonly string[] | undefined): boolean {
  return (tokens ?? []).some((t) => t.startsWith("--"));
}

/** `tokens` without flag `name` in either form (`--name=v`, or `--name v` where v is not itself a flag). */
export function withoutFlag(tokens: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === `--${name}`) {
      if (i + 1 < tokens.length && !tokens[i + 1].startsWith("-") && !tokens[i + 1].startsWith("$")) i++;
      continue;
    }
    if (isFlag(tokens[i], name)) continue;
    out.push(tokens[i]);
  }
  return out;
}

/**
 * `tokens` with `--name=value` exactly once: where the flag stood first, otherwise before the first shell variable
 * (`$KUBELET_EXTRA_ARGS`, so that a user's extra arguments still come last), otherwise at the end. Unchanged (same
 * elements) when the flag is already there once with that value.
 */
export function withFlag(tokens: readonly string[], name: string, value: string): string[] {
  const flag = `--${name}=${value}`;
  const first = tokens.findIndex((t) => isFlag(t, name));
  const rest = withoutFlag(tokens, name);
  let at = first >= 0 ? withoutFlag(tokens.slice(0, first), name).length : rest.findIndex((t) => t.startsWith("$"));
  if (at < 0) at = rest.length;
  return [...rest.slice(0, at), flag, ...rest.slice(at)];
}
