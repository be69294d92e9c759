/**
 * The string formats kube-apiserver validates in CRD schemas (apiextensions-apiserver
 * `pkg/apiserver/validation/formats.go`, checkers from kube-openapi `pkg/validation/strfmt`). Format names are
 * normalised like go-openapi does (dashes removed: `date-time` is `datetime`). Unknown formats are ignored, as the
 * real server strips them from the schema.
 */

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
// govalidator.IsBase64: standard alphabet, padded, at least one quantum (so "" is not valid base64 here).
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const TIME_OF_DAY = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const MAC =
  /^(?:[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}|[0-9a-f]{2}(?:[:-][0-9a-f]{2}){7}|[0-9a-f]{2}(?:[:-][0-9a-f]{2}){19}|(?:[0-9a-f]{4}\.){2}[0-9a-f]{4}|(?:[0-9a-f]{4}\.){3}[0-9a-f]{4}|(?:[0-9a-f]{4}\.){9}[0-9a-f]{4})$/i;
const HOSTNAME_LABEL = /^[a-z0-9\p{S}\p{L}]([a-z0-9\p{S}\p{L}-]*[a-z0-9\p{S}\p{L}])?$/iu;
const QUANTITY =
  /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** RFC 3339 full-date as Go's time.Parse("2006-01-02") accepts it (real calendar days only). */
export function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** RFC 3339 date-time as strfmt.IsDateTime checks it (case-insensitive `T`/`Z`, optional fraction). */
export function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split("t");
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = TIME_OF_DAY.exec(parts[1]);
  return !!m && m[1] <= "23" && m[2] <= "59" && m[3] <= "59";
}

/** Dotted-quad IPv4 (no leading zeros beyond a single 0, as Go's net.ParseIP). */
export function isIPv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** IPv6 text form (with optional embedded IPv4 tail); zones are rejected like net.ParseIP does. */
export function isIPv6(s: string): boolean {
  if (!s.includes(":") || s.includes("%")) return false;
  let body = s;
  let groupsNeeded = 8;
  const lastColon = s.lastIndexOf(":");
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    if (!isIPv4(tail)) return false;
    body = s.slice(0, lastColon + 1) + "0:0";
    groupsNeeded = 8;
  }
  const halves = body.split("::");
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  const count = head.length + rest.length;
  return halves.length === 2 ? count < groupsNeeded : count === groupsNeeded;
}

/** `ip/prefix` with an IPv4 or IPv6 address, as net.ParseCIDR accepts it. */
export function isCIDR(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const [ip, bits] = [s.slice(0, slash), s.slice(slash + 1)];
  if (!/^[0-9]{1,3}$/.test(bits)) return false;
  if (isIPv4(ip)) return Number(bits) <= 32;
  return isIPv6(ip) && Number(bits) <= 128;
}

/** Host name per RFC 1034/1123 as strfmt.IsHostname checks it (labels up to 63, total up to 255). */
export function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  return s.split(".").every((l) => l.length <= 63 && HOSTNAME_LABEL.test(l));
}

const CHECKERS: Record<string, (s: string) => boolean> = {
  byte: (s) => BASE64.test(s),
  date: isDate,
  datetime: isDateTime,
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID3.test(s),
  uuid4: (s) => UUID4.test(s),
  uuid5: (s) => UUID5.test(s),
  ipv4: isIPv4,
  ipv6: isIPv6,
  cidr: isCIDR,
  mac: (s) => MAC.test(s),
  hostname: isHostname,
  password: () => true,
  quantity: (s) => QUANTITY.test(s),
};

/** The checker of a string format, or undefined for formats the real server does not validate (ignored). */
export function stringFormatChecker(format: string): ((s: string) => boolean) | undefined {
  return CHECKERS[format.replaceAll("-", "")];
}

/** Range of the integer formats (kube-apiserver ≥ 1.36 enforces them; earlier versions ignored them). */
export const INTEGER_FORMAT_RANGE: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  int64: [-9223372036854775808, 9223372036854775807],
};
