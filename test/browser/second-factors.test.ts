// AUTH-1 in a real browser (Debian's chromium through playwright-core): the demo's
// SENSITIVE client asks for the multi-factor level; bob, who has no factor, enrols a
// passkey with the Chrome DevTools Protocol's virtual authenticator and later signs in
// with it; alice uses the one-time-code app whose key the development start-up log printed.
// Every page: axe-core finds no serious or critical violation, the CSP holds (the passkey
// pages' scripts are static files), no inline script. Screenshots: test-output/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { CDPSession, Page } from 'playwright-core';
import { hashPassword } from '../../src/accounts/password.js';
import { createIdp, type Idp } from '../../src/server.js';
import type { Logger } from '../../src/ops/log.js';
import { browserMissing, browserSuiteSkip, checkPage, launchBrowser, printAxeReport, signIn, watchConsole, type AxeReport, type Browser } from '../helpers/browser.js';
import { PASSWORDS, TEST_ACCOUNTS } from '../helpers/fixtures.js';
import { configFrom, freePort, testRawConfig } from '../helpers/idp.js';

const missing = browserMissing();

const MFA = 'urn:health-idp:acr:mfa';

describe('browser: passkeys and one-time codes for the MFA level (AUTH-1)', { skip: browserSuiteSkip() }, () => {
  let idp: Idp;
  let url: string;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let consoleCsp: string[];
  let authenticatorId = '';
  const logged: string[] = [];
  const report: AxeReport = {};

  before(async () => {
    if (missing) return;
    const port = await freePort();
    // WebAuthn needs a domain as RP ID (not an IP address): localhost is a secure context.
    url = `http://localhost:${port}`;
    const bob = { id: 'acct-bob', username: 'bob', passwordHash: await hashPassword(PASSWORDS.bob, { N: 1024, r: 8, p: 1 }), claims: { name: 'Bob Smith' } };
    const logger: Logger = { log: (_level, event, fields) => void logged.push(`${event} ${typeof fields?.message === 'string' ? fields.message : ''}`) };
    idp = await createIdp(configFrom(testRawConfig(url, { port, demo: { enabled: true }, accounts: [...TEST_ACCOUNTS, bob] })), { logger, auditSink: { write: () => undefined } });
    await idp.listen(port, '127.0.0.1');
    browser = await launchBrowser();
    page = await browser.context.newPage();
    consoleCsp = watchConsole(page);
    cdp = await browser.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    }));
  });
  after(async () => {
    await browser?.close();
    await idp?.close();
    printAxeReport(report);
  });

  const check = (name: string) => checkPage(page, name, report);

  async function startSensitive(username: string, password: string): Promise<void> {
    await browser.context.clearCookies();
    await page.goto(`${url}/demo`);
    await page.getByRole('button', { name: 'Sign in as Demo health records service' }).click();
    await page.waitForURL(/\/interaction\//);
    await signIn(page, username, password);
  }

  async function approveAndSeeClaims(): Promise<Record<string, unknown>> {
    await page.getByRole('heading', { name: 'Share your information?' }).waitFor();
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.getByRole('heading', { name: 'Signed in' }).waitFor();
    return JSON.parse((await page.locator('pre').first().textContent()) ?? '{}') as Record<string, unknown>;
  }

  it('chromium is installed (CI=true requires it)', () => {
    assert.equal(missing, undefined, missing);
  });

  it('bob has no factor: the MFA level invites him to enrol, and he sets up a passkey', async () => {
    await startSensitive('bob', PASSWORDS.bob);
    await page.getByRole('heading', { name: 'Set up a second factor' }).waitFor();
    assert.equal(await page.getByRole('img', { name: /QR code/ }).count(), 1, 'the app option has a QR code');
    await check('enrol-factor');
    await page.getByRole('button', { name: 'Set up a passkey' }).click();
    await page.getByRole('heading', { name: 'Keep your recovery codes' }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem').count(), 10);
    await check('recovery-codes');
    await page.getByRole('button', { name: /continue/ }).click();
    const claims = await approveAndSeeClaims();
    assert.equal(claims.acr, MFA);
    assert.ok((claims.amr as string[]).includes('mfa'));
    assert.ok(['hwk', 'swk'].some((m) => (claims.amr as string[]).includes(m)), 'a passkey (RFC 8176 hwk or swk)');
    const { credentials } = (await cdp.send('WebAuthn.getCredentials', { authenticatorId }));
    assert.equal(credentials.length, 1, 'one credential on the authenticator');
  });

  it('bob signs in again with his passkey (origin, RP ID, single-use challenge and counter checked by the server)', async () => {
    await startSensitive('bob', PASSWORDS.bob);
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await check('second-factor-passkey');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    const claims = await approveAndSeeClaims();
    assert.equal(claims.acr, MFA);
    assert.equal(claims.sub, 'acct-bob');
  });

  it('alice uses the app whose key the development start-up log printed', async () => {
    const line = logged.find((l) => l.startsWith('demo.one_time_code'));
    assert.ok(line, 'start-up logged the demo key');
    const key = /app: ([A-Z2-7 ]+) \(/.exec(line)?.[1]?.replace(/ /g, '') ?? '';
    await startSensitive('alice', PASSWORDS.alice);
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await check('second-factor-otp');
    await page.getByLabel('Code from your authenticator app').fill(new TOTP({ secret: Secret.fromBase32(key) }).generate());
    await page.getByRole('button', { name: 'Confirm' }).click();
    const claims = await approveAndSeeClaims();
    assert.equal(claims.acr, MFA);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
  });

  it('no CSP violation was reported on any page', () => {
    assert.deepEqual(consoleCsp, []);
  });
});
