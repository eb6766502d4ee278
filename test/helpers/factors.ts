// Second factors (AUTH-1) as the test suites use them: the levels' acr values, the code an
// authenticator app shows, the key an enrolment page shows as text, the demo key the
// development start-up log prints, a person signed in to the account pages, and an IdP
// with the development demo and bob, a person without any factor.
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { hashPassword } from '../../src/accounts/password.js';
import type { AuditSink } from '../../src/ops/audit.js';
import type { Logger } from '../../src/ops/log.js';
import { createIdp, type Idp } from '../../src/server.js';
import { PASSWORDS, TEST_ACCOUNTS } from './fixtures.js';
import { configFrom, freePort, testRawConfig } from './idp.js';
import { Person, type Arrival } from './person.js';

export const PASSWORD_LEVEL = 'urn:health-idp:acr:password';
export const MFA = 'urn:health-idp:acr:mfa';

/** The code an authenticator app shows for `secret`, `steps` 30-second steps from `from`. */
export function codeFor(secret: string, steps = 0, from = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: from + steps * 30_000 });
}

/** The key shown as text on an enrolment page (works without the QR code). */
export function keyOnPage(html: string): string {
  const match = /class="secret">([A-Z2-7 ]+)</.exec(html);
  assert.ok(match, 'the enrolment page shows the key as text');
  return (match[1] ?? '').replace(/ /g, '');
}

/** A logger that keeps "<event> <message>" lines, for what start-up says. */
export function keptLog(): { logger: Logger; logged: string[] } {
  const logged: string[] = [];
  return { logged, logger: { log: (_level, event, fields) => void logged.push(`${event} ${typeof fields?.message === 'string' ? fields.message : ''}`) } };
}

/** alice's one-time-code key, as development mode's start-up log printed it for the demo. */
export function demoKeyFrom(logged: readonly string[]): string {
  const key = /app: ([A-Z2-7 ]+) \(/.exec(logged.find((l) => l.startsWith('demo.one_time_code')) ?? '')?.[1]?.replace(/ /g, '') ?? '';
  assert.ok(key, 'start-up logged the demo key');
  return key;
}

/** On a page with the consent form: approve; otherwise the arrival as it was. */
export async function consentIfAsked(person: Person, arrival: Arrival | undefined): Promise<Arrival | undefined> {
  if (!arrival && person.lastPage.includes('name="decision"')) return person.submit('/confirm', { decision: 'approve' });
  return arrival;
}

/** A person signed in to the account pages (/account/login) with a password. */
export async function accountSignIn(origin: string, username: 'alice' | 'bob' = 'alice'): Promise<Person> {
  const person = new Person(origin);
  await person.visit(`${origin}/account/login`);
  await person.submit('/account/login', { username, password: PASSWORDS[username] });
  return person;
}

export interface DemoIdp {
  idp: Idp;
  /** http://localhost:<port>: WebAuthn needs a domain as RP ID, and localhost is a secure context */
  url: string;
  /** what start-up logged (the demo's one-time-code key among it) */
  logged: string[];
}

/** The development demo (its SENSITIVE client asks for the MFA level) with the test accounts and bob, who has no factor. */
export async function startDemoWithBob(auditSink: AuditSink = { write: () => undefined }): Promise<DemoIdp> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const bob = { id: 'acct-bob', username: 'bob', passwordHash: await hashPassword(PASSWORDS.bob, { N: 1024, r: 8, p: 1 }), claims: { name: 'Bob Smith' } };
  const { logger, logged } = keptLog();
  const idp = await createIdp(configFrom(testRawConfig(url, { port, demo: { enabled: true }, accounts: [...TEST_ACCOUNTS, bob] })), { logger, auditSink });
  await idp.listen(port, '127.0.0.1');
  return { idp, url, logged };
}
