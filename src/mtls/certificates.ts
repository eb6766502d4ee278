// RFC 8705 client certificates: where a request's certificate comes from, whether a CA
// we trust issued it, and whether it is the one a client registered. Pure functions of
// the certificate and the configuration.
import { X509Certificate } from 'node:crypto';

/** Parse PEM bundles (one or more certificates). */
export function parseBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** A certificate forwarded by a proxy: URL-encoded PEM (nginx `$ssl_client_escaped_cert`) or bare base64 DER. */
export function parseForwarded(value: string | undefined): X509Certificate | undefined {
  if (!value) return undefined;
  try {
    const decoded = decodeURIComponent(value).trim();
    if (decoded.includes('BEGIN CERTIFICATE')) return new X509Certificate(decoded);
    return new X509Certificate(Buffer.from(decoded.replace(/\s/g, ''), 'base64'));
  } catch {
    return undefined;
  }
}

/** Issued by one of the trusted CAs (directly) and valid now. */
export function issuedByTrustedCa(cert: X509Certificate, cas: readonly X509Certificate[], now = new Date()): boolean {
  if (new Date(cert.validFrom) > now || new Date(cert.validTo) < now) return false;
  return cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
}

/** RFC 4514-ish normalisation so "CN=a, O=b" and Node's "CN=a\nO=b" compare equal. */
export function normaliseDn(dn: string): string {
  return dn
    .split(/\n|,(?=\s*[A-Za-z.0-9]+=)/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      return `${part.slice(0, eq).trim().toUpperCase()}=${part.slice(eq + 1).trim()}`;
    })
    .sort()
    .join(',');
}

const SAN_PREFIX: Record<string, string> = {
  tls_client_auth_san_dns: 'DNS',
  tls_client_auth_san_uri: 'URI',
  tls_client_auth_san_ip: 'IP Address',
  tls_client_auth_san_email: 'email',
};

/** Whether the certificate carries the subject value the client registered. */
export function subjectMatches(cert: X509Certificate, property: string, expected: string): boolean {
  if (property === 'tls_client_auth_subject_dn') return normaliseDn(cert.subject) === normaliseDn(expected);
  const prefix = SAN_PREFIX[property];
  if (!prefix || !cert.subjectAltName) return false;
  return cert.subjectAltName
    .split(/,\s*/)
    .some((entry) => entry === `${prefix}:${expected}`);
}

/** The peer address as the socket saw it (never a forwarded header). */
export function normaliseAddress(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}
