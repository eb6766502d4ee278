// OIDC-9, AUTH-1: `npm start`'s own deployment file (config/development.json) is coherent:
// an API that calls itself a FHIR server is marked `fhir` (its scopes are then read as SMART
// scopes and checked), and the demo's SENSITIVE client still signs in against it — password,
// alice's one-time-code app (the key the start-up log prints), consent — and gets a token
// for that FHIR API. Driven by a person without JavaScript.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type Config } from '../../src/config/load.js';
import { createIdp, type Idp } from '../../src/server.js';
import { codeFor, demoKeyFrom, keptLog } from '../helpers/factors.js';
import { freePort } from '../helpers/idp.js';
import { parseForms, Person } from '../helpers/person.js';

describe('config/development.json: the demo FHIR APIs (OIDC-9)', () => {
  let idp: Idp;
  let config: Config;
  const { logger, logged } = keptLog();

  before(async () => {
    const port = await freePort();
    config = loadConfig('config/development.json', { env: { PORT: String(port) } });
    idp = await createIdp(config, { logger, auditSink: { write: () => undefined } });
    await idp.listen(port, '127.0.0.1');
  });
  after(async () => idp?.close());

  it('OIDC-9: every API whose name or path says FHIR is marked as a FHIR server', () => {
    const named = config.resourceServers.filter((api) => /fhir/i.test(`${api.name ?? ''} ${new URL(api.identifier).pathname}`));
    assert.ok(named.length >= 2, 'the records API and the demo FHIR API');
    for (const api of named) assert.ok(api.fhir, `${api.identifier} is marked "fhir"`);
  });

  it('AUTH-1, OIDC-9: the SENSITIVE demo client signs in at the MFA level and gets a token for the FHIR API', async () => {
    const records = config.resourceServers.find((api) => api.classification === 'SENSITIVE');
    assert.ok(records?.fhir, 'the SENSITIVE demo client calls the FHIR records API');
    const key = demoKeyFrom(logged);

    const person = new Person(config.issuer.replace(/\/$/, ''));
    await person.visit(`${person.idpOrigin}/demo`);
    await person.submit('/demo/start', { classification: 'SENSITIVE' });
    await person.submit('/login', { username: 'alice', password: 'alice-demo-password' });
    assert.match(person.lastPage, /Confirm it is you/);
    await person.submit('/factor/otp', { code: codeFor(key) });
    assert.match(person.lastPage, /Share your information\?/);
    assert.match(person.lastPage, /Read your test results/, 'the FHIR scope in plain words');
    // SMART scopes are optional lines (checkboxes named "allow", all ticked): send each, as a browser does.
    const confirm = parseForms(person.lastPage).find((f) => f.action.includes('/confirm'));
    assert.ok(confirm);
    const body = new URLSearchParams({ ...confirm.fields, decision: 'approve' });
    body.delete('allow');
    for (const m of person.lastPage.matchAll(/name="allow" value="([^"]+)"/g)) body.append('allow', (m[1] ?? '').replace(/&#34;|&quot;/g, '"'));
    await person.visit(new URL(confirm.action, person.idpOrigin), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    // form_post back to the demo's own callback, on this origin.
    await person.submit('/demo/callback', {});
    assert.equal(person.lastStatus, 200, person.lastPage.slice(0, 400));
    assert.match(person.lastPage, /Signed in/);
    const claims = [...person.lastPage.matchAll(/<pre>([\s\S]*?)<\/pre>/g)].map((m) => m[1] ?? '');
    const accessToken = JSON.parse((claims[1] ?? '{}').replace(/&#34;|&quot;/g, '"')) as { aud?: unknown; scope?: string };
    assert.equal(accessToken.aud, records.identifier, 'the token is for the FHIR records API');
    assert.match(accessToken.scope ?? '', /patient\/Observation\.rs/);
  });
});
