// OIDC-9, TOK-6: an opaque access token for a FHIR server is introspected by that server
// with its launch context (Inferno's token introspection group).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Person } from '../helpers/person.js';
import { FhirApp, PASSWORD, smartClients, startSmartIdp, type SmartIdp } from '../helpers/smart.js';

const API_SECRET = 'fhir-api-introspection-secret-0123456789abcdef';
let s: SmartIdp;
before(async () => {
  const clients = await smartClients();
  s = await startSmartIdp((url) => ({
    resourceServers: [
      {
        identifier: `${url}/demo/fhir`,
        classification: 'IN-CONFIDENCE',
        fhir: { demo: true },
        accessTokenFormat: 'opaque',
        introspectionClientId: 'fhir-api',
        scopes: { 'patient/Observation.rs': 'Read your test results' },
      },
    ],
    clients: [
      ...clients,
      { client_id: 'fhir-api', classification: 'IN-CONFIDENCE', client_secret: API_SECRET, token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
    ],
  }));
});
after(async () => s.close());

it('OIDC-9, TOK-6: the FHIR server introspects the opaque token and sees the patient', async () => {
  const app = new FhirApp();
  const url = await app.authorize({ iss: s.fhir, scope: 'openid launch/patient patient/Observation.rs' });
  const client = await app.ready((await new Person(s.url).signIn(url, { username: 'alice', password: PASSWORD })).url);
  const token = String(client.state.tokenResponse?.access_token);
  assert.equal(token.split('.').length, 1, 'an opaque token');
  const res = await fetch(`${s.url}/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, client_id: 'fhir-api', client_secret: API_SECRET }).toString(),
  });
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.active, true);
  assert.equal(body.patient, 'p-alice');
  assert.equal(body.aud, s.fhir);
  assert.match(String(body.scope), /patient\/Observation\.rs/);
});
