// What an initial access token lets a self-registration be (src/policy/registration.ts):
// the classification ceiling (GR-2, EP-10) at the ceiling and one class past it, the scopes
// and APIs it lists, an RFC 7592 update that would raise the class, and the policy names the
// allowance travels as (the library keeps nothing else on the token).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALLOWANCE, allowanceOf, allowancePolicies, allowancePolicyNames, checkAllowance, checkNoRaise, registrationDefaults } from '../../src/policy/registration.js';

const options = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };

describe('EP-10: the allowance as policy names', () => {
  it('EP-10: an allowance is the checking policy, its ceiling, then its scopes and APIs, each prefixed', () => {
    assert.equal(ALLOWANCE, 'allowance');
    assert.deepEqual(allowancePolicies({ maxClassification: 'IN-CONFIDENCE', scopes: ['openid', 'b.read'], apis: ['https://api.test/b'] }), [
      'allowance',
      'classification:IN-CONFIDENCE',
      'scope:openid',
      'scope:b.read',
      'api:https://api.test/b',
    ]);
    assert.deepEqual(allowancePolicies({ maxClassification: 'PUBLIC' }), ['allowance', 'classification:PUBLIC']);
  });

  it('EP-10: the names a deployment accepts are every class, and each of its scopes and APIs', () => {
    assert.deepEqual(allowancePolicyNames(['openid'], ['https://api.test/b']), [
      'allowance',
      'classification:PUBLIC',
      'classification:IN-CONFIDENCE',
      'classification:SENSITIVE',
      'scope:openid',
      'api:https://api.test/b',
    ]);
  });

  it('EP-10: names are read back into the allowance; a list without scopes or APIs has no such limit', () => {
    assert.deepEqual(allowanceOf(['allowance', 'classification:SENSITIVE', 'scope:openid', 'api:https://api.test/b']), {
      maxClassification: 'SENSITIVE',
      scopes: ['openid'],
      apis: ['https://api.test/b'],
    });
    const bare = allowanceOf(['allowance', 'classification:PUBLIC']);
    assert.deepEqual(bare, { maxClassification: 'PUBLIC' });
    assert.ok(bare && !('scopes' in bare) && !('apis' in bare), 'absent, not an empty list that would allow nothing');
  });

  it('EP-10: no allowance without the checking policy, without a ceiling, or with a ceiling that is no class', () => {
    assert.equal(allowanceOf(undefined), undefined);
    assert.equal(allowanceOf(['classification:PUBLIC']), undefined);
    assert.equal(allowanceOf(['allowance']), undefined);
    assert.equal(allowanceOf(['allowance', 'classification:SECRET']), undefined);
    assert.equal(allowanceOf(['allowance', 'x-classification:PUBLIC']), undefined, 'a name must start with the prefix');
  });
});

describe('GR-2, EP-10: a registration against its token', () => {
  it('EP-10: a token without a ceiling registers nothing, and says how to get one', () => {
    assert.deepEqual(checkAllowance({ classification: 'PUBLIC' }, undefined), {
      field: 'classification',
      message: 'this initial access token sets no classification ceiling; ask the operator for one made with `npm run registration-token -- --classification …`',
      rule: 'EP-10',
    });
  });

  it('GR-2, EP-10: a registration at the ceiling or below passes; one class above is refused, naming both', () => {
    const inConfidence = { maxClassification: 'IN-CONFIDENCE' } as const;
    assert.equal(checkAllowance({ classification: 'IN-CONFIDENCE' }, inConfidence), undefined);
    assert.equal(checkAllowance({ classification: 'PUBLIC' }, inConfidence), undefined);
    assert.deepEqual(checkAllowance({ classification: 'SENSITIVE' }, inConfidence), {
      field: 'classification',
      message: 'this token allows registration up to IN-CONFIDENCE; a SENSITIVE client needs a token the operator made for that class',
      rule: 'GR-2, EP-10',
    });
    assert.equal(checkAllowance({ classification: 'IN-CONFIDENCE' }, { maxClassification: 'PUBLIC' })?.rule, 'GR-2, EP-10');
    assert.equal(checkAllowance({ classification: 'SENSITIVE' }, { maxClassification: 'SENSITIVE' }), undefined);
  });

  it('EP-10: scopes the token lists pass; any other is refused by name with what is allowed', () => {
    const allowance = { maxClassification: 'PUBLIC', scopes: ['openid', 'b.read'] } as const;
    assert.equal(checkAllowance({ classification: 'PUBLIC', scope: 'openid  b.read' }, allowance), undefined);
    assert.equal(checkAllowance({ classification: 'PUBLIC' }, allowance), undefined, 'no scope asked: the defaults fill it in');
    assert.deepEqual(checkAllowance({ classification: 'PUBLIC', scope: 'openid b.write c.admin' }, allowance), {
      field: 'scope',
      message: 'not allowed by this token: b.write c.admin (allowed: openid b.read)',
      rule: 'EP-10',
    });
  });

  it('EP-10: APIs the token lists pass; another, or one that is no string, is refused by name with what is allowed', () => {
    const allowance = { maxClassification: 'PUBLIC', apis: ['https://api.test/a', 'https://api.test/b'] } as const;
    assert.equal(checkAllowance({ classification: 'PUBLIC', allowed_resources: ['https://api.test/b'] }, allowance), undefined);
    assert.equal(checkAllowance({ classification: 'PUBLIC', allowed_resources: 'https://api.test/c' }, allowance), undefined, 'not a list: nothing asked (the metadata check refuses the shape)');
    assert.deepEqual(checkAllowance({ classification: 'PUBLIC', allowed_resources: ['https://api.test/a', 'https://api.test/c', 7] }, allowance), {
      field: 'allowed_resources',
      message: 'not allowed by this token: https://api.test/c 7 (allowed: https://api.test/a https://api.test/b)',
      rule: 'EP-10',
    });
  });

  it('EP-10: a token that lists no scopes or no APIs limits only the class: any scope and API list passes', () => {
    const classOnly = { maxClassification: 'IN-CONFIDENCE' } as const;
    const meta = { classification: 'IN-CONFIDENCE', scope: 'openid b.read c.admin', allowed_resources: ['https://api.test/a', 'https://api.test/z'] };
    assert.equal(checkAllowance(meta, classOnly), undefined);
    assert.equal(checkAllowance(meta, { ...classOnly, scopes: ['openid', 'b.read', 'c.admin'] }), undefined, 'scopes listed, APIs not');
    assert.equal(checkAllowance(meta, { ...classOnly, apis: ['https://api.test/a', 'https://api.test/z'] }), undefined, 'APIs listed, scopes not');
  });

  it('GR-2, EP-10: an update keeps or lowers the class; raising it by one is refused, naming both', () => {
    assert.equal(checkNoRaise('IN-CONFIDENCE', 'IN-CONFIDENCE'), undefined);
    assert.equal(checkNoRaise('IN-CONFIDENCE', 'PUBLIC'), undefined);
    assert.deepEqual(checkNoRaise('IN-CONFIDENCE', 'SENSITIVE'), {
      field: 'classification',
      message: 'a IN-CONFIDENCE client cannot make itself SENSITIVE; register again with a token the operator made for SENSITIVE',
      rule: 'GR-2, EP-10',
    });
    assert.equal(checkNoRaise('PUBLIC', 'IN-CONFIDENCE')?.rule, 'GR-2, EP-10');
    assert.equal(checkNoRaise(undefined, 'SENSITIVE'), undefined, 'no class before: the ceiling check decides');
    assert.equal(checkNoRaise('PUBLIC', 'TOP'), undefined, 'no class after: the profile check refuses it');
  });
});

describe('EP-10: what a self-registration gets set for it', () => {
  it('EP-10: the token\'s scopes fill an absent scope; a given one is kept for the check', () => {
    const allowance = { maxClassification: 'PUBLIC', scopes: ['openid', 'b.read'], apis: ['https://api.test/a'] } as const;
    assert.equal(registrationDefaults({ classification: 'PUBLIC' }, allowance, options).scope, 'openid b.read');
    const given = registrationDefaults({ classification: 'PUBLIC', scope: 'openid', allowed_resources: ['https://api.test/z'] }, allowance, options);
    assert.equal(given.scope, 'openid');
    assert.deepEqual(given.allowed_resources, ['https://api.test/z']);
    assert.equal(registrationDefaults({ classification: 'PUBLIC' }, { maxClassification: 'PUBLIC' }, options).scope, undefined);
  });

  it('the registration is copied, never changed in place, and an unclassified one gets no profile defaults', () => {
    const meta = { classification: 'SENSITIVE', token_endpoint_auth_method: 'private_key_jwt', client_name: 'x' };
    const out = registrationDefaults(meta, { maxClassification: 'SENSITIVE', scopes: ['openid'] }, options);
    assert.equal(out.client_name, 'x');
    assert.equal(out.require_pushed_authorization_requests, true);
    assert.deepEqual(meta, { classification: 'SENSITIVE', token_endpoint_auth_method: 'private_key_jwt', client_name: 'x' });
    assert.deepEqual(registrationDefaults({ token_endpoint_auth_method: 'private_key_jwt' }, undefined, options), { token_endpoint_auth_method: 'private_key_jwt' });
  });
});
