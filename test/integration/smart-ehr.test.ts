// OIDC-9: EHR launch (POST /smart/launch, single-use launch values), the practitioner's
// patient picker, and the launch context across refresh — with the stock fhirclient, after
// the Inferno SMART App Launch test kit's EHR launch and token refresh groups.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { importJWK } from 'jose';
import * as oidc from 'openid-client';
import { Person } from '../helpers/person.js';
import { decodeJwt } from '../helpers/rp.js';
import { APP_PRIVATE_JWK, EHR_SECRET, FhirApp, PASSWORD, startSmartIdp, type SmartIdp } from '../helpers/smart.js';

let s: SmartIdp;
before(async () => {
  s = await startSmartIdp();
});
after(async () => s.close());

async function ehrToken(): Promise<string> {
  const ehr = await oidc.discovery(new URL(s.url), 'ehr', {}, oidc.ClientSecretPost(EHR_SECRET), { execute: [oidc.allowInsecureRequests] });
  return (await oidc.clientCredentialsGrant(ehr, {})).access_token;
}

async function launch(body: Record<string, unknown>, token?: string): Promise<Response> {
  return fetch(`${s.url}/smart/launch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === '' ? {} : { authorization: `Bearer ${token ?? (await ehrToken())}` }) },
    body: JSON.stringify(body),
  });
}

async function launchValue(body: Record<string, unknown>): Promise<string> {
  const res = await launch(body);
  assert.equal(res.status, 201);
  return ((await res.json()) as { launch: string }).launch;
}

const EHR_SCOPE = 'openid fhirUser launch user/Observation.rs offline_access';

describe('EHR launch (OIDC-9)', () => {
  it('OIDC-9: the EHR posts the context, the app redeems the launch value, the token response carries the context', async () => {
    const value = await launchValue({ patient: 'p-tama', encounter: 'e-42', need_patient_banner: true, smart_style_url: 'https://ehr.example/style.json', client_id: 'smart-app' });
    const app = new FhirApp();
    const url = await app.authorize({ iss: s.fhir, launch: value, scope: EHR_SCOPE });
    assert.equal(url.searchParams.get('launch'), value);
    const arrival = await new Person(s.url).signIn(url, { username: 'drhine', password: PASSWORD });
    const client = await app.ready(arrival.url);
    const tr = client.state.tokenResponse ?? {};
    assert.equal(tr.patient, 'p-tama');
    assert.equal(tr.encounter, 'e-42');
    assert.equal(tr.need_patient_banner, true);
    assert.equal(tr.smart_style_url, 'https://ehr.example/style.json');
    assert.equal(client.getFhirUser(), 'Practitioner/pr-hine');
    assert.equal(decodeJwt(String(tr.access_token)).patient, 'p-tama');
    // user/ scopes: the practitioner's app reads the launched patient's record.
    const bundle = await client.request<{ total: number }>('Observation?patient=p-tama');
    assert.equal(bundle.total, 3);

    // Token refresh (Inferno's group): the context survives, bound to the grant.
    const config = await oidc.discovery(new URL(s.url), 'smart-app', {}, oidc.PrivateKeyJwt((await importJWK(APP_PRIVATE_JWK, 'ES384')) as CryptoKey), { execute: [oidc.allowInsecureRequests] });
    const refreshed = await oidc.refreshTokenGrant(config, String(tr.refresh_token));
    assert.equal(refreshed.patient, 'p-tama');
    assert.equal(refreshed.encounter, 'e-42');
    assert.equal(decodeJwt(refreshed.access_token).patient, 'p-tama');
    assert.match(String(refreshed.scope), /user\/Observation\.rs/);

    // OIDC-8: the consent ledger entry records the launch context.
    const records = [];
    for await (const r of s.idp.ledger.query({ clientId: 'smart-app' })) records.push(r);
    assert.ok(records.some((r) => r.request.smart?.patient === 'p-tama' && r.request.smart.encounter === 'e-42'), 'the ledger records the launch context');
  });

  async function refusedWith(value: string, clientId = 'smart-app'): Promise<string> {
    const url = await new FhirApp(clientId).authorize({ iss: s.fhir, launch: value, scope: EHR_SCOPE });
    const arrival = await new Person(s.url).visit(url);
    assert.ok(arrival, 'expected an error redirect to the app');
    assert.equal(arrival.url.searchParams.get('error'), 'invalid_request');
    return arrival.url.searchParams.get('error_description') ?? '';
  }

  it('OIDC-9: an unknown launch value is refused', async () => {
    assert.match(await refusedWith('no-such-launch-value'), /unknown or has expired/);
  });

  it('OIDC-9: a launch value is single-use: the second redemption is refused', async () => {
    const value = await launchValue({ patient: 'p-tama' });
    const url = await new FhirApp().authorize({ iss: s.fhir, launch: value, scope: EHR_SCOPE });
    await new Person(s.url).visit(url); // first redemption: the sign-in page
    assert.match(await refusedWith(value), /used already/);
  });

  it('OIDC-9: a launch value issued for another app is refused', async () => {
    const value = await launchValue({ patient: 'p-tama', client_id: 'other-app' });
    assert.match(await refusedWith(value, 'smart-app'), /another application/);
  });

  it('OIDC-9: /smart/launch wants an EHR\'s bearer token and a valid context', async () => {
    assert.equal((await launch({ patient: 'p-tama' }, '')).status, 401);
    assert.equal((await launch({ patient: 'p-tama' }, 'not-a-token')).status, 401);
    const bad = await launch({ encounter: 'e-1' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error_description: string }).error_description, /patient is required/);
  });
});

describe('standalone launch, clinician app with the patient picker (OIDC-9)', () => {
  it('OIDC-9: a practitioner asking for launch/patient chooses the patient; the token response carries the choice', async () => {
    const app = new FhirApp();
    const url = await app.authorize({ iss: s.fhir, scope: 'openid fhirUser launch/patient user/Observation.rs' });
    const person = new Person(s.url);
    await person.visit(url);
    await person.submit('/login', { username: 'drhine', password: PASSWORD });
    assert.match(person.lastPage, /Choose a patient/);
    assert.match(person.lastPage, /Tama Rewi/);
    // A patient not in the directory is not taken.
    await person.submit('/patient', { patient: 'p-nobody' });
    assert.equal(person.lastStatus, 400);
    await person.submit('/patient', { patient: 'p-tama' });
    assert.match(person.lastPage, /name="decision"/);
    const arrival = await person.submit('/confirm', { decision: 'approve' });
    assert.ok(arrival);
    const client = await app.ready(arrival.url);
    assert.equal(client.patient.id, 'p-tama');
  });

  it('OIDC-9: a patient signing in needs no picker: their own record is the context', async () => {
    const app = new FhirApp();
    const url = await app.authorize({ iss: s.fhir, scope: 'openid launch/patient patient/Observation.rs' });
    const person = new Person(s.url);
    await person.visit(url);
    await person.submit('/login', { username: 'alice', password: PASSWORD });
    assert.doesNotMatch(person.lastPage, /Choose a patient/);
  });
});
