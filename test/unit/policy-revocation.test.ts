// EP-4, TOK-6 (src/policy/rules.ts): only the token's own client revokes it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REVOCATION_REFUSED, revocationDecision } from '../../src/policy/revocation.js';

describe('revocation policy (EP-4, TOK-6)', () => {
  it('EP-4: the client the token was issued to revokes it, public or confidential', () => {
    assert.equal(revocationDecision({ callerId: 'web', callerPublic: false, tokenClientId: 'web' }), 'revoke');
    assert.equal(revocationDecision({ callerId: 'spa', callerPublic: true, tokenClientId: 'spa' }), 'revoke');
  });

  it('EP-4: another confidential client is refused', () => {
    assert.equal(revocationDecision({ callerId: 'service', callerPublic: false, tokenClientId: 'web' }), 'refuse');
  });

  it('EP-4: another public client is ignored (answered as a success, nothing revoked), so /revoke is no oracle', () => {
    assert.equal(revocationDecision({ callerId: 'spa', callerPublic: true, tokenClientId: 'web' }), 'ignore');
  });

  it('EP-4: a refused confidential client reads why in error_description, with the rule', () => {
    assert.equal(REVOCATION_REFUSED, 'the token was not issued to this client (EP-4)');
  });

  it('EP-4: a token that names no client is nobody\'s to revoke', () => {
    assert.equal(revocationDecision({ callerId: 'web', callerPublic: false, tokenClientId: undefined }), 'refuse');
  });
});
