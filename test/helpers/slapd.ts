// Test directory: a throw-away OpenLDAP slapd on a free loopback port, from a generated
// slapd.conf (mdb database in a temporary folder) and LDIF test entries loaded with
// slapadd before it starts. With a PKI it also listens for LDAPS and offers StartTLS.
// Without slapd the LDAP suites are skipped loudly on a developer machine and fail in CI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './redis-server.js';
import type { TestPki } from './certs.js';

export const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
export const LDAP_NOT_RUN = 'LDAP SUITE DID NOT RUN: install OpenLDAP, e.g. apt-get install -y slapd ldap-utils';

/** `false` when slapd can be started here, else the skip message (printed loudly). Throws in CI. */
export function slapdSkip(): string | false {
  if (existsSync(SLAPD) && existsSync(SLAPADD)) return false;
  if (process.env.CI === 'true') throw new Error(`slapd not installed in CI. ${LDAP_NOT_RUN}`);
  const bar = '!'.repeat(LDAP_NOT_RUN.length);
  process.stderr.write(`\n${bar}\n${LDAP_NOT_RUN}\n${bar}\n\n`);
  return LDAP_NOT_RUN;
}

export const BASE_DN = 'dc=health,dc=test';
export const SERVICE_DN = `cn=idp-service,${BASE_DN}`;
/** test-only passwords, made at test time in spirit: nothing here protects anything real */
export const SERVICE_PASSWORD = 'service-password-for-tests';

export interface DirectoryPerson {
  uid: string;
  password: string;
  cn: string;
  sn: string;
  givenName?: string;
  mail?: string;
  nhi?: string;
  fhirUser?: string;
  /** dn of a sub-tree under the base; default ou=people */
  ou?: string;
}

export const DIRECTORY_PEOPLE: DirectoryPerson[] = [
  { uid: 'hemi', password: 'hemi-directory-pass', cn: 'Hemi Walker', sn: 'Walker', givenName: 'Hemi', mail: 'hemi@health.test', nhi: 'ZZZ0032', fhirUser: 'Practitioner/hemi-walker' },
  { uid: 'aroha', password: 'aroha-directory-pass', cn: 'Aroha Ngata', sn: 'Ngata', givenName: 'Aroha', mail: 'aroha@health.test', nhi: 'ZZZ0040' },
  // Not under ou=people: the configured search base does not find her.
  { uid: 'outsider', password: 'outsider-pass', cn: 'Out Sider', sn: 'Sider', ou: 'contractors' },
];

// A small schema of our own for what inetOrgPerson lacks (OIDs under the example arc).
const HEALTH_SCHEMA = `
attributetype ( 1.3.6.1.4.1.32473.1.1 NAME 'nhiNumber' DESC 'National Health Index number'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.32473.1.2 NAME 'fhirUser' DESC 'FHIR resource of the person'
  EQUALITY caseExactMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.32473.2.1 NAME 'healthPerson' AUXILIARY MAY ( nhiNumber $ fhirUser ) )
`;

function ldif(people: DirectoryPerson[]): string {
  const ous = [...new Set(['people', ...people.map((p) => p.ou ?? 'people')])];
  const entries = [
    `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Health Test\ndc: health`,
    `dn: ${SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: idp-service\nuserPassword: ${SERVICE_PASSWORD}`,
    ...ous.map((ou) => `dn: ou=${ou},${BASE_DN}\nobjectClass: organizationalUnit\nou: ${ou}`),
    ...people.map((p) =>
      [
        `dn: uid=${p.uid},ou=${p.ou ?? 'people'},${BASE_DN}`,
        'objectClass: inetOrgPerson',
        'objectClass: healthPerson',
        `uid: ${p.uid}`,
        `cn: ${p.cn}`,
        `sn: ${p.sn}`,
        ...(p.givenName ? [`givenName: ${p.givenName}`] : []),
        ...(p.mail ? [`mail: ${p.mail}`] : []),
        ...(p.nhi ? [`nhiNumber: ${p.nhi}`] : []),
        ...(p.fhirUser ? [`fhirUser: ${p.fhirUser}`] : []),
        `userPassword: ${p.password}`,
      ].join('\n'),
    ),
  ];
  return `${entries.join('\n\n')}\n`;
}

function slapdConf(dir: string, pki?: TestPki): string {
  return [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    `include ${join(dir, 'health.schema')}`,
    `pidfile ${join(dir, 'slapd.pid')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    ...(pki ? [`TLSCACertificateFile ${pki.ca.certFile}`, `TLSCertificateFile ${pki.server.certFile}`, `TLSCertificateKeyFile ${pki.server.keyFile}`] : []),
    'database mdb',
    'maxsize 10485760',
    `suffix "${BASE_DN}"`,
    `rootdn "cn=admin,${BASE_DN}"`,
    `directory ${join(dir, 'data')}`,
    // Passwords: only a bind may use them; the service account may read the rest.
    'access to attrs=userPassword by anonymous auth by * none',
    `access to * by dn.exact="${SERVICE_DN}" read by self read by * none`,
    '',
  ].join('\n');
}

export interface LocalDirectory {
  readonly port: number;
  /** ldaps:// port when started with a PKI */
  readonly tlsPort?: number | undefined;
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts slapd with the test entries (kept across stop/start: the data is on disk). */
export async function startDirectory(options: { pki?: TestPki; people?: DirectoryPerson[] } = {}): Promise<LocalDirectory> {
  const dir = mkdtempSync(join(tmpdir(), 'idp-slapd-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'health.schema'), HEALTH_SCHEMA);
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir, options.pki));
  writeFileSync(join(dir, 'entries.ldif'), ldif(options.people ?? DIRECTORY_PEOPLE));
  const added = spawnSync(SLAPADD, ['-f', join(dir, 'slapd.conf'), '-l', join(dir, 'entries.ldif')], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`slapadd failed: ${added.stderr}`);
  const port = await freePort();
  const tlsPort = options.pki ? await freePort() : undefined;
  const urls = [`ldap://127.0.0.1:${port}/`, ...(tlsPort ? [`ldaps://127.0.0.1:${tlsPort}/`] : [])].join(' ');
  let child: ChildProcess | undefined;

  const directory: LocalDirectory = {
    port,
    tlsPort,
    url: `ldap://127.0.0.1:${port}`,
    async start() {
      // -d 0: stay in the foreground (so the test owns the process), log nothing.
      child = spawn(SLAPD, ['-f', join(dir, 'slapd.conf'), '-h', urls, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.unref();
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`slapd exited: ${stderr}`);
        if (await portOpen(port)) return;
        await sleep(50);
      }
      throw new Error(`slapd did not listen on ${port}: ${stderr}`);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        running.ref();
        running.once('exit', () => resolve());
        running.kill('SIGKILL');
      });
    },
    async close() {
      await directory.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await directory.start();
  return directory;
}
