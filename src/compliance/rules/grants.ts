// GR-1 … GR-8: clients, response types and grants.
import { CLASSIFICATIONS, PROFILES, type Classification } from '../../policy/classification.js';
import { deviationFor } from '../../policy/deviations.js';
import { countBy, enforcedBy, list, type Assess } from '../context.js';

const NEVER = ['code id_token token', 'code token', 'id_token', 'token'];
const isClassified = (c: { classification: string }) => c.classification === 'IN-CONFIDENCE' || c.classification === 'SENSITIVE';

export const grantRules: Record<string, Assess> = {
  'GR-1': ({ provider }) => {
    const grants = ['authorization_code', 'refresh_token', ...(provider.features.clientCredentials ? ['client_credentials'] : [])];
    return {
      status: 'enforced',
      evidence: `responseTypes offered: ${list(provider.responseTypes)}; grant types: ${list(grants)}, plus implicit only alongside response types that return tokens from /authorize`,
      mechanism: enforcedBy('GR-1'),
    };
  },

  'GR-2': ({ provider, clients }) => {
    const classified = clients.filter(isClassified);
    return {
      status: 'enforced',
      evidence: `IN-CONFIDENCE/SENSITIVE ${countBy(classified)}, public among them: ${classified.filter((c) => c.isPublic).length}; static clients in all: ${countBy(clients)}; auth methods offered: ${list(provider.clientAuthMethods)}`,
      mechanism: enforcedBy('GR-2'),
    };
  },

  'GR-3': ({ clients }) => ({
    status: 'enforced',
    evidence: `public ${countBy(clients, (c) => c.isPublic)}`,
    mechanism: enforcedBy('GR-3'),
  }),

  'GR-4': ({ config, provider, clients }) => {
    const deviation = deviationFor(config.deviations, 'GR-4');
    const publicTypes = config.features.implicitForPublic ? 'code, id_token token (features.implicitForPublic = true)' : 'code';
    const evidence = `offered: ${list(provider.responseTypes)}; PUBLIC: ${publicTypes}; IN-CONFIDENCE/SENSITIVE: code id_token${deviation ? ', code (GR-4 deviation)' : ''}; never offered: ${NEVER.join(', ')}`;
    if (deviation) return { status: 'deviation', evidence, deviation: { setting: deviation.setting, reason: deviation.reason } };
    // Plain OAuth 2 code (no openid) is refused only if every profile requires openid.
    const withoutOpenid = CLASSIFICATIONS.filter((c) => !PROFILES[c].openidRequired);
    const publicReachable = withoutOpenid.length > 0 && (config.features.registration || clients.some((c) => withoutOpenid.includes(c.classification as Classification) && c.responseTypes.includes('code')));
    if (publicReachable) {
      return {
        status: 'broken',
        evidence: `${evidence}; but ${withoutOpenid.join(', ')} clients may use code without openid, which the rule says the provider refuses${config.features.registration ? '; /register is on' : ''}`,
      };
    }
    return {
      status: 'enforced',
      evidence,
      mechanism: enforcedBy('GR-4'),
    };
  },

  'GR-5': ({ clients }) => ({
    status: 'enforced',
    evidence: `no password grant; static clients asking for it: ${clients.filter((c) => c.grantTypes.includes('password')).length}`,
    mechanism: enforcedBy('GR-5'),
  }),

  'GR-6': ({ provider, clients }) => {
    if (!provider.features.clientCredentials) return { status: 'not applicable', evidence: 'client_credentials is off' };
    const cc = (c: { grantTypes: string[] }) => c.grantTypes.includes('client_credentials');
    return {
      status: 'enforced',
      evidence: `client_credentials ${countBy(clients, cc)}, public among them: ${clients.filter((c) => cc(c) && c.isPublic).length}`,
      mechanism: enforcedBy('GR-6'),
      review: 'check that each client_credentials client is a system acting for itself, with no person behind it',
    };
  },

  'GR-7': ({ provider, clients }) => ({
    status: provider.refreshTokenForPublic ? 'broken' : 'enforced',
    evidence: `public ${countBy(clients, (c) => c.isPublic)}, registered for refresh_token: ${clients.filter((c) => c.isPublic && c.grantTypes.includes('refresh_token')).length}; issueRefreshToken for a public client → ${provider.refreshTokenForPublic}`,
    mechanism: enforcedBy('GR-7'),
  }),

  'GR-8': ({ config, provider, clients }) => {
    const sensitive = clients.filter((c) => c.classification === 'SENSITIVE');
    const par = config.features.parForInConfidence ? 'SENSITIVE and IN-CONFIDENCE' : 'SENSITIVE';
    return {
      status: provider.pkceRequired ? 'enforced' : 'broken',
      evidence: `PKCE S256 for every code flow (pkce.required → ${provider.pkceRequired}); PAR required for ${par}; SENSITIVE clients bound to PAR: ${sensitive.filter((c) => c.parRequired).length} of ${sensitive.length}`,
      mechanism: enforcedBy('GR-8'),
    };
  },
};
