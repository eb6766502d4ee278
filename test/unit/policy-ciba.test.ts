// EP-9, GR-2, EP-2: what a client registered for CIBA is told at registration and at
// /bc-authorize (src/policy/executors/ciba.ts): the delivery modes served, no user codes,
// and a public client told once that it is public.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profileFor, type ProfileOptions } from '../../src/policy/classification.js';
import { CIBA_GRANT, cibaClientProblems } from '../../src/policy/executors/ciba.js';

const options: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };
const inConfidence = profileFor('IN-CONFIDENCE', options);
const sensitive = profileFor('SENSITIVE', options);
const client = { classification: 'IN-CONFIDENCE', grant_types: [CIBA_GRANT], token_endpoint_auth_method: 'client_secret_post', backchannel_token_delivery_mode: 'poll' };

describe('CIBA registration (executors/ciba.ts)', () => {
  it('EP-9: tokens are delivered by poll or ping; push or no mode is refused, naming the modes served', () => {
    assert.deepEqual(cibaClientProblems(client, inConfidence), []);
    assert.deepEqual(cibaClientProblems({ ...client, backchannel_token_delivery_mode: 'ping' }, inConfidence), []);
    const refused = [{ field: 'backchannel_token_delivery_mode', message: 'must be poll or ping', rule: 'EP-9' }];
    assert.deepEqual(cibaClientProblems({ ...client, backchannel_token_delivery_mode: 'push' }, inConfidence), refused);
    assert.deepEqual(cibaClientProblems({ ...client, backchannel_token_delivery_mode: undefined }, inConfidence), refused);
  });

  it('EP-9: user codes are not offered, so a client asking for them is refused and told why', () => {
    assert.deepEqual(cibaClientProblems({ ...client, backchannel_user_code_parameter: true }, inConfidence), [
      { field: 'backchannel_user_code_parameter', message: 'user codes are not offered; the person signs in on the device', rule: 'EP-9' },
    ]);
    assert.deepEqual(cibaClientProblems({ ...client, backchannel_user_code_parameter: false }, inConfidence), []);
  });

  it('GR-2: a public SENSITIVE CIBA client is told once that it is public, not also which key method to use', () => {
    assert.deepEqual(cibaClientProblems({ ...client, classification: 'SENSITIVE', token_endpoint_auth_method: 'none' }, sensitive), [
      { field: 'token_endpoint_auth_method', message: 'CIBA is for confidential clients only; "none" makes the client public', rule: 'GR-2' },
    ]);
  });

  it('EP-2: a SENSITIVE CIBA client registered without a method (client_secret_basic) is told the key methods', () => {
    const { token_endpoint_auth_method: _, ...noMethod } = { ...client, classification: 'SENSITIVE' };
    assert.deepEqual(cibaClientProblems(noMethod, sensitive), [
      { field: 'token_endpoint_auth_method', message: 'a SENSITIVE CIBA client authenticates with private_key_jwt, tls_client_auth, self_signed_tls_client_auth', rule: 'EP-2' },
    ]);
  });
});
