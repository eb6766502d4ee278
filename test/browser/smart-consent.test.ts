// OIDC-9, OIDC-7 (issue 15, "how it is checked"): the pages a SMART launch adds, in a real
// browser with axe — the consent page's SMART scope texts for granular and v1 scopes, and
// the patient picker with its error state. The app is the stock fhirclient (Node adapter);
// only the IdP's pages are visited, so the app's redirect target never needs to exist.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserMissing, browserSuite, browserSuiteSkip, signIn } from '../helpers/browser.js';
import { FhirApp, PASSWORD, startSmartIdp, type SmartIdp } from '../helpers/smart.js';

const missing = browserMissing();

describe('browser: SMART consent texts and the patient picker (OIDC-9)', { skip: browserSuiteSkip() }, () => {
  let s: SmartIdp;
  const b = browserSuite(
    async () => (s = await startSmartIdp()),
    async () => s?.close(),
  );

  /** The app's launch in a fresh page, then the sign-in as `username`. */
  async function launch(scope: string, username: string): Promise<void> {
    await b.browser.context.clearCookies();
    b.page = await b.browser.context.newPage();
    await b.page.goto((await new FhirApp().authorize({ iss: s.fhir, scope })).href);
    await signIn(b.page, username, PASSWORD);
  }

  it('chromium is installed (CI=true requires it)', () => {
    assert.equal(missing, undefined, missing);
  });

  it('OIDC-9: the consent page says a granular scope and a v1 scope in plain words', async () => {
    await launch('openid fhirUser launch/patient patient/Observation.rs?category=laboratory patient/Patient.read', 'alice');
    await b.page.getByRole('heading', { name: 'Share your information?' }).waitFor();
    const text = (await b.page.locator('main').textContent()) ?? '';
    assert.match(text, /Read your laboratory results/, 'granular: the category named');
    assert.match(text, /Know which health record is yours/, 'fhirUser');
    assert.match(text, /Read your patient details/, 'v1 patient/Patient.read in words, as its v2 equivalent');
    assert.doesNotMatch(text, /patient\/Observation\.rs\?category/, 'no scope strings for people');
    await b.check('smart-consent-granular');
  });

  it('OIDC-9: the patient picker — listed, searched, and a readable error when nothing is chosen', async () => {
    await launch('openid fhirUser launch/patient user/Observation.rs', 'drhine');
    await b.page.getByRole('heading', { name: 'Choose a patient' }).waitFor();
    assert.equal(await b.page.getByRole('radio').count(), 2);
    await b.check('smart-picker-list');
    await b.page.getByLabel('Search by name or identifier').fill('nobody-like-this');
    await b.page.getByRole('button', { name: 'Search' }).click();
    await b.page.getByRole('status').waitFor();
    assert.match((await b.page.getByRole('status').textContent()) ?? '', /No patient matches/);
    await b.check('smart-picker-none');
    // The browser's own check (required) bypassed: the server answers with a readable error.
    await b.page.goBack();
    await b.page.getByRole('heading', { name: 'Choose a patient' }).waitFor();
    await b.page.locator('input[type=radio]').evaluateAll((inputs) => inputs.forEach((i) => i.removeAttribute('required')));
    await b.page.getByRole('button', { name: 'Continue with this patient' }).click();
    await b.page.getByRole('alert').waitFor();
    assert.match((await b.page.getByRole('alert').textContent()) ?? '', /Choose one of the patients listed/);
    await b.check('smart-picker-error');
  });
});
