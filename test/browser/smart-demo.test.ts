// OIDC-9 (issue 15 items 8 and "how it is checked"): `npm start`'s own deployment file
// (config/development.json) in a real browser. From /demo, the SMART patient app and the
// SMART clinician app launch against the built-in demo FHIR API: sign-in, the patient
// picker (clinician), the consent page's SMART scope texts, the token, and the API call
// whose Observations the app shows. Every page: axe finds nothing serious, the CSP holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserMissing, browserSuite, browserSuiteSkip, signIn } from '../helpers/browser.js';
import { startDevelopmentFile, type RunningIdp } from '../helpers/idp.js';

const missing = browserMissing();

describe('browser: the demo SMART apps call the demo FHIR API (OIDC-9)', { skip: browserSuiteSkip() }, () => {
  let running: RunningIdp;
  let url: string;
  const b = browserSuite(
    async () => {
      running = await startDevelopmentFile();
      url = running.url;
    },
    async () => running?.close(),
  );

  /** The sign-in page the launch led to, filled in as `username`. */
  async function signInAs(username: string, password: string): Promise<void> {
    await b.page.waitForURL(/\/interaction\//);
    await signIn(b.page, username, password);
  }

  /** The Observations table of the app's result page, one line per row. */
  async function results(): Promise<string[]> {
    await b.page.getByRole('heading', { name: 'SMART app: test results' }).waitFor();
    return b.page.locator('table').last().locator('tr').allInnerTexts();
  }

  it('chromium is installed (CI=true requires it)', () => {
    assert.equal(missing, undefined, missing);
  });

  it('OIDC-9: the patient app — launch, sign-in, consent with SMART scope texts, token with patient, the API returns her Observations', async () => {
    await b.page.goto(`${url}/demo`);
    await b.check('smart-demo');
    await b.page.getByRole('button', { name: 'Launch Demo SMART patient app' }).click();
    await signInAs('alice', 'alice-demo-password');
    await b.page.getByRole('heading', { name: 'Share your information?' }).waitFor();
    const consent = (await b.page.locator('main').textContent()) ?? '';
    // The FHIR server's declared texts, in plain words, not scope strings.
    assert.match(consent, /Read your test results/);
    assert.match(consent, /Read your details/);
    assert.doesNotMatch(consent, /patient\/Observation\.rs/);
    await b.check('smart-consent-patient');
    await b.page.getByRole('button', { name: 'Allow', exact: true }).click();

    const rows = await results();
    await b.check('smart-result-patient');
    const main = (await b.page.locator('main').textContent()) ?? '';
    assert.match(main, /Patient\/p-alice/, 'fhirUser from the ID token');
    assert.match(main, /GET http:\/\/localhost:\d+\/demo\/fhir\/Observation\?patient=p-alice: HTTP 200/);
    assert.match(main, /Test results of Alice Ngata/);
    assert.equal(rows.length, 4, `a header and three Observations: ${rows.join(' | ')}`);
    assert.ok(rows.some((r) => /HbA1c\s+laboratory\s+41 mmol\/mol/.test(r)), rows.join(' | '));
  });

  it('OIDC-9: the clinician app — sign-in, the patient picker (search, choose), consent, the chosen patient\'s Observations', async () => {
    await b.browser.context.clearCookies();
    await b.page.goto(`${url}/demo`);
    await b.page.getByRole('button', { name: 'Launch Demo SMART clinician app' }).click();
    await signInAs('hine', 'hine-demo-password');
    await b.page.getByRole('heading', { name: 'Choose a patient' }).waitFor();
    assert.equal(await b.page.getByRole('radio').count(), 3, 'the demo patient list');
    await b.check('smart-picker');

    await b.page.getByLabel('Search by name or identifier').fill('tama');
    await b.page.getByRole('button', { name: 'Search' }).click();
    await b.page.getByRole('group', { name: /matching “tama”/ }).waitFor();
    assert.equal(await b.page.getByRole('radio').count(), 1);
    await b.check('smart-picker-search');
    await b.page.getByRole('radio', { name: /Tama Rewi/ }).check();
    await b.page.getByRole('button', { name: 'Continue with this patient' }).click();

    await b.page.getByRole('heading', { name: 'Share your information?' }).waitFor();
    const consent = (await b.page.locator('main').textContent()) ?? '';
    assert.match(consent, /Read the test results of patients you care for/);
    assert.match(consent, /Read the details of patients you care for/);
    await b.check('smart-consent-clinician');
    await b.page.getByRole('button', { name: 'Allow', exact: true }).click();

    const rows = await results();
    await b.check('smart-result-clinician');
    const main = (await b.page.locator('main').textContent()) ?? '';
    assert.match(main, /Practitioner\/pr-hine/);
    assert.match(main, /Test results of Tama Rewi/);
    assert.equal(rows.length, 4, rows.join(' | '));
  });

  it('no CSP violation was reported on any page', () => {
    assert.deepEqual(b.consoleCsp, []);
  });
});
