// GR-6 at the token endpoint (src/policy/executors/client-credentials.ts): client_credentials
// acts for no person, so it is refused every scope that identifies or acts for one, and the
// client is told each scope it cannot have.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkClientCredentialsScopes, needsPerson, personScopeContext } from '../../src/policy/executors/client-credentials.js';

const ctx = personScopeContext(['profile'], []);

describe('GR-6: scopes client_credentials cannot grant (executors/client-credentials.ts)', () => {
  it('GR-6: SMART online_access, like offline_access, keeps a person\'s sign-in and is refused', () => {
    assert.equal(needsPerson('online_access', ctx), true);
    assert.equal(checkClientCredentialsScopes(['online_access'], ctx)?.error, 'invalid_scope');
  });

  it('GR-6: only a scope that starts with patient/, user/ or launch/ is a SMART person scope; an API scope that merely contains one is not', () => {
    assert.equal(needsPerson('directory.user/read', ctx), false);
    assert.equal(needsPerson('records.patient/export', ctx), false);
    assert.equal(checkClientCredentialsScopes(['directory.user/read'], ctx), undefined);
  });

  it('GR-6: every refused scope is named, separately, with what to ask for instead', () => {
    assert.deepEqual(checkClientCredentialsScopes(['openid', 'system/Observation.rs', 'patient/Observation.rs'], ctx), {
      error: 'invalid_scope',
      description: 'client_credentials acts for no person, so it cannot grant openid patient/Observation.rs; ask for system/… or other API scopes, or sign the person in (GR-6)',
    });
  });
});
