/**
 * The webhook certificates' life cycle, decided from what is stored: when to issue a new CA, which CAs the published
 * bundle carries, which CA signs the serving certificate and when to renew it, what to delete. Pure.
 *
 * The order keeps every served certificate chained to every published bundle: a new CA first only joins the bundle
 * (next to the old one); the serving certificate switches to it only once that bundle is published; the old CA leaves
 * the bundle after the overlap, and only when no serving certificate it signed is current.
 */

/** A stored CA: the Secret holding it and its validity (epoch ms). */
export interface CaRecord {
  secretName: string;
  issuedAt: number;
  validUntil: number;
  certPem: string;
}

/** A stored serving certificate: the Secret holding it, its validity, and the CA Secret that signed it. */
export interface ServerRecord {
  secretName: string;
  issuedAt: number;
  validUntil: number;
  signingCa: string;
}

/** Validity and renewal policy. */
export interface CertificatePolicy {
  /** Validity of a new CA (Gardener: 30 days). */
  caValidityMs: number;
  /** Validity of a new serving certificate (capped by its CA's). */
  serverValidityMs: number;
  /** Share of the validity after which a certificate is renewed (Gardener's secrets manager: 0.8). */
  renewAfterFraction: number;
  /** How long a replaced CA stays in the bundle (Gardener: 24 h). */
  bundleOverlapMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Gardener's webhook certificate policy. */
export const DEFAULT_CERTIFICATE_POLICY: CertificatePolicy = {
  caValidityMs: 30 * DAY_MS,
  serverValidityMs: 30 * DAY_MS,
  renewAfterFraction: 0.8,
  bundleOverlapMs: DAY_MS,
};

/** What to do next. */
export interface CertificatePlan {
  /** Issue a new CA (then plan again). */
  createCa: boolean;
  /** The CAs (Secret names) the bundle must carry, newest first. */
  bundle: string[];
  /** The CA (Secret name) the serving certificate must be signed by; undefined when there is no CA yet. */
  signer?: string;
  /** Issue a new serving certificate signed by `signer`. */
  createServer: boolean;
  /** The current serving certificate's Secret (undefined when none). */
  server?: string;
  /** Secrets no longer needed. */
  obsolete: string[];
}

function renewalDue(issuedAt: number, validUntil: number, now: number, policy: CertificatePolicy): boolean {
  return now >= issuedAt + (validUntil - issuedAt) * policy.renewAfterFraction || now >= validUntil;
}

/**
 * The next steps, from the stored CAs and serving certificates and the CAs of the bundle last published everywhere
 * (`published`, Secret names; empty before the first publication).
 */
export function planCertificates(
  observed: { cas: CaRecord[]; servers: ServerRecord[]; published: string[] },
  now: number,
  policy: CertificatePolicy = DEFAULT_CERTIFICATE_POLICY,
): CertificatePlan {
  const cas = [...observed.cas].sort((a, b) => b.issuedAt - a.issuedAt || b.secretName.localeCompare(a.secretName));
  const servers = [...observed.servers].sort((a, b) =>
    b.issuedAt - a.issuedAt || b.secretName.localeCompare(a.secretName)
  );
  const newest = cas[0];
  const createCa = !newest || renewalDue(newest.issuedAt, newest.validUntil, now, policy);
  const known = new Set(cas.map((c) => c.secretName));
  const current = servers.find((s) => known.has(s.signingCa));

  // Serve from the newest CA once a published bundle carries it; until then from the newest published one.
  const published = new Set(observed.published);
  const signer = observed.published.length === 0
    ? newest?.secretName
    : (cas.find((c) => published.has(c.secretName) && c.validUntil > now) ?? newest)?.secretName;
  const signerOrder = cas.findIndex((c) => c.secretName === signer);
  // Never switch back to an older CA than the one serving now.
  const currentOrder = current ? cas.findIndex((c) => c.secretName === current.signingCa) : -1;
  const effectiveSigner = currentOrder >= 0 && currentOrder < signerOrder ? current!.signingCa : signer;

  const bundle: string[] = [];
  cas.forEach((ca, i) => {
    if (ca.validUntil <= now) return;
    if (i === 0) return void bundle.push(ca.secretName);
    const successor = cas[i - 1];
    const inOverlap = now < successor.issuedAt + policy.bundleOverlapMs;
    const serving = ca.secretName === current?.signingCa || ca.secretName === effectiveSigner;
    if (inOverlap || serving) bundle.push(ca.secretName);
  });

  // A serving certificate due for renewal while a newer CA waits for its publication is renewed by the switch.
  const switchPending = effectiveSigner !== newest?.secretName && !!current && current.validUntil > now;
  const createServer = effectiveSigner !== undefined &&
    (!current || current.signingCa !== effectiveSigner ||
      (renewalDue(current.issuedAt, current.validUntil, now, policy) && !switchPending));
  const keep = new Set([
    ...bundle,
    ...(current ? [current.secretName] : []),
    ...(effectiveSigner ? [effectiveSigner] : []),
  ]);
  const obsolete = [
    ...cas.filter((c) => !keep.has(c.secretName)).map((c) => c.secretName),
    ...servers.filter((s) => s !== current).map((s) => s.secretName),
  ];
  return { createCa, bundle, signer: effectiveSigner, createServer, server: current?.secretName, obsolete };
}
