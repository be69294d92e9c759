/**
 * X.509 certificates for TLS servers we run (the webhook server, the fake API server): self-signed ECDSA P-256 CAs
 * and serving certificates signed by them, generated with WebCrypto and `@peculiar/x509` in a few milliseconds, and
 * the validity of a PEM certificate. The one home of certificate generation.
 */
import { decodeBase64, encodeBase64 } from "./base64.ts";
import * as x509 from "@peculiar/x509";

/** PEM material for a TLS server and for clients that must trust it. */
export interface ServingCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A certificate authority: its certificate and private key (PKCS #8), both PEM. */
export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

/** A certificate's validity window (epoch milliseconds). */
export interface Validity {
  notBefore: number;
  notAfter: number;
}

const ALGORITHM: EcKeyGenParams & EcdsaParams = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const DAY_MS = 24 * 60 * 60 * 1000;
/** Slack for clocks that differ slightly between client and server. */
const BACKDATE_MS = 60 * 60 * 1000;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = encodeBase64(new Uint8Array(der));
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function unpem(text: string): Uint8Array<ArrayBuffer> {
  const body = text.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  return new Uint8Array(decodeBase64(body));
}

function setup(): void {
  x509.cryptoProvider.set(crypto);
}

async function exportKey(key: CryptoKey): Promise<string> {
  return pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", key));
}

/** Generates a self-signed CA valid from `now` (minus an hour of slack) for `validMs`. */
export async function generateCertificateAuthority(
  opts: { commonName: string; now: number; validMs: number },
): Promise<CertificateAuthority> {
  setup();
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${opts.commonName}`,
    keys,
    notBefore: new Date(opts.now - BACKDATE_MS),
    notAfter: new Date(opts.now + opts.validMs),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: ca.toString("pem") + "\n", keyPem: await exportKey(keys.privateKey) };
}

/** Generates a serving certificate for the names, signed by `ca`, valid from `now` for `validMs` (capped by the CA). */
export async function generateServerCertificate(
  opts: {
    ca: CertificateAuthority;
    commonName: string;
    dnsNames: string[];
    ipAddresses?: string[];
    now: number;
    validMs: number;
  },
): Promise<{ certPem: string; keyPem: string }> {
  setup();
  const caCert = new x509.X509Certificate(opts.ca.certPem);
  const caKey = await crypto.subtle.importKey("pkcs8", unpem(opts.ca.keyPem), ALGORITHM, true, ["sign"]);
  const caPublic = await caCert.publicKey.export(ALGORITHM, ["verify"]);
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]) as CryptoKeyPair;
  const names = [
    ...opts.dnsNames.map((value) => ({ type: "dns" as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
  ];
  const notAfter = Math.min(opts.now + opts.validMs, caCert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${opts.commonName}`,
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    signingKey: caKey,
    notBefore: new Date(opts.now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caPublic),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem") + "\n", keyPem: await exportKey(keys.privateKey) };
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // positive
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The validity window of the first certificate in a PEM text. */
export function certificateValidity(certPem: string): Validity {
  const cert = new x509.X509Certificate(certPem);
  return { notBefore: cert.notBefore.getTime(), notAfter: cert.notAfter.getTime() };
}

/** True if the certificate `certPem` was signed by the CA `caPem` (checked cryptographically). */
export async function isSignedBy(certPem: string, caPem: string): Promise<boolean> {
  setup();
  const cert = new x509.X509Certificate(certPem);
  const ca = new x509.X509Certificate(caPem);
  if (cert.issuer !== ca.subject) return false;
  return await cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
}

/** Generates a CA and a serving certificate for the loopback names, valid from `now` for `validDays` days. */
export async function generateServingCertificates(
  opts: { now?: number; validDays?: number; dnsNames?: string[]; ipAddresses?: string[]; commonName?: string } = {},
): Promise<ServingCertificates> {
  const now = opts.now ?? Date.now();
  const validMs = (opts.validDays ?? 365) * DAY_MS;
  const ca = await generateCertificateAuthority({
    commonName: `${opts.commonName ?? "provider-equinix-metal"} CA`,
    now,
    validMs,
  });
  const server = await generateServerCertificate({
    ca,
    commonName: opts.commonName ?? "kube-apiserver",
    dnsNames: opts.dnsNames ?? ["localhost"],
    ipAddresses: opts.ipAddresses ?? ["127.0.0.1", "::1"],
    now,
    validMs,
  });
  return { caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem };
}
