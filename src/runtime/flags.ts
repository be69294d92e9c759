/**
 * Flag declarations. A command's flags are a table (camelCase key → flag) that declares each flag once: its kind,
 * value parser, default, help text and, for a component's options, the field it fills. The command line
 * (`src/cli/parser.ts`) reads the tables to parse arguments and print help; the components declare theirs beside
 * their options (`src/extension/options.ts`, `src/mcm/options.ts`), in the product layer, and resolve the text the
 * command line collected with `resolveFlagValues`, which reports every problem at once, naming the flag.
 *
 * The `pflag` builders declare flags in the syntax of the upstream Go components (Go durations and booleans, as
 * spf13/pflag reads them); `value`, `bool`, `toggle` and `list` declare flags with a parser of the command's own.
 */
import { formatDurationNanos, MILLISECOND, parseDuration } from "./duration.ts";
import { parseGoBool } from "./go_bool.ts";

/** How a flag takes its value: `--name v`, a Go boolean, a switch without value, or a repeatable list. */
export type FlagKind = "value" | "bool" | "switch" | "list";

/** One flag. `T` is its parsed value, `D` whether it always has one (a default, or `required`). */
export interface Flag<T, D extends boolean = boolean> {
  readonly kind: FlagKind;
  readonly help: string;
  readonly placeholder?: string;
  readonly short?: string;
  /** Further long names accepted for the same flag (old spellings). */
  readonly aliases?: readonly string[];
  readonly env?: string;
  readonly choices?: readonly string[];
  readonly required?: boolean;
  readonly default?: T;
  /** Converts the raw text; a thrown error becomes an error naming the flag. */
  readonly parse?: (raw: string) => T;
  /** Writes a value as the command line would take it (help shows the default so); default `String`. */
  format?(value: T): string;
  /** Shown in help instead of the default's value, when the default is a behaviour (e.g. "all controllers"). */
  readonly defaultText?: string;
  /** `--no-<name>` sets a switch to false. */
  readonly negatable?: boolean;
  /** The field of the component's options that the flag's value fills. */
  readonly field?: string;
  /** The Go type of a `pflag` flag's value (`duration`, `int`, ...), for checks that apply to every such field. */
  readonly syntax?: string;
  /** Phantom: whether the flag always has a value. */
  readonly _always?: D;
}

// deno-lint-ignore no-explicit-any -- flags of any value type
export type Flags = Record<string, Flag<any>>;

/** The parsed values of a set of flags, keyed like the declaration (camelCase). */
export type Values<F extends Flags> = {
  [K in keyof F]: F[K] extends Flag<infer T, infer D> ? (D extends true ? T : T | undefined) : never;
};

/** The text of one flag as the command line collects it: Go booleans may be bare (`true`), lists repeat. */
export type RawValue<F> = F extends { readonly kind: "bool" } ? string | boolean
  : F extends { readonly kind: "list" } ? readonly string[]
  : string;

/** The text of a set of flags as the command line collects it, before the component's resolver parses it. */
export type RawValues<F extends Flags> = { [K in keyof F]?: RawValue<F[K]> };

/** The options fields the flags fill (`field`), with their parsed types. */
export type FieldsOf<F extends Flags> = {
  -readonly [K in keyof F as F[K] extends { readonly field: infer N extends string } ? N : never]: Values<F>[K];
};

/** The command-line spelling of a flag's key: `--kebab-case`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** What help shows as the flag's default ("" for none). */
export function shownDefault(flag: Flag<unknown>): string {
  if (flag.defaultText !== undefined) return flag.defaultText;
  if (flag.default === undefined || flag.kind === "switch") return "";
  return flag.format ? flag.format(flag.default) : String(flag.default);
}

/** Options shared by every flag kind. */
interface FlagOptions {
  short?: string;
  aliases?: readonly string[];
  env?: string;
}

/** A flag with a value: `--name <placeholder>`. */
export function value(placeholder: string, help: string, o?: FlagOptions & { required?: false }): Flag<string, false>;
export function value<T>(
  placeholder: string,
  help: string,
  o: FlagOptions & { parse: (raw: string) => T; default?: undefined; required?: false; defaultText?: string },
): Flag<T, false>;
export function value<T = string>(
  placeholder: string,
  help: string,
  o: FlagOptions & { parse?: (raw: string) => T; default: T; defaultText?: string },
): Flag<T, true>;
export function value<T = string>(
  placeholder: string,
  help: string,
  o: FlagOptions & { parse?: (raw: string) => T; required: true },
): Flag<T, true>;
export function value<C extends string>(
  placeholder: string,
  help: string,
  o: FlagOptions & { choices: readonly C[]; default: C },
): Flag<C, true>;
export function value<C extends string>(
  placeholder: string,
  help: string,
  o: FlagOptions & { choices: readonly C[]; default?: undefined; defaultText?: string },
): Flag<C, false>;
export function value(
  placeholder: string,
  help: string,
  o: FlagOptions & { defaultText?: string; required?: false },
): Flag<string, false>;
export function value(placeholder: string, help: string, o: Partial<Flag<unknown>> = {}): Flag<unknown> {
  return { kind: "value", placeholder, help, ...o };
}

/** A Go-style boolean: `--name` means true, `--name=false` false; the value stays raw for the command's resolver. */
export function bool(help: string, o: FlagOptions = {}): Flag<string | true, false> {
  return { kind: "bool", placeholder: "[bool]", help, ...o };
}

/** A switch without a value: `--name` (and `--no-name` when negatable); absent means false (true if negatable). */
export function toggle(help: string, o: FlagOptions & { negatable?: boolean } = {}): Flag<boolean, true> {
  return { kind: "switch", help, default: o.negatable === true, ...o };
}

/** A repeatable flag collecting every value in order (the resolver splits comma-separated lists). */
export function list(placeholder: string, help: string, o: FlagOptions = {}): Flag<string[], false> {
  return { kind: "list", placeholder, help, ...o };
}

/** What a `pflag` builder takes; `R` is how the default is written in the table. */
interface GoFlagOptions<T, R> {
  readonly help: string;
  readonly placeholder?: string;
  readonly default?: R;
  readonly defaultText?: string;
  readonly field?: string;
  readonly aliases?: readonly string[];
  /** The least value of an int (the upstream validation of counts, intervals and ports). */
  readonly min?: number;
  /** Checks (and may convert) the text instead of the builder's parser; a thrown error names the flag. */
  readonly parse?: (raw: string) => T;
}

/** A flag declared by a `pflag` builder: its kind and its options field are part of its type. */
export type GoFlag<T, K extends FlagKind, O> =
  & Flag<T, O extends { readonly default: unknown } ? true : false>
  & { readonly kind: K; readonly field: O extends { readonly field: infer N extends string } ? N : undefined };

function declare<T, K extends FlagKind, R = T>(
  syntax: string,
  kind: K,
  placeholder: string,
  parser: (o: GoFlagOptions<T, R>) => ((raw: string) => T) | undefined,
  typed: (written: R) => T,
  format?: (value: T) => string,
) {
  return <const O extends GoFlagOptions<T, R>>(o: O): GoFlag<T, K, O> =>
    ({
      kind,
      help: o.help,
      placeholder: o.placeholder ?? placeholder,
      aliases: o.aliases,
      parse: parser(o),
      format,
      default: o.default === undefined ? undefined : typed(o.default),
      defaultText: o.defaultText,
      field: o.field,
      syntax,
    }) as GoFlag<T, K, O>;
}

/** Parses a Go `int` (decimal, optionally signed), at least `min` when given. */
function goInt(min?: number): (raw: string) => number {
  return (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error(`invalid integer ${JSON.stringify(raw)}`);
    const n = Number(raw);
    if (min !== undefined && n < min) throw new Error(`must be at least ${min}, got ${n}`);
    return n;
  };
}

function goFloat(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) throw new Error(`invalid number ${JSON.stringify(raw)}`);
  return n;
}

const same = <T>(v: T) => v;
const msToGo = (ms: number) => formatDurationNanos(BigInt(Math.round(ms)) * MILLISECOND);

/**
 * Builders of flags in the Go components' syntax, named after spf13/pflag's: the value is parsed when the component
 * resolves it; the default is written as the table's author would type it (a duration as Go text, `"20m"`; help
 * shows Go's spelling, `20m0s`).
 */
export const pflag = {
  /** A Go duration, in milliseconds. */
  duration: declare<number, "value", string>(
    "duration",
    "value",
    "<duration>",
    (o) => o.parse ?? parseDuration,
    parseDuration,
    msToGo,
  ),
  /** A Go int (at least `min` when given). */
  int: declare<number, "value">("int", "value", "<n>", (o) => o.parse ?? goInt(o.min), same),
  /** A Go float. */
  float: declare<number, "value">("float", "value", "<n>", (o) => o.parse ?? goFloat, same),
  /** Text, checked by `parse` when given. */
  string: declare<string, "value">("string", "value", "<value>", (o) => o.parse, same),
  /** A Go boolean: `--name` alone means true. */
  bool: declare<boolean, "bool">("bool", "bool", "[bool]", () => parseGoBool, same),
  /** Comma-separated names, the flag repeatable: the values of every occurrence, trimmed, without empty ones. */
  list: declare<string[], "list">("list", "list", "<names>", () => undefined, same, (v) => v.join(",")),
};

/** Splits repeated, comma-separated list flags (`--controllers a,b --controllers c`). */
function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Parses the text of a table's flags: defaults for the absent ones, every problem collected as `--flag: why` (the
 * flag then has its default, so that further checks see a sound value).
 */
export function resolveFlagValues<F extends Flags>(
  flags: F,
  raw: RawValues<F>,
): { values: Values<F>; errors: string[] } {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const [key, flag] of Object.entries(flags)) {
    const given: string | boolean | readonly string[] | undefined = raw[key];
    if (given === undefined) values[key] = flag.default;
    else if (typeof given === "boolean") values[key] = given;
    else if (typeof given !== "string") values[key] = splitList(given);
    else {
      try {
        values[key] = flag.parse ? flag.parse(given) : given;
      } catch (e) {
        errors.push(`${flagName(key)}: ${e instanceof Error ? e.message : String(e)}`);
        values[key] = flag.default;
      }
    }
  }
  return { values: values as Values<F>, errors };
}

/** Orders `--flag: why` errors as the table (and help) lists the flags; errors naming no flag of it come last. */
export function inFlagOrder(flags: Flags, errors: readonly string[]): string[] {
  const position = new Map(Object.keys(flags).map((key, i) => [flagName(key), i]));
  const rank = (e: string) => position.get(e.slice(0, e.indexOf(":"))) ?? position.size;
  return errors.map((e, i) => ({ e, i, r: rank(e) })).sort((a, b) => a.r - b.r || a.i - b.i).map(({ e }) => e);
}

/** The defaults of a table's flags. */
export function defaultValues<F extends Flags>(flags: F): Values<F> {
  return resolveFlagValues(flags, {}).values;
}

/** The options fields of parsed values: each flag with a `field` fills it. */
export function fieldsOf<F extends Flags>(flags: F, values: Values<F>): FieldsOf<F> {
  const out: Record<string, unknown> = {};
  for (const [key, flag] of Object.entries(flags)) if (flag.field) out[flag.field] = values[key];
  return out as FieldsOf<F>;
}

/** The values of some flags, as they are (options fields named like their flag). */
export function pick<F extends Flags, K extends keyof F & string>(
  values: Values<F>,
  keys: readonly K[],
): Pick<Values<F>, K> {
  const out: Partial<Values<F>> = {};
  for (const k of keys) out[k] = values[k];
  return out as Pick<Values<F>, K>;
}
