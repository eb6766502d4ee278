// AUTH-1 in a real browser (Debian's chromium through playwright-core): a person manages
// second factors on the account pages. Adding a passkey there needs a recent second factor
// (alice confirms with the one-time-code app whose key the development start-up log
// printed), uses the Chrome DevTools Protocol's virtual authenticator, and the new passkey
// then confirms later changes and signs in to the SENSITIVE demo client. bob, with no
// factor yet, adds a passkey as his first one and gets recovery codes. Every page:
// axe-core finds no serious or critical violation, the CSP holds, no inline script.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { CDPSession, Page } from 'playwright-core';
import { hashPassword } from '../../src/accounts/password.js';
import type { AuditEvent } from '../../src/ops/audit.js';
import { createIdp, type Idp } from '../../src/server.js';
import type { Logger } from '../../src/ops/log.js';
import { axeViolations, browserMissing, cspViolations, inlineScripts, launchBrowser, MISSING, screenshot, watchConsole, type Browser } from '../helpers/browser.js';
import { PASSWORDS, TEST_ACCOUNTS } from '../helpers/fixtures.js';
import { configFrom, freePort, testRawConfig } from '../helpers/idp.js';

const missing = browserMissing();
const ci = process.env.CI === 'true';
if (missing && !ci) process.stderr.write(`\n\n  ******************************************************\n  ${MISSING}\n  ******************************************************\n\n`);

const MFA = 'urn:health-idp:acr:mfa';

describe('browser: adding a passkey from the account page (AUTH-1)', { skip: missing && !ci ? MISSING : false }, () => {
  let idp: Idp;
  let url: string;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let consoleCsp: string[];
  let authenticatorId = '';
  const logged: string[] = [];
  const events: AuditEvent[] = [];
  const report: Record<string, string[]> = {};

  before(async () => {
    if (missing) return;
    const port = await freePort();
    // WebAuthn needs a domain as RP ID (not an IP address): localhost is a secure context.
    url = `http://localhost:${port}`;
    const bob = { id: 'acct-bob', username: 'bob', passwordHash: await hashPassword(PASSWORDS.bob, { N: 1024, r: 8, p: 1 }), claims: { name: 'Bob Smith' } };
    const logger: Logger = { log: (_level, event, fields) => void logged.push(`${event} ${typeof fields?.message === 'string' ? fields.message : ''}`) };
    idp = await createIdp(configFrom(testRawConfig(url, { port, demo: { enabled: true }, accounts: [...TEST_ACCOUNTS, bob] })), { logger, auditSink: { write: (e) => void events.push(e) } });
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
    if (Object.keys(report).length) process.stdout.write(`# axe (minor/moderate, not failing): ${JSON.stringify(report)}\n`);
  });

  async function check(name: string): Promise<void> {
    await screenshot(page, name);
    const violations = await axeViolations(page);
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `${name}: no serious or critical accessibility violations`);
    const minor = violations.map((v) => `${v.id} (${v.impact})`);
    if (minor.length) report[name] = minor;
    assert.deepEqual(await cspViolations(page), [], `${name}: no CSP violation`);
    assert.equal(await inlineScripts(page), 0, `${name}: no inline script`);
  }

  async function accountSignIn(username: string, password: string): Promise<void> {
    await browser.context.clearCookies();
    await page.goto(`${url}/account/login`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/account\/consents/);
    await page.goto(`${url}/account/factors`);
  }

  async function credentials(): Promise<number> {
    return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length;
  }

  it('chromium is installed (CI=true requires it)', () => {
    assert.equal(missing, undefined, missing);
  });

  it('alice confirms with her app first, then adds a passkey; it is listed and audited', async () => {
    const line = logged.find((l) => l.startsWith('demo.one_time_code'));
    const key = /app: ([A-Z2-7 ]+) \(/.exec(line ?? '')?.[1]?.replace(/ /g, '') ?? '';
    assert.ok(key, 'start-up logged the demo key');
    await accountSignIn('alice', PASSWORDS.alice);
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Use a passkey' }).count(), 0, 'no passkey yet to confirm with');
    await check('account-confirm-otp');
    await page.getByLabel('Code from your authenticator app').fill(new TOTP({ secret: Secret.fromBase32(key) }).generate());
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Your second factors' }).waitFor();
    await check('account-factors');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('heading', { name: 'Add a passkey' }).waitFor();
    assert.match(await page.locator('main').textContent() ?? '', /needs JavaScript/);
    await check('account-add-passkey');
    await page.getByRole('button', { name: 'Set up a passkey' }).click();
    // The demo's app factor came without recovery codes: the first passkey brings them.
    await page.getByRole('heading', { name: 'Your new recovery codes' }).waitFor();
    await check('account-passkey-recovery-codes');
    await page.getByRole('button', { name: 'Back to your second factors' }).click();
    await page.getByRole('heading', { name: 'Your second factors' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Remove Passkey added on/ }).count(), 1, 'the new passkey is listed with its remove button');
    await check('account-factors-with-passkey');
    assert.equal(await credentials(), 1, 'one credential on the authenticator');
    const added = events.find((e) => e.event === 'factor.enrolled' && (e.method === 'hwk' || e.method === 'swk'));
    assert.equal(added?.subject, 'acct-alice');
  });

  it('a later visit is confirmed with that passkey, which allows changes again', async () => {
    await accountSignIn('alice', PASSWORDS.alice);
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await check('account-confirm-passkey');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('heading', { name: 'Your second factors' }).waitFor();
    await page.getByRole('button', { name: 'Get new recovery codes' }).click();
    await page.getByRole('heading', { name: 'Your new recovery codes' }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem').count(), 10);
  });

  it('the passkey added on the account page signs alice in to the SENSITIVE demo client at the MFA level', async () => {
    await browser.context.clearCookies();
    await page.goto(`${url}/demo`);
    await page.getByRole('button', { name: 'Sign in as Demo health records service' }).click();
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORDS.alice);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('heading', { name: 'Share your information?' }).waitFor();
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.getByRole('heading', { name: 'Signed in' }).waitFor();
    const claims = JSON.parse((await page.locator('pre').first().textContent()) ?? '{}') as { acr?: string; amr?: string[] };
    assert.equal(claims.acr, MFA);
    assert.ok(claims.amr?.includes('mfa') && ['hwk', 'swk'].some((m) => claims.amr?.includes(m)), `amr ${JSON.stringify(claims.amr)}`);
  });

  it('bob, with no factor, adds a passkey as his first: only the sign-in is needed, and he gets recovery codes', async () => {
    await accountSignIn('bob', PASSWORDS.bob);
    await page.getByRole('heading', { name: 'Your second factors' }).waitFor();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('button', { name: 'Set up a passkey' }).click();
    await page.getByRole('heading', { name: 'Your new recovery codes' }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem').count(), 10);
    await page.getByRole('button', { name: 'Back to your second factors' }).click();
    await page.getByRole('heading', { name: 'Your second factors' }).waitFor();
    assert.equal(await credentials(), 2, 'a second credential, bob\'s');
  });

  it('no CSP violation was reported on any page', () => {
    assert.deepEqual(consoleCsp, []);
  });
});
