// Scope names that are not RFC 6749 scope tokens ("a b") stop start-up, in the file's
// scopes, an API's scopes, and a client's registered scope.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { web } from '../../helpers/clients.js';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

describe('start-up: scope tokens (RFC 6749 §3.3)', () => {
  it('a scope named "a b" is refused', async () => {
    const verdict = await startupVerdict(productionRaw({ scopes: { 'a b': { description: 'two words' } } }));
    assert.deepEqual(verdict.problems.map((p) => p.field), ['scopes.a b']);
    assert.match(verdict.text, /scope token/);
  });

  it('an API scope with a quote is refused', async () => {
    const verdict = await startupVerdict(productionRaw({ resourceServers: [{ identifier: 'https://api.example/x', classification: 'PUBLIC', scopes: { 'read"all': 'x' } }] }));
    assert.deepEqual(verdict.problems.map((p) => p.field), ['resourceServers[0].scopes.read"all']);
  });

  it('OIDC-6: a client scope listing an unknown scope is refused', async () => {
    const verdict = await startupVerdict(productionRaw({ clients: [{ ...web.metadata, scope: 'openid nope' }] }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['clients[0].scope', 'OIDC-6']]);
  });
});
