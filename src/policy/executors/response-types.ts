// GR-4 and GR-1: the response types a class may use, and the grant types that go with them.
// Start-up and registration: fill in the profile's response types, refuse others and any
// grant/response-type mismatch (the library would reconcile them silently). The provider
// offers the union of the profiles (responseTypes). Authorization request: the backstop.
import type { Problem } from '../../config/errors.js';
import type { Executor } from './types.js';

export const responseTypes: Executor = {
  name: 'response-types',
  report: [
    { rule: 'GR-1', mechanism: 'responseTypes is set from the profiles (offeredResponseTypes); registration refuses unknown grants and any grant/response-type mismatch instead of letting the library reconcile them (src/policy/executors/response-types.ts, src/policy/executors/grants.ts)' },
    { rule: 'GR-4', mechanism: 'responseTypes offers only these; registration and each request are checked against the profile, and every profile requires openid, so plain OAuth 2 code is refused (src/policy/executors/response-types.ts, src/policy/executors/openid.ts)' },
  ],
  fillIn(meta, profile) {
    const out = { ...meta };
    if (!Array.isArray(out.response_types)) {
      const grants = Array.isArray(out.grant_types) ? (out.grant_types as unknown[]) : ['authorization_code'];
      out.response_types = grants.includes('authorization_code') ? [...profile.responseTypes] : [];
    }
    if (!Array.isArray(out.grant_types)) {
      out.grant_types = (out.response_types as string[]).some((rt) => rt.includes('code')) ? ['authorization_code'] : ['implicit'];
    }
    return out;
  },
  checkClient(_meta, { classification, profile, responseTypes: types, grantTypes }) {
    const problems: Problem[] = [];
    for (const rt of types) {
      if (!profile.responseTypes.includes(rt)) {
        problems.push({ field: 'response_types', message: `"${rt}" is not allowed for ${classification}; allowed: ${profile.responseTypes.join(', ') || 'none'}`, rule: 'GR-4' });
      }
    }
    const add = (message: string) => problems.push({ field: 'grant_types', message, rule: 'GR-1' });
    const needsCode = types.some((rt) => rt.split(' ').includes('code'));
    const needsImplicit = types.some((rt) => !rt.split(' ').includes('code') && rt !== 'none');
    if (needsCode && !grantTypes.includes('authorization_code')) add(`response_types ${types.join(', ')} need the authorization_code grant`);
    if (needsImplicit && !grantTypes.includes('implicit')) add('response type "id_token token" needs the implicit grant');
    // Hybrid responses count as implicit in OpenID Connect Registration; nothing else does.
    const frontChannelTokens = types.some((rt) => rt.split(' ').some((w) => w === 'id_token' || w === 'token'));
    if (grantTypes.includes('implicit') && !frontChannelTokens) add('the implicit grant goes only with response types that return tokens from /authorize');
    return problems;
  },
  // Backstop: the library refuses a response type outside the client's registration first.
  authorizationRequest(profile, facts) {
    const rt = facts.responseType ?? '';
    if (profile.responseTypes.includes(rt)) return undefined;
    return { error: 'unsupported_response_type', description: `response_type "${rt}" is not allowed for this client (GR-4)` };
  },
};
