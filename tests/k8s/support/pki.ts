/** A throw-away CA with a server certificate and a client certificate, for TLS tests. */
import * as x509 from "@peculiar/x509";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

export interface TestPki {
  caPem: string;
  server: CertAndKey;
  client: CertAndKey;
  /** Client certificates of `moreClients`, by CN. */
  clients: Record<string, CertAndKey>;
}

/** Extras of `makeTestPki`. */
export interface TestPkiOptions {
  /** Names the server certificate carries besides 127.0.0.1 and localhost. */
  dnsNames?: string[];
  /** CNs of further client certificates from the same CA. */
  moreClients?: string[];
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = btoa(String.fromCharCode(...new Uint8Array(der)));
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]) as CryptoKeyPair;
}

/** Generates a CA, a server certificate (127.0.0.1, localhost) and a client certificate (CN `clientCn`). */
export async function makeTestPki(clientCn = "test-user", opts: TestPkiOptions = {}): Promise<TestPki> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 86_400_000);
  const caKeys = await keyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=k8s-test-ca",
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leaf = async (cn: string, serial: string, server: boolean): Promise<CertAndKey> => {
    const keys = await keyPair();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial,
      subject: `CN=${cn}`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ALG,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2"]),
        ...(server
          ? [
            new x509.SubjectAlternativeNameExtension([
              { type: "ip", value: "127.0.0.1" },
              { type: "dns", value: "localhost" },
              ...(opts.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
            ]),
          ]
          : []),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      ],
    });
    return {
      certPem: cert.toString("pem") + "\n",
      keyPem: pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", keys.privateKey)),
    };
  };
  const clients: Record<string, CertAndKey> = {};
  for (const [i, cn] of (opts.moreClients ?? []).entries()) clients[cn] = await leaf(cn, (16 + i).toString(16), false);
  return {
    caPem: ca.toString("pem") + "\n",
    server: await leaf("localhost", "02", true),
    client: await leaf(clientCn, "03", false),
    clients,
  };
}
