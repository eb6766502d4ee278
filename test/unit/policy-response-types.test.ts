// GR-4 and GR-1 (src/policy/executors/response-types.ts): the response types a class may
// register, the grant types filled in for them, and the words a refusal gives the operator
// or developer (the field, the rule, what is allowed, which grant is missing).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileOptions } from '../../src/policy/classification.js';
import { applyProfile, checkClient, type ClientMetadata } from '../../src/policy/clients.js';

// the deployment switch that lets PUBLIC clients use `id_token token` (GR-4's COULD)
const options: ProfileOptions = { implicitForPublic: true, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };
const ctx = { options, development: false, signingAlgs: ['ES256', 'PS256'], mtls: { enabled: true, trustedCas: true } };
const spa: ClientMetadata = { client_id: 'spa', classification: 'PUBLIC', token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example/cb'] };
function registered(meta: ClientMetadata) {
  const applied = applyProfile(meta, 'PUBLIC', options);
  return { grant_types: applied.grant_types, problems: checkClient(applied, ctx) };
}

describe('response types and their grants (GR-4, GR-1)', () => {
  it('GR-1: without grant_types, a client with any code response type gets the authorization_code grant, and is told which response type also needs implicit', () => {
    assert.deepEqual(registered({ ...spa, response_types: ['code', 'id_token token'] }), {
      grant_types: ['authorization_code'],
      problems: [{ field: 'grant_types', message: 'response type "id_token token" needs the implicit grant', rule: 'GR-1' }],
    });
  });

  it('GR-4: a refused response type names the field and lists what the class may use, comma-separated', () => {
    // `code token` returns an access token from /authorize, so the implicit grant goes with it;
    // the one thing wrong is the response type itself (no GR-1 complaint about implicit).
    assert.deepEqual(registered({ ...spa, response_types: ['code token'], grant_types: ['authorization_code', 'implicit'] }).problems, [
      { field: 'response_types', message: '"code token" is not allowed for PUBLIC; allowed: code, id_token token', rule: 'GR-4' },
    ]);
  });

  it('GR-1: a missing authorization_code grant is refused naming every response type that needs it', () => {
    assert.deepEqual(registered({ ...spa, response_types: ['code', 'id_token token'], grant_types: ['implicit'] }).problems, [
      { field: 'grant_types', message: 'response_types code, id_token token need the authorization_code grant', rule: 'GR-1' },
    ]);
  });
});
