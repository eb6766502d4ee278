// OIDC-9: SMART App Launch 2.2 end to end with the stock fhirclient, after the Inferno SMART
// App Launch test kit's groups: standalone launch, EHR launch, OpenID Connect, token refresh,
// token introspection, and their negative cases.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Person } from '../helpers/person.js';
import { decodeJwt } from '../helpers/rp.js';
import { FhirApp, PASSWORD, startSmartIdp, type SmartIdp } from '../helpers/smart.js';

let s: SmartIdp;
before(async () => {
  s = await startSmartIdp();
});
after(async () => s.close());

describe('standalone launch, patient app (OIDC-9)', () => {
  it('OIDC-9: aud selects the FHIR server; the token is an RFC 9068 JWT for it with patient, scopes and fhirUser', async () => {
    const app = new FhirApp();
    const url = await app.authorize({ iss: s.fhir, scope: 'openid fhirUser launch/patient patient/Observation.rs offline_access' });
    assert.equal(url.searchParams.get('aud'), s.fhir);
    const person = new Person(s.url);
    const arrival = await person.signIn(url, { username: 'alice', password: PASSWORD });
    const client = await app.ready(arrival.url);
    const tr = client.state.tokenResponse ?? {};
    // Launch context: the person's own Patient record.
    assert.equal(client.patient.id, 'p-alice');
    assert.equal(tr.patient, 'p-alice');
    // The granted scopes, identity and FHIR alike, are returned in scope.
    const scopes = String(tr.scope).split(' ');
    for (const sc of ['openid', 'fhirUser', 'launch/patient', 'patient/Observation.rs']) assert.ok(scopes.includes(sc), `${sc} in ${tr.scope}`);
    // RFC 9068 JWT with the FHIR server as audience (TOK-7).
    const at = decodeJwt(String(tr.access_token));
    assert.equal(at.aud, s.fhir);
    assert.equal(at.patient, 'p-alice');
    // OIDC-9, OIDC-4: fhirUser in the back-channel ID token; fhirclient reads it.
    assert.equal(client.getFhirUser(), 'Patient/p-alice');
    // The API call: the demo FHIR API checks the token and returns the patient's data.
    const bundle = await client.request<{ total: number; entry: { resource: { subject: { reference: string } } }[] }>(`Observation?patient=${client.patient.id}`);
    assert.equal(bundle.total, 3);
    assert.ok(bundle.entry.every((e) => e.resource.subject.reference === 'Patient/p-alice'));
  });

  it('OIDC-9: the FHIR API refuses another patient with a patient/ token', async () => {
    const app = new FhirApp();
    const url = await app.authorize({ iss: s.fhir, scope: 'openid launch/patient patient/Observation.rs' });
    const client = await app.ready((await new Person(s.url).signIn(url, { username: 'alice', password: PASSWORD })).url);
    await assert.rejects(client.request('Observation?patient=p-tama'), /403|another patient/);
  });

  it('OIDC-9: a granular scope is granted as asked, shown in plain words, and the API returns only that category', async () => {
    const app = new FhirApp();
    const url = await app.authorize({ iss: s.fhir, scope: 'openid launch/patient patient/Observation.rs?category=laboratory' });
    const person = new Person(s.url);
    await person.visit(url);
    await person.submit('/login', { username: 'alice', password: PASSWORD });
    assert.match(person.lastPage, /Read your laboratory results/);
    const arrival = await person.submit('/confirm', { decision: 'approve' });
    assert.ok(arrival);
    const client = await app.ready(arrival.url);
    assert.match(String(client.state.tokenResponse?.scope), /patient\/Observation\.rs\?category=laboratory/);
    const bundle = await client.request<{ total: number }>('Observation?patient=p-alice');
    assert.equal(bundle.total, 2);
  });

  it('OIDC-9: v1 scopes are accepted as their v2 equivalents and returned as asked', async () => {
    const app = new FhirApp();
    const url = await app.authorize({ iss: s.fhir, scope: 'openid launch/patient patient/Observation.read' });
    const client = await app.ready((await new Person(s.url).signIn(url, { username: 'alice', password: PASSWORD })).url);
    assert.match(String(client.state.tokenResponse?.scope), /patient\/Observation\.read/);
    const bundle = await client.request<{ total: number }>('Observation?patient=p-alice');
    assert.equal(bundle.total, 3);
  });
});

describe('OpenID Connect: fhirUser at /userinfo (OIDC-9, OIDC-4)', () => {
  async function userinfo(scope: string): Promise<{ tokenResponse: Record<string, unknown>; status: number; claims: Record<string, unknown> }> {
    const app = new FhirApp();
    const url = await app.authorize({ iss: s.fhir, scope });
    // No aud: the app asks for identity only, so its access token is for /userinfo, not the FHIR server.
    url.searchParams.delete('aud');
    const client = await app.ready((await new Person(s.url).signIn(url, { username: 'alice', password: PASSWORD })).url);
    const tokenResponse = (client.state.tokenResponse ?? {}) as Record<string, unknown>;
    const { userinfo_endpoint } = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as { userinfo_endpoint: string };
    const res = await fetch(userinfo_endpoint, { headers: { authorization: `Bearer ${String(tokenResponse.access_token)}` } });
    return { tokenResponse, status: res.status, claims: (await res.json()) as Record<string, unknown> };
  }

  it('OIDC-9: with openid and fhirUser, /userinfo carries fhirUser', async () => {
    const { tokenResponse, status, claims } = await userinfo('openid fhirUser');
    assert.equal(status, 200);
    assert.equal(claims.fhirUser, 'Patient/p-alice');
    assert.equal(claims.sub, 'acct-alice');
    // With an access token for /userinfo, scope claims are left to /userinfo (conformIdTokenClaims,
    // OpenID Connect Core 5.4); with a SMART aud the ID token carries fhirUser (first test above).
    assert.equal(decodeJwt(String(tokenResponse.id_token)).fhirUser, undefined);
  });

  it('OIDC-3: without the fhirUser scope, /userinfo does not release it', async () => {
    const { status, claims } = await userinfo('openid profile');
    assert.equal(status, 200);
    assert.equal(claims.fhirUser, undefined);
    assert.equal(claims.sub, 'acct-alice');
  });
});

describe('negative cases after Inferno (OIDC-9)', () => {
  async function refusal(url: URL): Promise<URLSearchParams> {
    const person = new Person(s.url);
    const arrival = await person.visit(url);
    assert.ok(arrival, `expected an error redirect, got a page (status ${person.lastStatus})`);
    return arrival.url.searchParams;
  }

  it('OIDC-9: an aud that names no FHIR server here is refused', async () => {
    const url = await new FhirApp().authorize({ iss: s.fhir, scope: 'openid launch/patient patient/Observation.rs' });
    url.searchParams.set('aud', 'https://fhir.elsewhere.example/r4');
    const p = await refusal(url);
    assert.equal(p.get('error'), 'invalid_request');
    assert.match(p.get('error_description') ?? '', /aud .* is not a FHIR server/);
  });

  it('OIDC-9: a v1 write scope for a read-only server is refused with invalid_scope naming it', async () => {
    const url = await new FhirApp().authorize({ iss: s.fhir, scope: 'openid launch/patient patient/Observation.write' });
    const p = await refusal(url);
    assert.equal(p.get('error'), 'invalid_scope');
    assert.match(p.get('error_description') ?? '', /patient\/Observation\.write/);
  });

  it('OIDC-9, GR-6: a system/ scope through a person\'s sign-in is refused', async () => {
    const url = await new FhirApp().authorize({ iss: s.fhir, scope: 'openid system/Observation.rs' });
    const p = await refusal(url);
    assert.equal(p.get('error'), 'invalid_scope');
  });

  it('EP-3: fhirclient without a nonce is refused, and the refusal tells the developer how to add one', async () => {
    const url = await new FhirApp().authorize({ iss: s.fhir, scope: 'openid launch/patient patient/Observation.rs', nonce: false });
    const p = await refusal(url);
    assert.equal(p.get('error'), 'invalid_request');
    assert.match(p.get('error_description') ?? '', /nonce/);
    assert.match(p.get('error_description') ?? '', /fhirclient|noRedirect/);
  });
});
