// EP-11 for the way back after logout (src/policy/executors/redirect-uris.ts): a
// post-logout redirect carries the person over the network like any other redirect, so
// off loopback it is https, and the client is told which URI and what to use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profileFor, type ProfileOptions } from '../../src/policy/classification.js';
import { redirectUris } from '../../src/policy/executors/redirect-uris.js';
import type { ClientCheckContext, ClientFacts } from '../../src/policy/executors/types.js';

const options: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };
const web: ClientFacts = { classification: 'IN-CONFIDENCE', profile: profileFor('IN-CONFIDENCE', options), authMethod: 'client_secret_post', isPublic: false, responseTypes: ['code id_token'], grantTypes: ['authorization_code'], usesAuthorize: true };
const ctx: ClientCheckContext = { options, development: false, signingAlgs: ['PS256'], mtls: { enabled: false, trustedCas: false } };
const meta = (postLogout: string[]) => ({ redirect_uris: ['https://rp.example/cb'], post_logout_redirect_uris: postLogout });

describe('post-logout redirect URIs (executors/redirect-uris.ts)', () => {
  it('EP-11: an http post-logout redirect off loopback is refused at its index, saying https is needed', () => {
    assert.deepEqual(redirectUris.checkClient?.(meta(['https://rp.example/bye', 'http://rp.example/bye']), web, ctx), [
      { field: 'post_logout_redirect_uris[1]', message: 'must use https (http only for loopback addresses)', rule: 'EP-11' },
    ]);
  });

  it('EP-11: loopback http, and any http in development mode, are accepted', () => {
    assert.deepEqual(redirectUris.checkClient?.(meta(['http://127.0.0.1:8080/bye', 'http://localhost/bye']), web, ctx), []);
    assert.deepEqual(redirectUris.checkClient?.(meta(['http://rp.example/bye']), web, { ...ctx, development: true }), []);
  });
});
