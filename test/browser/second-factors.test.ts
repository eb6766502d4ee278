// AUTH-1 in a real browser (Debian's chromium through playwright-core): the demo's
// SENSITIVE client asks for the multi-factor level; bob, who has no factor, enrols a
// passkey with the Chrome DevTools Protocol's virtual authenticator and later signs in
// with it; alice uses the one-time-code app whose key the development start-up log printed.
// Every page: axe-core finds no serious or critical violation, the CSP holds (the passkey
// pages' scripts are static files), no inline script. Screenshots: test-output/screenshots/.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { browserMissing, browserSuite, browserSuiteSkip, signIn, virtualAuthenticator, type VirtualAuthenticator } from '../helpers/browser.js';
import { demoKeyFrom, MFA, startDemoWithBob, type DemoIdp } from '../helpers/factors.js';
import { PASSWORDS } from '../helpers/fixtures.js';

const missing = browserMissing();

describe('browser: passkeys and one-time codes for the MFA level (AUTH-1)', { skip: browserSuiteSkip() }, () => {
  let demo: DemoIdp;
  let url: string;
  let authenticator: VirtualAuthenticator;
  const b = browserSuite(
    async () => {
      demo = await startDemoWithBob();
      url = demo.url;
    },
    async () => demo?.idp.close(),
  );
  before(async () => {
    if (!missing) authenticator = await virtualAuthenticator(b.browser.context, b.page);
  });

  async function startSensitive(username: string, password: string): Promise<void> {
    await b.browser.context.clearCookies();
    await b.page.goto(`${url}/demo`);
    await b.page.getByRole('button', { name: 'Sign in as Demo health records service' }).click();
    await b.page.waitForURL(/\/interaction\//);
    await signIn(b.page, username, password);
  }

  async function approveAndSeeClaims(): Promise<Record<string, unknown>> {
    await b.page.getByRole('heading', { name: 'Share your information?' }).waitFor();
    await b.page.getByRole('button', { name: 'Allow', exact: true }).click();
    await b.page.getByRole('heading', { name: 'Signed in' }).waitFor();
    return JSON.parse((await b.page.locator('pre').first().textContent()) ?? '{}') as Record<string, unknown>;
  }

  it('chromium is installed (CI=true requires it)', () => {
    assert.equal(missing, undefined, missing);
  });

  it('bob has no factor: the MFA level invites him to enrol, and he sets up a passkey', async () => {
    await startSensitive('bob', PASSWORDS.bob);
    await b.page.getByRole('heading', { name: 'Set up a second factor' }).waitFor();
    assert.equal(await b.page.getByRole('img', { name: /QR code/ }).count(), 1, 'the app option has a QR code');
    await b.check('enrol-factor');
    await b.page.getByRole('button', { name: 'Set up a passkey' }).click();
    await b.page.getByRole('heading', { name: 'Keep your recovery codes' }).waitFor();
    assert.equal(await b.page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem').count(), 10);
    await b.check('recovery-codes');
    await b.page.getByRole('button', { name: /continue/ }).click();
    const claims = await approveAndSeeClaims();
    assert.equal(claims.acr, MFA);
    assert.ok((claims.amr as string[]).includes('mfa'));
    assert.ok(['hwk', 'swk'].some((m) => (claims.amr as string[]).includes(m)), 'a passkey (RFC 8176 hwk or swk)');
    assert.equal(await authenticator.credentials(), 1, 'one credential on the authenticator');
  });

  it('bob signs in again with his passkey (origin, RP ID, single-use challenge and counter checked by the server)', async () => {
    await startSensitive('bob', PASSWORDS.bob);
    await b.page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await b.check('second-factor-passkey');
    await b.page.getByRole('button', { name: 'Use a passkey' }).click();
    const claims = await approveAndSeeClaims();
    assert.equal(claims.acr, MFA);
    assert.equal(claims.sub, 'acct-bob');
  });

  it('alice uses the app whose key the development start-up log printed', async () => {
    const key = demoKeyFrom(demo.logged);
    await startSensitive('alice', PASSWORDS.alice);
    await b.page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await b.check('second-factor-otp');
    await b.page.getByLabel('Code from your authenticator app').fill(new TOTP({ secret: Secret.fromBase32(key) }).generate());
    await b.page.getByRole('button', { name: 'Confirm' }).click();
    const claims = await approveAndSeeClaims();
    assert.equal(claims.acr, MFA);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
  });

  it('no CSP violation was reported on any page', () => {
    assert.deepEqual(b.consoleCsp, []);
  });
});
