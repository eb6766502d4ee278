// AUTH-1 in a real browser (Debian's chromium through playwright-core): a person manages
// second factors on the account pages. Adding a passkey there needs a recent second factor
// (alice confirms with the one-time-code app whose key the development start-up log
// printed), uses the Chrome DevTools Protocol's virtual authenticator, and the new passkey
// then confirms later changes and signs in to the SENSITIVE demo client. bob, with no
// factor yet, adds a passkey as his first one and gets recovery codes. Every page:
// axe-core finds no serious or critical violation, the CSP holds, no inline script.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { AuditEvent } from '../../src/ops/audit.js';
import { browserMissing, browserSuite, browserSuiteSkip, signIn, virtualAuthenticator, type VirtualAuthenticator } from '../helpers/browser.js';
import { demoKeyFrom, MFA, startDemoWithBob, type DemoIdp } from '../helpers/factors.js';
import { PASSWORDS } from '../helpers/fixtures.js';

const missing = browserMissing();

describe('browser: adding a passkey from the account page (AUTH-1)', { skip: browserSuiteSkip() }, () => {
  let demo: DemoIdp;
  let url: string;
  let authenticator: VirtualAuthenticator;
  const events: AuditEvent[] = [];
  const b = browserSuite(
    async () => {
      demo = await startDemoWithBob({ write: (e) => void events.push(e) });
      url = demo.url;
    },
    async () => demo?.idp.close(),
  );
  before(async () => {
    if (!missing) authenticator = await virtualAuthenticator(b.browser.context, b.page);
  });

  async function accountSignIn(username: string, password: string): Promise<void> {
    await b.browser.context.clearCookies();
    await b.page.goto(`${url}/account/login`);
    await signIn(b.page, username, password);
    await b.page.waitForURL(/\/account\/consents/);
    await b.page.goto(`${url}/account/factors`);
  }

  it('chromium is installed (CI=true requires it)', () => {
    assert.equal(missing, undefined, missing);
  });

  it('alice confirms with her app first, then adds a passkey; it is listed and audited', async () => {
    const key = demoKeyFrom(demo.logged);
    await accountSignIn('alice', PASSWORDS.alice);
    await b.page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    assert.equal(await b.page.getByRole('button', { name: 'Use a passkey' }).count(), 0, 'no passkey yet to confirm with');
    await b.check('account-confirm-otp');
    await b.page.getByLabel('Code from your authenticator app').fill(new TOTP({ secret: Secret.fromBase32(key) }).generate());
    await b.page.getByRole('button', { name: 'Confirm' }).click();
    await b.page.getByRole('heading', { name: 'Your second factors' }).waitFor();
    await b.check('account-factors');
    await b.page.getByRole('button', { name: 'Add a passkey' }).click();
    await b.page.getByRole('heading', { name: 'Add a passkey' }).waitFor();
    assert.match(await b.page.locator('main').textContent() ?? '', /needs JavaScript/);
    await b.check('account-add-passkey');
    await b.page.getByRole('button', { name: 'Set up a passkey' }).click();
    // The demo's app factor came without recovery codes: the first passkey brings them.
    await b.page.getByRole('heading', { name: 'Your new recovery codes' }).waitFor();
    await b.check('account-passkey-recovery-codes');
    await b.page.getByRole('button', { name: 'Back to your second factors' }).click();
    await b.page.getByRole('heading', { name: 'Your second factors' }).waitFor();
    assert.equal(await b.page.getByRole('button', { name: /^Remove Passkey added on/ }).count(), 1, 'the new passkey is listed with its remove button');
    await b.check('account-factors-with-passkey');
    assert.equal(await authenticator.credentials(), 1, 'one credential on the authenticator');
    const added = events.find((e) => e.event === 'factor.enrolled' && (e.method === 'hwk' || e.method === 'swk'));
    assert.equal(added?.subject, 'acct-alice');
  });

  it('a later visit is confirmed with that passkey, which allows changes again', async () => {
    await accountSignIn('alice', PASSWORDS.alice);
    await b.page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await b.check('account-confirm-passkey');
    await b.page.getByRole('button', { name: 'Use a passkey' }).click();
    await b.page.getByRole('heading', { name: 'Your second factors' }).waitFor();
    await b.page.getByRole('button', { name: 'Get new recovery codes' }).click();
    await b.page.getByRole('heading', { name: 'Your new recovery codes' }).waitFor();
    assert.equal(await b.page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem').count(), 10);
  });

  it('the passkey added on the account page signs alice in to the SENSITIVE demo client at the MFA level', async () => {
    await b.browser.context.clearCookies();
    await b.page.goto(`${url}/demo`);
    await b.page.getByRole('button', { name: 'Sign in as Demo health records service' }).click();
    await b.page.waitForURL(/\/interaction\//);
    await signIn(b.page, 'alice', PASSWORDS.alice);
    await b.page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await b.page.getByRole('button', { name: 'Use a passkey' }).click();
    await b.page.getByRole('heading', { name: 'Share your information?' }).waitFor();
    await b.page.getByRole('button', { name: 'Allow', exact: true }).click();
    await b.page.getByRole('heading', { name: 'Signed in' }).waitFor();
    const claims = JSON.parse((await b.page.locator('pre').first().textContent()) ?? '{}') as { acr?: string; amr?: string[] };
    assert.equal(claims.acr, MFA);
    assert.ok(claims.amr?.includes('mfa') && ['hwk', 'swk'].some((m) => claims.amr?.includes(m)), `amr ${JSON.stringify(claims.amr)}`);
  });

  it('bob, with no factor, adds a passkey as his first: only the sign-in is needed, and he gets recovery codes', async () => {
    await accountSignIn('bob', PASSWORDS.bob);
    await b.page.getByRole('heading', { name: 'Your second factors' }).waitFor();
    await b.page.getByRole('button', { name: 'Add a passkey' }).click();
    await b.page.getByRole('button', { name: 'Set up a passkey' }).click();
    await b.page.getByRole('heading', { name: 'Your new recovery codes' }).waitFor();
    assert.equal(await b.page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem').count(), 10);
    await b.page.getByRole('button', { name: 'Back to your second factors' }).click();
    await b.page.getByRole('heading', { name: 'Your second factors' }).waitFor();
    assert.equal(await authenticator.credentials(), 2, 'a second credential, bob\'s');
  });

  it('no CSP violation was reported on any page', () => {
    assert.deepEqual(b.consoleCsp, []);
  });
});
