// EP-10 at registration (src/policy/executors/resources.ts): `allowed_resources` lists API
// identifiers of this deployment, and a client told otherwise learns which ones exist.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceServerConfig } from '../../src/config/schema.js';
import { profileFor, type ProfileOptions } from '../../src/policy/classification.js';
import { resources } from '../../src/policy/executors/resources.js';
import type { ClientCheckContext, ClientFacts } from '../../src/policy/executors/types.js';

const options: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };
const client: ClientFacts = { classification: 'IN-CONFIDENCE', profile: profileFor('IN-CONFIDENCE', options), authMethod: 'client_secret_post', isPublic: false, responseTypes: [], grantTypes: ['client_credentials'], usesAuthorize: false };
const ctx: ClientCheckContext = { options, development: false, signingAlgs: ['PS256'], mtls: { enabled: false, trustedCas: false }, resources: ['https://api.example/a', 'https://api.example/b'] };
const check = (allowed: unknown, context: ClientCheckContext = ctx) => resources.checkClient?.({ allowed_resources: allowed }, client, context);

describe('EP-10: allowed_resources at registration (executors/resources.ts)', () => {
  it('EP-10: a list of this deployment\'s API identifiers passes, and no list means no limit', () => {
    assert.deepEqual(check(['https://api.example/b']), []);
    assert.deepEqual(check([]), []);
    assert.deepEqual(resources.checkClient?.({}, client, ctx), []);
  });

  it('EP-10: an unknown identifier, a non-string or a non-list is refused, naming the APIs there are', () => {
    const refused = [{ field: 'allowed_resources', message: 'must list API identifiers of this deployment: https://api.example/a, https://api.example/b', rule: 'EP-10' }];
    assert.deepEqual(check(['https://api.example/a', 'https://api.example/z']), refused);
    assert.deepEqual(check(['https://api.example/a', 7]), refused);
    assert.deepEqual(check('https://api.example/a'), refused);
  });

  it('EP-10: without the deployment\'s list, any list of strings passes and the message names none', () => {
    const noList = { ...ctx, resources: undefined };
    assert.deepEqual(check(['https://anything.example/'], noList), []);
    assert.deepEqual(check([7], noList), [{ field: 'allowed_resources', message: 'must list API identifiers of this deployment', rule: 'EP-10' }]);
  });
});

describe('GR-2, GR-3: a token for an API above the client\'s class', () => {
  it('GR-2, GR-3: is refused with invalid_target, naming the API\'s class and the rule', () => {
    const api: ResourceServerConfig = { identifier: 'https://api.example/a', classification: 'SENSITIVE', scopes: {}, personScopes: [], accessTokenFormat: 'jwt' };
    const facts = (classification: string) => ({ grantType: 'authorization_code', scopes: [], client: { classification, allowedResources: undefined }, resource: { indicator: api.identifier, api } });
    const ctx = { identityScopes: new Set<string>(), personApiScopes: new Set<string>() };
    assert.deepEqual(resources.tokenRequest?.(facts('IN-CONFIDENCE'), ctx), { error: 'invalid_target', description: 'this client may not obtain tokens for a SENSITIVE API (GR-2)' });
    assert.deepEqual(resources.tokenRequest?.(facts('PUBLIC'), ctx), { error: 'invalid_target', description: 'this client may not obtain tokens for a SENSITIVE API (GR-3)' });
  });
});
