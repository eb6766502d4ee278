// The pages in a real browser (Debian's chromium through playwright-core): the demo
// relying party, sign-in, granular consent (OIDC-7), the result, the consents page and a
// withdrawal that makes the refresh token useless; on every page axe-core finds no
// serious or critical violation and the CSP holds (no inline script, no violation).
// Screenshots: test-output/screenshots/.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConsentRecord } from '../../src/consent/ledger.js';
import { browserMissing, browserSuite, browserSuiteSkip, cspViolations, inlineScripts, signIn, watchConsole } from '../helpers/browser.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';

const missing = browserMissing();

describe('browser: sign-in, granular consent, withdrawal (OIDC-7, OIDC-8)', { skip: browserSuiteSkip() }, () => {
  let running: RunningIdp;
  const b = browserSuite(
    async () => (running = await startIdp({ demo: { enabled: true } })),
    async () => running?.close(),
  );

  it('chromium is installed (CI=true requires it)', () => {
    assert.equal(missing, undefined, missing);
  });

  it('demo → sign in → untick an optional scope → result at the relying party', async () => {
    await b.page.goto(`${running.url}/demo`);
    await b.check('demo');
    await b.page.getByRole('button', { name: 'Sign in as Demo clinic portal' }).click();
    await b.page.waitForURL(/\/interaction\//);
    await b.check('login');

    await signIn(b.page, 'alice', 'not-the-password');
    await b.page.getByRole('alert').waitFor();
    assert.equal(await b.page.getByRole('alert').textContent(), 'The username or password is not right.');
    await b.check('login-error');

    await signIn(b.page, 'alice', PASSWORDS.alice);
    await b.page.getByRole('heading', { name: 'Share your information?' }).waitFor();
    await b.check('consent');

    const email = b.page.getByRole('checkbox', { name: /email address/ });
    assert.equal(await email.isChecked(), true, 'optional scopes start ticked');
    assert.equal(await b.page.getByRole('checkbox').count(), 1, 'only the optional scope has a checkbox');
    await email.uncheck();
    await b.page.getByRole('button', { name: 'Allow', exact: true }).click();
    await b.page.getByRole('heading', { name: 'Signed in' }).waitFor();
    await b.check('demo-result');
    const idClaims = (await b.page.locator('pre').first().textContent()) ?? '';
    assert.match(idClaims, /"sub": "acct-alice"/);
    assert.doesNotMatch(idClaims, /email/, 'OIDC-7: the unticked scope was not granted');
    assert.match(await b.page.getByRole('row', { name: /Refresh token/ }).textContent() ?? '', /issued/);

    const [record] = await ledger({ clientId: 'demo-in-confidence' });
    assert.equal(record?.decision, 'partial', 'OIDC-8: recorded as a partial approval');
    // The grant behind the relying party's tokens holds exactly what was left ticked.
    const grant = await running.idp.provider.Grant.find(record?.grantId ?? '');
    const scopes = grant?.getOIDCScope().split(' ') ?? [];
    assert.ok(scopes.includes('profile') && scopes.includes('nhi') && scopes.includes('offline_access'));
    assert.ok(!scopes.includes('email'), 'OIDC-7: email was unticked, so it is not granted');
  });

  it('the refresh token works while consent holds', async () => {
    await b.page.goto(`${running.url}/demo`);
    await b.page.getByRole('button', { name: 'Use the refresh token' }).click();
    await b.page.getByRole('heading', { name: 'Refresh token accepted' }).waitFor();
  });

  it('consents page: sign in, see the consent, withdraw it', async () => {
    await b.page.goto(`${running.url}/account/consents`);
    await b.page.waitForURL(/\/account\/login$/);
    await b.check('account-login');
    await signIn(b.page, 'alice', PASSWORDS.alice);
    await b.page.getByRole('heading', { name: 'Your consents' }).waitFor();
    const section = b.page.getByRole('region', { name: 'Demo clinic portal' });
    assert.match((await section.textContent()) ?? '', /Allowed since .* until /);
    assert.doesNotMatch((await section.textContent()) ?? '', /email address/);
    await b.check('consents');

    await section.getByRole('button', { name: 'Withdraw consent for Demo clinic portal' }).click();
    await b.page.getByRole('status').waitFor();
    assert.match((await b.page.getByRole('status').textContent()) ?? '', /You withdrew your consent for Demo clinic portal/);
    assert.equal(await b.page.getByRole('region', { name: 'Demo clinic portal' }).count(), 0);
    await b.check('consents-withdrawn');
    const records = await ledger({ clientId: 'demo-in-confidence' });
    assert.equal(records.at(-1)?.decision, 'withdraw', 'OIDC-8: the withdrawal is recorded');
  });

  it('after the withdrawal the relying party\'s refresh token is refused', async () => {
    await b.page.goto(`${running.url}/demo`);
    await b.page.getByRole('button', { name: 'Use the refresh token' }).click();
    await b.page.getByRole('heading', { name: 'Refresh token refused' }).waitFor();
    assert.match((await b.page.getByRole('alert').textContent()) ?? '', /invalid_grant/);
    await b.check('demo-refresh-refused');
  });

  it('an expired or unknown sign-in page is a readable error page', async () => {
    const res = await b.page.goto(`${running.url}/interaction/no-such-interaction`);
    assert.equal(res?.status(), 400);
    await b.page.getByRole('heading', { name: 'This sign-in has expired' }).waitFor();
    assert.doesNotMatch(await b.page.content(), /at .*\.(ts|js):\d+/, 'no stack trace');
    await b.check('error');
  });

  it('no CSP violation was reported on any page (form_post included)', () => {
    assert.deepEqual(b.consoleCsp, []);
  });

  it('the CSP watch is not blind: an inline script under our CSP is reported', async () => {
    const probe = await b.browser.context.newPage();
    const seen = watchConsole(probe);
    await probe.route(`${running.url}/__csp-probe`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', headers: { 'content-security-policy': "script-src 'self'" }, body: '<!DOCTYPE html><title>probe</title><script>document.title = "ran"</script>' }),
    );
    await probe.goto(`${running.url}/__csp-probe`);
    assert.equal(await probe.title(), 'probe', 'the inline script did not run');
    assert.equal(await inlineScripts(probe), 1);
    assert.ok((await cspViolations(probe)).length + seen.length > 0, 'the violation was seen');
    await probe.close();
  });

  async function ledger(filter: { clientId: string }): Promise<ConsentRecord[]> {
    const out: ConsentRecord[] = [];
    for await (const r of running.idp.ledger.query(filter)) out.push(r);
    return out;
  }
});
