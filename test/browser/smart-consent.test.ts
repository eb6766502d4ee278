// OIDC-9, OIDC-7 (issue 15, "how it is checked"): the pages a SMART launch adds, in a real
// browser with axe — the consent page's SMART scope texts for granular and v1 scopes, and
// the patient picker with its error state. The app is the stock fhirclient (Node adapter);
// only the IdP's pages are visited, so the app's redirect target never needs to exist.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations, browserMissing, cspViolations, inlineScripts, launchBrowser, MISSING, screenshot, type Browser } from '../helpers/browser.js';
import { FhirApp, PASSWORD, startSmartIdp, type SmartIdp } from '../helpers/smart.js';

const missing = browserMissing();
const ci = process.env.CI === 'true';
if (missing && !ci) process.stderr.write(`\n\n  ******************************************************\n  ${MISSING}\n  ******************************************************\n\n`);

describe('browser: SMART consent texts and the patient picker (OIDC-9)', { skip: missing && !ci ? MISSING : false }, () => {
  let s: SmartIdp;
  let browser: Browser;
  let page: Page;

  before(async () => {
    if (missing) return;
    s = await startSmartIdp();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  async function check(name: string): Promise<void> {
    await screenshot(page, name);
    const bad = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `${name}: no serious or critical accessibility violations`);
    assert.deepEqual(await cspViolations(page), [], `${name}: no CSP violation`);
    assert.equal(await inlineScripts(page), 0, `${name}: no inline script`);
  }

  async function signIn(scope: string, username: string): Promise<void> {
    await browser.context.clearCookies();
    page = await browser.context.newPage();
    await page.goto((await new FhirApp().authorize({ iss: s.fhir, scope })).href);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('chromium is installed (CI=true requires it)', () => {
    assert.equal(missing, undefined, missing);
  });

  it('OIDC-9: the consent page says a granular scope and a v1 scope in plain words', async () => {
    await signIn('openid fhirUser launch/patient patient/Observation.rs?category=laboratory patient/Patient.read', 'alice');
    await page.getByRole('heading', { name: 'Share your information?' }).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    assert.match(text, /Read your laboratory results/, 'granular: the category named');
    assert.match(text, /Know which health record is yours/, 'fhirUser');
    assert.match(text, /Read your patient details/, 'v1 patient/Patient.read in words, as its v2 equivalent');
    assert.doesNotMatch(text, /patient\/Observation\.rs\?category/, 'no scope strings for people');
    await check('smart-consent-granular');
  });

  it('OIDC-9: the patient picker — listed, searched, and a readable error when nothing is chosen', async () => {
    await signIn('openid fhirUser launch/patient user/Observation.rs', 'drhine');
    await page.getByRole('heading', { name: 'Choose a patient' }).waitFor();
    assert.equal(await page.getByRole('radio').count(), 2);
    await check('smart-picker-list');
    await page.getByLabel('Search by name or identifier').fill('nobody-like-this');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').waitFor();
    assert.match((await page.getByRole('status').textContent()) ?? '', /No patient matches/);
    await check('smart-picker-none');
    // The browser's own check (required) bypassed: the server answers with a readable error.
    await page.goBack();
    await page.getByRole('heading', { name: 'Choose a patient' }).waitFor();
    await page.locator('input[type=radio]').evaluateAll((inputs) => inputs.forEach((i) => i.removeAttribute('required')));
    await page.getByRole('button', { name: 'Continue with this patient' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /Choose one of the patients listed/);
    await check('smart-picker-error');
  });
});
