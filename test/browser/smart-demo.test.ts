// OIDC-9 (issue 15 items 8 and "how it is checked"): `npm start`'s own deployment file
// (config/development.json) in a real browser. From /demo, the SMART patient app and the
// SMART clinician app launch against the built-in demo FHIR API: sign-in, the patient
// picker (clinician), the consent page's SMART scope texts, the token, and the API call
// whose Observations the app shows. Every page: axe finds nothing serious, the CSP holds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../src/config/load.js';
import { createIdp, type Idp } from '../../src/server.js';
import { axeViolations, browserMissing, cspViolations, inlineScripts, launchBrowser, MISSING, screenshot, watchConsole, type Browser } from '../helpers/browser.js';
import { freePort } from '../helpers/idp.js';

const missing = browserMissing();
const ci = process.env.CI === 'true';
if (missing && !ci) process.stderr.write(`\n\n  ******************************************************\n  ${MISSING}\n  ******************************************************\n\n`);

describe('browser: the demo SMART apps call the demo FHIR API (OIDC-9)', { skip: missing && !ci ? MISSING : false }, () => {
  let idp: Idp;
  let url: string;
  let browser: Browser;
  let page: Page;
  let consoleCsp: string[];

  before(async () => {
    if (missing) return;
    const port = await freePort();
    // The developer's file as `PORT=… npm start` reads it: the issuer and the demo FHIR API move to the port.
    const config = loadConfig('config/development.json', { env: { PORT: String(port) } });
    url = config.issuer;
    idp = await createIdp(config, { auditSink: { write: () => undefined } });
    await idp.listen(port, '127.0.0.1');
    browser = await launchBrowser();
    page = await browser.context.newPage();
    consoleCsp = watchConsole(page);
  });
  after(async () => {
    await browser?.close();
    await idp?.close();
  });

  async function check(name: string): Promise<void> {
    await screenshot(page, name);
    const bad = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `${name}: no serious or critical accessibility violations`);
    assert.deepEqual(await cspViolations(page), [], `${name}: no CSP violation`);
    assert.equal(await inlineScripts(page), 0, `${name}: no inline script`);
  }

  async function signIn(username: string, password: string): Promise<void> {
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The Observations table of the app's result page, one line per row. */
  async function results(): Promise<string[]> {
    await page.getByRole('heading', { name: 'SMART app: test results' }).waitFor();
    return page.locator('table').last().locator('tr').allInnerTexts();
  }

  it('chromium is installed (CI=true requires it)', () => {
    assert.equal(missing, undefined, missing);
  });

  it('OIDC-9: the patient app — launch, sign-in, consent with SMART scope texts, token with patient, the API returns her Observations', async () => {
    await page.goto(`${url}/demo`);
    await check('smart-demo');
    await page.getByRole('button', { name: 'Launch Demo SMART patient app' }).click();
    await signIn('alice', 'alice-demo-password');
    await page.getByRole('heading', { name: 'Share your information?' }).waitFor();
    const consent = (await page.locator('main').textContent()) ?? '';
    // The FHIR server's declared texts, in plain words, not scope strings.
    assert.match(consent, /Read your test results/);
    assert.match(consent, /Read your details/);
    assert.doesNotMatch(consent, /patient\/Observation\.rs/);
    await check('smart-consent-patient');
    await page.getByRole('button', { name: 'Allow', exact: true }).click();

    const rows = await results();
    await check('smart-result-patient');
    const main = (await page.locator('main').textContent()) ?? '';
    assert.match(main, /Patient\/p-alice/, 'fhirUser from the ID token');
    assert.match(main, /GET http:\/\/localhost:\d+\/demo\/fhir\/Observation\?patient=p-alice: HTTP 200/);
    assert.match(main, /Test results of Alice Ngata/);
    assert.equal(rows.length, 4, `a header and three Observations: ${rows.join(' | ')}`);
    assert.ok(rows.some((r) => /HbA1c\s+laboratory\s+41 mmol\/mol/.test(r)), rows.join(' | '));
  });

  it('OIDC-9: the clinician app — sign-in, the patient picker (search, choose), consent, the chosen patient\'s Observations', async () => {
    await browser.context.clearCookies();
    await page.goto(`${url}/demo`);
    await page.getByRole('button', { name: 'Launch Demo SMART clinician app' }).click();
    await signIn('hine', 'hine-demo-password');
    await page.getByRole('heading', { name: 'Choose a patient' }).waitFor();
    assert.equal(await page.getByRole('radio').count(), 3, 'the demo patient list');
    await check('smart-picker');

    await page.getByLabel('Search by name or identifier').fill('tama');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('group', { name: /matching “tama”/ }).waitFor();
    assert.equal(await page.getByRole('radio').count(), 1);
    await check('smart-picker-search');
    await page.getByRole('radio', { name: /Tama Rewi/ }).check();
    await page.getByRole('button', { name: 'Continue with this patient' }).click();

    await page.getByRole('heading', { name: 'Share your information?' }).waitFor();
    const consent = (await page.locator('main').textContent()) ?? '';
    assert.match(consent, /Read the test results of patients you care for/);
    assert.match(consent, /Read the details of patients you care for/);
    await check('smart-consent-clinician');
    await page.getByRole('button', { name: 'Allow', exact: true }).click();

    const rows = await results();
    await check('smart-result-clinician');
    const main = (await page.locator('main').textContent()) ?? '';
    assert.match(main, /Practitioner\/pr-hine/);
    assert.match(main, /Test results of Tama Rewi/);
    assert.equal(rows.length, 4, rows.join(' | '));
  });

  it('no CSP violation was reported on any page', () => {
    assert.deepEqual(consoleCsp, []);
  });
});
