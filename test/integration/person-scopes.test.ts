// GR-6: client_credentials has no person behind it, so it never grants identity scopes or
// scopes that act for a person — SMART patient/… and user/…, and API scopes the deployment
// file marks `actsForPerson`. SMART system/… and other API scopes stay available.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { sensitive, service, SERVICE_SECRET } from '../helpers/clients.js';
import { API, TEST_APIS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { relyingParty } from '../helpers/rp.js';

const BOOKINGS_API = 'https://api.test/bookings';
const apis = [
  ...TEST_APIS,
  {
    identifier: BOOKINGS_API,
    classification: 'IN-CONFIDENCE' as const,
    scopes: {
      'system/Appointment.rs': 'Read all appointments',
      'patient/Appointment.rs': 'Read your appointments',
      'user/Appointment.rs': 'Read the appointments you may see',
      'bookings.sync': 'Synchronise the booking calendar',
      // The new object form: this API scope books on someone's behalf.
      'bookings.mine': { description: 'Book appointments for you', actsForPerson: true },
    },
  },
];

describe('person scopes need a person (GR-6)', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ resourceServers: apis, clients: [service.metadata, sensitive.metadata] });
  });
  after(() => running.close());

  async function clientCredentials(params: Record<string, string>) {
    const res = await fetch(new URL('/token', running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'service', client_secret: SERVICE_SECRET, ...params }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  function assertRefused(r: { status: number; body: Record<string, unknown> }, scope: string) {
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_scope');
    assert.match(String(r.body.error_description), /GR-6/);
    assert.ok(String(r.body.error_description).includes(scope), 'names the scope refused');
    assert.equal(r.body.access_token, undefined);
  }

  for (const scope of ['patient/Appointment.rs', 'user/Appointment.rs', 'bookings.mine']) {
    it(`GR-6: client_credentials refuses ${scope} for an API`, async () => {
      assertRefused(await clientCredentials({ resource: BOOKINGS_API, scope: `system/Appointment.rs ${scope}` }), scope);
    });
  }

  for (const scope of ['openid', 'profile', 'nhi', 'offline_access', 'openid fhirUser']) {
    it(`GR-6: client_credentials refuses the identity scope(s) ${scope}`, async () => {
      assertRefused(await clientCredentials({ scope }), scope.split(' ')[0] ?? scope);
    });
  }

  it('GR-6: SMART system/… and other API scopes stay available', async () => {
    const r = await clientCredentials({ resource: BOOKINGS_API, scope: 'system/Appointment.rs bookings.sync' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.scope, 'system/Appointment.rs bookings.sync');
  });

  it('GR-6: a SENSITIVE service gets no patient/* FHIR token without a person', async () => {
    const rp = await relyingParty(running.url, sensitive);
    const dpop = oidc.getDPoPHandle(rp, await oidc.randomDPoPKeyPair('ES256'));
    await assert.rejects(
      oidc.clientCredentialsGrant(rp, { resource: API.sensitive, scope: 'patient/Observation.rs' }, { DPoP: dpop }),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_scope' && /GR-6/.test(err.error_description ?? ''),
    );
  });
});
