// #13 item 1: the library's own refusals are tagged with a rule by the executor that backs
// them (libraryMessages), not by a table of their own; first match wins, in a set order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_EXECUTORS, LIBRARY_MESSAGES } from '../../src/policy/executors/index.js';
import { RULE_IDS } from '../../src/policy/rules.js';
import { annotate, annotateGrantError } from '../../src/provider/rule-annotations.js';

describe('rule annotations come from the executors', () => {
  it('every tag is declared by an executor, names a catalogued rule', () => {
    const names = new Set(ALL_EXECUTORS.map((e) => e.name));
    assert.ok(LIBRARY_MESSAGES.length > 0);
    for (const m of LIBRARY_MESSAGES) {
      assert.ok(names.has(m.executor), m.executor);
      assert.ok(RULE_IDS.has(m.rule), `${m.rule} is in src/policy/rules.ts`);
    }
    const declared = ALL_EXECUTORS.flatMap((e) => e.libraryMessages ?? []);
    assert.equal(LIBRARY_MESSAGES.length, declared.length, 'every declared message is used, once');
  });

  it('the executor that owns the concern tags its messages', () => {
    const by = (text: string) => LIBRARY_MESSAGES.find((m) => m.pattern.test(text))?.executor;
    assert.equal(by("missing required parameter 'nonce'"), 'redirect-uris');
    assert.equal(by('redirect_uri did not match any of the client\'s registered redirect_uris'), 'redirect-uris');
    assert.equal(by('refresh token already used'), 'lifetimes');
    assert.equal(by('Pushed Authorization Request must be used'), 'par');
  });

  it('tags the library\'s wording with the rule; order decides a message naming two concerns', () => {
    assert.equal(annotate('Authorization Server policy requires PKCE to be used for this request'), 'Authorization Server policy requires PKCE to be used for this request (GR-8)');
    assert.equal(annotate('response_type not allowed for this client'), 'response_type not allowed for this client (GR-4)');
    assert.equal(annotate('requested grant type is not allowed for this client'), 'requested grant type is not allowed for this client (GR-1)');
    assert.equal(annotate('openid scope must be requested when using the id_token response type'), 'openid scope must be requested when using the id_token response type (OIDC-1)');
    // names response_type too: the openid executor comes first, so OIDC-1, not GR-4
    assert.equal(annotate('openid scope must be requested for this response_type'), 'openid scope must be requested for this response_type (OIDC-1)');
    assert.equal(annotate('client authentication failed'), 'client authentication failed (EP-2)');
    assert.equal(annotate('client is invalid'), 'client is invalid (EP-1)');
    assert.equal(annotate('invalid DPoP key binding'), 'invalid DPoP key binding (EP-2)');
  });

  it('leaves a description that names its rule, or that no executor backs, as it is', () => {
    assert.equal(annotate('state is required (EP-3)'), 'state is required (EP-3)');
    assert.equal(annotate('something else entirely'), 'something else entirely');
  });

  it('invalid_grant: the rule from the hidden detail, without revealing it', () => {
    const ctx = { body: { error: 'invalid_grant', error_description: 'grant request is invalid' } };
    annotateGrantError(ctx, { error_detail: 'authorization code already consumed' });
    assert.deepEqual(ctx.body, { error: 'invalid_grant', error_description: 'grant request is invalid (TOK-1)' });
  });
});
