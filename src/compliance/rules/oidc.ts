// OIDC-1 … OIDC-9: identity: the openid scope, ID-token content, claims, consent.
import { BUILD } from '../build.js';
import { countBy, enforcedBy, list, type Assess } from '../context.js';

const SMART_SCOPE = /^(patient|user|system)\/[A-Za-z*]+\.(read|write|\*|c?r?u?d?s?)$/;

export const oidcRules: Record<string, Assess> = {
  'OIDC-1': ({ clients }) => {
    const classified = (c: { classification: string }) => c.classification === 'IN-CONFIDENCE' || c.classification === 'SENSITIVE';
    const machines = countBy(clients, (c) => classified(c) && c.responseTypes.length === 0);
    return {
      status: 'enforced',
      evidence: `IN-CONFIDENCE and SENSITIVE ${countBy(clients, classified)}; of these, client_credentials only (system-to-system, no person): ${machines}`,
      mechanism: enforcedBy('OIDC-1'),
    };
  },

  'OIDC-2': ({ config, provider }) => {
    const evidence = `hybrid (code id_token): c_hash and s_hash (FAPI 1.0 profile for IN-CONFIDENCE/SENSITIVE hybrid requests: features.fapi ${provider.features.fapi ? 'on' : 'OFF'}); code: the ID token comes from /token only, no hash needed`;
    if (!provider.features.fapi) return { status: 'default', evidence, review: 's_hash is not emitted without the FAPI 1.0 profile' };
    if (config.features.implicitForPublic) {
      return { status: 'default', evidence: `${evidence}; id_token token (PUBLIC, features.implicitForPublic): at_hash but no s_hash` };
    }
    return { status: 'enforced', evidence, mechanism: enforcedBy('OIDC-2') };
  },

  'OIDC-3': ({ config, provider, clients }) => {
    const byScope = Object.entries(config.scopes).map(([scope, doc]) => `${scope} → ${doc.claims.length ? doc.claims.join(', ') : 'no claims'}`);
    const { identityClaims, acr } = provider.claimsParameter;
    // Read off the hook itself: open for identity claims would let a client ask past its scopes.
    const parameter = !provider.features.claimsParameter ? 'off' : identityClaims ? 'ON for any claim' : acr ? 'acr only (levels of assurance, AUTH-1; any other claim refused)' : 'refuses every claim';
    return {
      status: identityClaims ? 'default' : 'enforced',
      evidence: `claims per scope: ${byScope.join('; ') || 'none'}; claims parameter ${parameter}; clients limited to registered scopes: ${countBy(clients, (c) => c.scope !== undefined)}`,
      mechanism: enforcedBy('OIDC-3'),
    };
  },

  'OIDC-4': ({ config, provider }) => {
    const front = provider.responseTypes.filter((rt) => rt.split(' ').includes('id_token'));
    return {
      status: front.length ? 'enforced' : 'not applicable',
      evidence: `${front.length ? `front-channel ID tokens (${list(front)}) carry sub and protocol claims only` : 'no response type returns an ID token from /authorize'}${config.resourceServers.some((api) => api.fhir) ? '; SMART fhirUser only in ID tokens from /token (src/provider/accounts.ts), see OIDC-9' : ''}`,
      mechanism: 'findAccount returns only sub for an ID token built at the authorization endpoint, whatever the scopes, claims or resource parameters (src/provider/accounts.ts); conformIdTokenClaims on',
    };
  },

  'OIDC-5': ({ config, provider }) => {
    if (!provider.features.userinfo) return { status: 'not applicable', evidence: '/userinfo is off' };
    const nhi = Object.entries(config.scopes).filter(([, doc]) => doc.claims.includes('nhi')).map(([s]) => s);
    return {
      status: 'default',
      evidence: `/userinfo releases the claims of granted scopes; NHI ${nhi.length ? `through scope ${list(nhi)}` : 'not offered by any scope'}`,
    };
  },

  'OIDC-6': ({ config }) => {
    const apiScopes = config.resourceServers.flatMap((api) => Object.keys(api.scopes));
    return {
      status: 'default',
      evidence: `discovery scopes_supported: openid, offline_access${Object.keys(config.scopes).length ? `, ${Object.keys(config.scopes).join(', ')}` : ''}${apiScopes.length ? ` and the API scopes ${list(apiScopes)}` : ''} (src/provider/discovery.ts); every scope has a plain-language description shown at consent (${Object.keys(config.scopes).length} identity, ${apiScopes.length} API scopes)`,
      ...(BUILD.docsRoute ? {} : { review: 'no /docs page describes the scopes: publish them in the onboarding documentation' }),
    };
  },

  'OIDC-7': ({ config, provider }) => {
    const optional = Object.entries(config.scopes).filter(([, d]) => d.optional).map(([s]) => s);
    return {
      status: provider.features.devInteractions ? 'broken' : 'enforced',
      evidence: `consent page with approve and decline for every scope not yet granted; optional scopes the person may untick: ${list(optional)}; library devInteractions ${provider.features.devInteractions ? 'ON' : 'off'}`,
      mechanism: 'the library prompts for consent whenever a requested scope or API scope is not in the Grant; only the consent form\'s approve creates or extends a Grant (src/interactions/routes.ts, deciding through src/consent/)',
    };
  },

  'OIDC-8': ({ config }) =>
    BUILD.consentLedger
      ? {
          status: 'enforced',
          evidence: `every decision (approve, partial, deny, withdraw) is an append-only ledger record in the ${config.store.type} store, kept for consent.retention = ${config.consent.retention} s`,
          mechanism: enforcedBy('OIDC-8'),
        }
      : {
          status: 'default',
          evidence: `recorded only as the library's Grant (account, client, scopes, claims, API scopes), sealed in the ${config.store.type} store for lifetimes.grant = ${config.lifetimes.grant} s or until revoked`,
          review: 'no separate consent ledger in this build: the time, the wording shown and a decline are not kept, and nothing outlives the Grant',
        },

  'OIDC-9': ({ config }) => {
    const fhir = config.resourceServers.filter((api) => api.fhir);
    const lookalikes = config.resourceServers.filter((api) => !api.fhir && Object.keys(api.scopes).some((s) => SMART_SCOPE.test(s)));
    if (!fhir.length && !lookalikes.length) return { status: 'not applicable', evidence: 'no FHIR API among resourceServers' };
    const scopes = fhir.flatMap((api) => Object.keys(api.scopes).filter((s) => SMART_SCOPE.test(s)));
    const launches = ['standalone (patient: own record; practitioner: patient picker)', ...(config.smart.ehrLaunchers.length ? [`EHR (launchers: ${list(config.smart.ehrLaunchers)})`] : [])];
    const evidence = `FHIR servers: ${list(fhir.map((api) => api.name ?? api.identifier))}; SMART scopes declared: ${list(scopes)}; launches: ${launches.join(', ')}`;
    if (lookalikes.length) {
      return {
        status: 'default',
        evidence: `${evidence}; SMART-looking scopes on APIs not marked fhir: ${list(lookalikes.map((api) => api.name ?? api.identifier))}`,
        review: 'mark each FHIR API with resourceServers[].fhir so that SMART apps can name it with aud and their scopes are checked (config/guides/smart.md)',
      };
    }
    return {
      status: 'enforced',
      evidence,
      mechanism: enforcedBy('OIDC-9'),
      review:
        'fhirUser (scope fhirUser, with openid): a FHIR reference such as Patient/123 is released in the ID token from /token and at /userinfo, never in a front-channel ID token (OIDC-4). It names a record without carrying its content, like sub; an app can resolve it only with a FHIR token the person consented to. It is therefore treated as an identifier, not as PII/PHI needing JWE (TOK-8); a deployment that judges otherwise registers its SMART apps with id_token_encrypted_response_alg.',
    };
  },
};
