// The classification profiles (DESIGN.md) and the deployment switches that change them,
// each switch both ways; the approved algorithms with the RSA opt-in; the client-assertion
// lifetime; which APIs a client may reach.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APPROVED_SIGNING, enabledSigningAlgs, isSigningAlgAllowed } from '../../src/policy/algorithms.js';
import { CLASSIFICATIONS, isClassification, offeredResponseTypes, PROFILES, profileFor, rank, type ProfileOptions } from '../../src/policy/classification.js';
import { checkClientAssertionLifetime, CLIENT_ASSERTION_MAX_LIFETIME } from '../../src/policy/executors/client-auth.js';
import { deviationFor } from '../../src/policy/deviations.js';
import { findResourceServer, mayReach } from '../../src/policy/executors/resources.js';
import { isMandatory, RULE_IDS, RULES } from '../../src/policy/rules.js';
import { claimsByScope } from '../../src/policy/scopes.js';
import type { ResourceServerConfig } from '../../src/config/schema.js';

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
const off: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };
const CONFIDENTIAL = ['client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'];
const ASYMMETRIC = ['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'];

describe('classification profiles', () => {
  it('EP-2, GR-2: allowed client authentication per class: PUBLIC adds none; IN-CONFIDENCE any confidential; SENSITIVE keys only', () => {
    assert.deepEqual([...PROFILES.PUBLIC.authMethods], ['none', ...CONFIDENTIAL]);
    assert.deepEqual([...PROFILES['IN-CONFIDENCE'].authMethods], CONFIDENTIAL);
    assert.deepEqual([...PROFILES.SENSITIVE.authMethods], ASYMMETRIC);
    assert.deepEqual(
      CLASSIFICATIONS.map((c) => PROFILES[c].publicClientsAllowed),
      [true, false, false],
    );
  });

  it('GR-6: client_credentials auth per class: SENSITIVE needs an asymmetric method', () => {
    assert.deepEqual([...PROFILES.PUBLIC.clientCredentialsAuthMethods], CONFIDENTIAL);
    assert.deepEqual([...PROFILES['IN-CONFIDENCE'].clientCredentialsAuthMethods], CONFIDENTIAL);
    assert.deepEqual([...PROFILES.SENSITIVE.clientCredentialsAuthMethods], ASYMMETRIC);
  });

  it('GR-4, OIDC-1, GR-8, EP-2: response types, openid, PAR and sender constraint per class, with every switch off', () => {
    const summary = CLASSIFICATIONS.map((c) => {
      const p = profileFor(c, off);
      return [c, [...p.responseTypes], p.openidRequired, p.par, p.senderConstrained];
    });
    assert.deepEqual(summary, [
      ['PUBLIC', ['code'], true, 'optional', 'optional'],
      ['IN-CONFIDENCE', ['code id_token'], true, 'optional', 'optional'],
      ['SENSITIVE', ['code id_token'], true, 'required', 'required'],
    ]);
  });

  it('GR-4: implicitForPublic adds id_token token for PUBLIC only, and only when on', () => {
    const on = { ...off, implicitForPublic: true };
    assert.deepEqual([...profileFor('PUBLIC', on).responseTypes], ['code', 'id_token token']);
    assert.deepEqual([...profileFor('PUBLIC', off).responseTypes], ['code']);
    assert.deepEqual([...profileFor('IN-CONFIDENCE', on).responseTypes], ['code id_token']);
    assert.deepEqual([...profileFor('SENSITIVE', on).responseTypes], ['code id_token']);
  });

  it('GR-4 deviation: codeForConfidential adds plain code for IN-CONFIDENCE and SENSITIVE, and only when on', () => {
    const on = { ...off, codeForConfidential: true };
    assert.deepEqual([...profileFor('IN-CONFIDENCE', on).responseTypes], ['code id_token', 'code']);
    assert.deepEqual([...profileFor('SENSITIVE', on).responseTypes], ['code id_token', 'code']);
    assert.deepEqual([...profileFor('PUBLIC', on).responseTypes], ['code']);
    assert.deepEqual([...profileFor('IN-CONFIDENCE', off).responseTypes], ['code id_token']);
  });

  it('GR-8: parForInConfidence makes PAR required for IN-CONFIDENCE when on, optional when off; never relaxes SENSITIVE or touches PUBLIC', () => {
    const on = { ...off, parForInConfidence: true };
    assert.equal(profileFor('IN-CONFIDENCE', on).par, 'required');
    assert.equal(profileFor('IN-CONFIDENCE', off).par, 'optional');
    assert.equal(profileFor('PUBLIC', on).par, 'optional');
    assert.equal(profileFor('SENSITIVE', off).par, 'required');
    // the other switch does not turn this one on
    assert.equal(profileFor('IN-CONFIDENCE', { ...off, senderConstrainedInConfidence: true }).par, 'optional');
  });

  it('EP-2: senderConstrainedInConfidence makes binding required for IN-CONFIDENCE when on, optional when off; never relaxes SENSITIVE or touches PUBLIC', () => {
    const on = { ...off, senderConstrainedInConfidence: true };
    assert.equal(profileFor('IN-CONFIDENCE', on).senderConstrained, 'required');
    assert.equal(profileFor('IN-CONFIDENCE', off).senderConstrained, 'optional');
    assert.equal(profileFor('PUBLIC', on).senderConstrained, 'optional');
    assert.equal(profileFor('SENSITIVE', off).senderConstrained, 'required');
    assert.equal(profileFor('IN-CONFIDENCE', { ...off, parForInConfidence: true }).senderConstrained, 'optional');
  });

  it('GR-1, GR-4: the provider offers the union of the profiles\' response types, each once', () => {
    assert.deepEqual(offeredResponseTypes(off), ['code', 'code id_token']);
    assert.deepEqual(offeredResponseTypes({ ...off, implicitForPublic: true, codeForConfidential: true }), ['code', 'id_token token', 'code id_token']);
  });

  it('GR-2, GR-3: classifications are the three names only, ranked PUBLIC < IN-CONFIDENCE < SENSITIVE', () => {
    for (const c of CLASSIFICATIONS) assert.ok(isClassification(c));
    for (const v of ['public', 'SECRET', '', undefined, 1, ['PUBLIC']]) assert.equal(isClassification(v), false, String(v));
    assert.ok(rank('PUBLIC') < rank('IN-CONFIDENCE') && rank('IN-CONFIDENCE') < rank('SENSITIVE'));
  });
});

describe('which APIs a client may reach (GR-2, GR-3)', () => {
  const api = (identifier: string, classification: ResourceServerConfig['classification']) => ({ identifier, classification }) as ResourceServerConfig;
  it('GR-2, GR-3: a client reaches APIs of its own class and below, never above; an unclassified client none', () => {
    const table = CLASSIFICATIONS.map((client) => CLASSIFICATIONS.map((target) => mayReach(client, api('x', target))));
    assert.deepEqual(table, [
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
    assert.equal(mayReach(undefined, api('x', 'PUBLIC')), false);
  });

  it('a resource indicator finds its API by exact identifier', () => {
    const servers = [api('https://a.example/', 'PUBLIC'), api('https://b.example/', 'SENSITIVE')];
    assert.equal(findResourceServer(servers, 'https://b.example/')?.classification, 'SENSITIVE');
    assert.equal(findResourceServer(servers, 'https://b.example'), undefined);
  });
});

describe('approved signing algorithms (TOK-9)', () => {
  it('TOK-9: the approved algorithms are allowed without any opt-in', () => {
    for (const alg of APPROVED_SIGNING) assert.ok(isSigningAlgAllowed(alg, []), alg);
  });

  it('TOK-9: RSASSA-PKCS1-v1_5 (RS256/384/512) is allowed only when the deployment opts in to that algorithm', () => {
    for (const alg of ['RS256', 'RS384', 'RS512']) {
      assert.equal(isSigningAlgAllowed(alg, []), false, `${alg} without opt-in`);
      assert.equal(isSigningAlgAllowed(alg, ['ES256']), false, `${alg} with only others configured`);
      assert.equal(isSigningAlgAllowed(alg, [alg]), true, `${alg} opted in`);
    }
    assert.equal(isSigningAlgAllowed('RS384', ['RS256']), false, 'opting in to one does not opt in to all');
  });

  it('TOK-9: none, HMAC and unknown algorithms are never allowed, even if listed', () => {
    for (const alg of ['none', 'HS256', 'HS512', 'RSA1_5', '']) assert.equal(isSigningAlgAllowed(alg, [alg]), false, alg);
  });

  it('TOK-9: the enabled signing algorithms are the configured ones that are allowed, in order', () => {
    assert.deepEqual(enabledSigningAlgs(['ES256', 'RS256', 'HS256', 'PS256', 'none']), ['ES256', 'RS256', 'PS256']);
    assert.deepEqual(enabledSigningAlgs(['ES256']), ['ES256']);
  });
});

describe('client assertion lifetime (EP-2)', () => {
  const now = 1_800_000_000;
  it('EP-2: an assertion expiring in exactly 5 minutes passes; one second more is refused, naming the rule', () => {
    assert.equal(CLIENT_ASSERTION_MAX_LIFETIME, 300);
    assert.equal(checkClientAssertionLifetime({ exp: now + 300 }, now), undefined);
    assert.equal(checkClientAssertionLifetime({ exp: now + 301 }, now), 'the client assertion must expire within 300 seconds (EP-2)');
    assert.equal(checkClientAssertionLifetime({ exp: now + 1, iat: now }, now), undefined);
  });

  it('EP-2: an assertion without a numeric exp is refused', () => {
    for (const exp of [undefined, String(now + 60), null]) {
      assert.equal(checkClientAssertionLifetime({ exp }, now), 'the client assertion must have a numeric exp (EP-2)');
    }
  });
});

describe('rules, deviations and scopes', () => {
  it('the rule catalogue: TOK-1..10, EP-1..11, OIDC-1..9, GR-1..8, each with a level of the guideline and its text', () => {
    // The guideline's 38, then AUTH-1: the project's own rule for levels of assurance (issue 16).
    const expected = [...range('TOK', 10), ...range('EP', 11), ...range('OIDC', 9), ...range('GR', 8), 'AUTH-1'];
    assert.deepEqual(RULES.map((r) => r.id), expected);
    for (const rule of RULES) {
      assert.ok(['MUST', 'MUST NOT', 'SHOULD', 'SHOULD NOT', 'MAY', '—'].includes(rule.level), `${rule.id} level`);
      assert.ok(rule.text.length > 20, `${rule.id} has its text`);
    }
  });

  it('the MUSTs that no deviation may waive are exactly the guideline\'s', () => {
    assert.deepEqual(
      RULES.filter((r) => isMandatory(r.id)).map((r) => r.id),
      ['TOK-1', 'TOK-2', 'TOK-5', 'TOK-6', 'TOK-8', 'TOK-9', 'EP-1', 'EP-3', 'EP-4', 'EP-7', 'EP-10', 'EP-11', 'OIDC-1', 'OIDC-3', 'OIDC-4', 'OIDC-7', 'OIDC-8', 'GR-1', 'GR-2', 'GR-5', 'GR-8'],
    );
  });

  it('a MUST or MUST NOT cannot be waived; a SHOULD, MAY or unlevelled rule can; an unknown id is not mandatory', () => {
    assert.equal(isMandatory('TOK-1'), true);
    assert.equal(isMandatory('GR-5'), true, 'MUST NOT');
    assert.equal(isMandatory('TOK-3'), false, 'SHOULD');
    assert.equal(isMandatory('GR-7'), false, 'SHOULD NOT');
    assert.equal(isMandatory('EP-8'), false, 'MAY');
    assert.equal(isMandatory('GR-4'), false, 'no level');
    assert.equal(isMandatory('XX-1'), false);
    assert.equal(RULE_IDS.size, RULES.length, 'rule ids are unique');
    assert.ok(RULE_IDS.has('TOK-1') && RULE_IDS.has('GR-8'));
  });

  it('a deviation is found by its rule only', () => {
    const deviations = [{ rule: 'TOK-3', setting: 'lifetimes.accessToken', reason: 'r' }];
    assert.equal(deviationFor(deviations, 'TOK-3'), deviations[0]);
    assert.equal(deviationFor(deviations, 'TOK-4'), undefined);
  });

  it('OIDC-3, OIDC-6: openid releases only sub; each scope its documented claims', () => {
    assert.deepEqual(claimsByScope({ scopes: { profile: { description: 'Your profile', claims: ['name', 'birthdate'], optional: false } }, resourceServers: [] }), { openid: ['sub'], profile: ['name', 'birthdate'] });
  });
});
