/**
 * Certificates of the fake API server: a throw-away ECDSA P-256 CA and a serving certificate for the loopback names
 * (localhost, 127.0.0.1, ::1), generated with WebCrypto and `@peculiar/x509` in a few milliseconds.
 */
import { encodeBase64 } from "../../../runtime/base64.ts";
import * as x509 from "@peculiar/x509";

/** PEM material for `Deno.serve({ cert, key })` and for clients that must trust the server. */
export interface ServingCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const ALGORITHM: EcKeyGenParams & EcdsaParams = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const DAY_MS = 24 * 60 * 60 * 1000;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = encodeBase64(new Uint8Array(der));
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Generates a CA and a serving certificate valid from `now` minus one hour for `validDays` days. */
export async function generateServingCertificates(
  opts: { now?: number; validDays?: number; dnsNames?: string[]; ipAddresses?: string[] } = {},
): Promise<ServingCertificates> {
  x509.cryptoProvider.set(crypto);
  const now = opts.now ?? Date.now();
  // An hour of slack for clocks that differ slightly between client and server.
  const notBefore = new Date(now - 60 * 60 * 1000);
  const notAfter = new Date(now + (opts.validDays ?? 365) * DAY_MS);

  const caKeys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=provider-equinix-metal fake kube-apiserver CA",
    keys: caKeys,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]) as CryptoKeyPair;
  const names = [
    ...(opts.dnsNames ?? ["localhost"]).map((value) => ({ type: "dns" as const, value })),
    ...(opts.ipAddresses ?? ["127.0.0.1", "::1"]).map((value) => ({ type: "ip" as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    subject: "CN=kube-apiserver",
    issuer: ca.subject,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });

  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    caPem: ca.toString("pem") + "\n",
    certPem: cert.toString("pem") + "\n",
    keyPem: pem("PRIVATE KEY", pkcs8),
  };
}
