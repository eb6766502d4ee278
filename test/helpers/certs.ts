// Certificates made at test time with the openssl CLI (never committed keys): a CA, a
// server certificate for 127.0.0.1, client certificates from the CA, from another CA,
// and a self-signed one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface TestPki {
  dir: string;
  ca: Pem;
  otherCa: Pem;
  server: Pem;
  client: Pem;
  /** issued by the trusted CA to another subject */
  stranger: Pem;
  /** issued by a CA the IdP does not trust, with the client's subject */
  impostor: Pem;
  selfSigned: Pem;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function pem(dir: string, name: string): Pem {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function makeCa(dir: string, name: string, cn: string): Pem {
  openssl(dir, ['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  return pem(dir, name);
}

function issue(dir: string, name: string, subject: string, ca: string, ext: string): Pem {
  openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`]);
  return pem(dir, name);
}

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'idp-pki-'));
  const ca = makeCa(dir, 'ca', 'Health Test CA');
  const otherCa = makeCa(dir, 'other-ca', 'Someone Else CA');
  const server = issue(dir, 'server', '/CN=127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  const client = issue(dir, 'client', '/O=Health Test/CN=lab-system', 'ca', 'subjectAltName=DNS:lab.health.test\nextendedKeyUsage=clientAuth');
  const stranger = issue(dir, 'stranger', '/O=Health Test/CN=stranger', 'ca', 'extendedKeyUsage=clientAuth');
  const impostor = issue(dir, 'impostor', '/O=Health Test/CN=lab-system', 'other-ca', 'extendedKeyUsage=clientAuth');
  openssl(dir, ['req', '-x509', ...EC, '-keyout', 'self.key', '-out', 'self.crt', '-days', '1', '-subj', '/CN=self-signed-client']);
  return { dir, ca, otherCa, server, client, stranger, impostor, selfSigned: pem(dir, 'self') };
}

/** The base64 DER of a PEM certificate, for an x5c member. */
export function derBase64(cert: string): string {
  return cert.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
}

/**
 * The `skip` option of a suite that needs openssl: false when it is there; otherwise the
 * reason, said loudly (with CI=true a missing openssl fails the run instead).
 */
export function opensslSkip(suite: string): string | false {
  if (hasOpenssl()) return false;
  const missing = `${suite} DID NOT RUN: install openssl (apt-get install -y openssl)`;
  if (process.env.CI === 'true') throw new Error(missing);
  console.error(`\n*** ${missing} ***\n`);
  return missing;
}

/** The subject DN of makePki()'s client certificate, as a tls_client_auth client registers it. */
export const LAB_SUBJECT_DN = 'CN=lab-system,O=Health Test';

/**
 * EP-2 (RFC 8705): a machine client that authenticates with makePki()'s client certificate
 * and gets certificate-bound access tokens; `patch` changes its id, name or class.
 */
export function labClient(patch: Record<string, unknown> = {}): Record<string, unknown> & { client_id: string } {
  return {
    client_id: 'lab',
    client_name: 'Lab system',
    classification: 'IN-CONFIDENCE',
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: LAB_SUBJECT_DN,
    tls_client_certificate_bound_access_tokens: true,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    ...patch,
  };
}

/** mTLS terminated by a proxy on this host (nginx, or a test sending the header itself), trusting the test CA. */
export function proxiedMtls(pki: TestPki): { enabled: true; caFile: string; proxyHeader: string; trustedProxies: string[] } {
  return { enabled: true, caFile: pki.ca.certFile, proxyHeader: 'x-ssl-client-cert', trustedProxies: ['127.0.0.1'] };
}
