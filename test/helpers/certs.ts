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
