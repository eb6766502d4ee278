// What an operator or a registering client reads when a client's metadata breaks its
// profile: the field named is the one to change (EP-2 auth method, TOK-9 response signing).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileOptions } from '../../src/policy/classification.js';
import { applyProfile, checkClient, type ClientMetadata } from '../../src/policy/clients.js';

const options: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };
const ctx = { options, development: false, signingAlgs: ['ES256', 'PS256'], mtls: { enabled: true, trustedCas: true } };

const sensitive: ClientMetadata = {
  client_id: 'records',
  classification: 'SENSITIVE',
  token_endpoint_auth_method: 'private_key_jwt',
  jwks: { keys: [] },
  response_types: ['code id_token'],
  grant_types: ['authorization_code', 'refresh_token'],
  redirect_uris: ['https://rp.example/cb'],
};
const problemsOf = (meta: ClientMetadata) => checkClient(applyProfile(meta, 'SENSITIVE', options), ctx);

describe('client metadata problems name the field to change', () => {
  it('EP-2: an auth method the profile does not allow is reported on token_endpoint_auth_method, with the methods that are', () => {
    const refused = problemsOf({ ...sensitive, token_endpoint_auth_method: 'client_secret_post' }).find((p) => p.rule === 'EP-2');
    assert.equal(refused?.field, 'token_endpoint_auth_method');
    assert.match(refused?.message ?? '', /^"client_secret_post" is not allowed for SENSITIVE; use one of /);
  });

  it('TOK-9: a response-signing algorithm that is not a string is shown as written (JSON), on its field', () => {
    const refused = problemsOf({ ...sensitive, id_token_signed_response_alg: { alg: 'ES256' } }).find((p) => p.rule === 'TOK-9');
    assert.deepEqual(refused, { field: 'id_token_signed_response_alg', message: '"{"alg":"ES256"}" is not an approved signing algorithm here', rule: 'TOK-9' });
  });
});
