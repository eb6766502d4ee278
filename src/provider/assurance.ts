// AUTH-1: levels of assurance in the library. A login check asks for an interaction
// whenever the session has not reached the level the request needs (the client's minimum,
// or what `acr_values` asks); the interaction pages then ask only for what is missing.
// The session's level is worked out from what was done (its `amr`), never taken as given.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/load.js';
import { acrRequestOf, minimumAcr, rankReached, requiredLevel, type Requirement } from '../policy/executors/assurance.js';
import { claimsParameterRefusal } from '../policy/executors/scopes.js';
import { classificationOf, refuse } from './hooks.js';

/** What a request needs, from its parameters and its client's class. */
export function requirementFor(config: Config, client: object | undefined, params: Record<string, unknown>): Requirement {
  const classification = classificationOf(client);
  const minimum = minimumAcr(config.assurance, typeof classification === 'string' ? classification : undefined, config.mode === 'production');
  // An acr in the claims parameter asks like acr_values; an essential one wins over both.
  const fromClaims = acrRequestOf(params.claims);
  const acrValues = typeof params.acr_values === 'string' ? params.acr_values : fromClaims.voluntary?.join(' ');
  return requiredLevel(config.assurance, minimum, { acrValues, essential: fromClaims.essential });
}

/** True when the session's sign-in (its amr) reaches the level. */
export function reaches(config: Config, amr: readonly string[] | undefined, rank: number): boolean {
  // An identity source's sign-in not trusted for acr/amr has amr `fed` (src/accounts/sources/
  // routes.ts), the lowest level; a session from before that has none, and counts the same (AUTH-1).
  const reached = amr?.length ? rankReached(config.assurance, amr) : 0;
  return reached >= rank;
}

function assuranceCheck(config: Config): interactionPolicy.Check {
  return new interactionPolicy.Check('assurance_level', 'the requested level of assurance was not reached', (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    if (!oidc.session?.accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // no_session asks already
    const needed = requirementFor(config, oidc.client, oidc.params as Record<string, unknown>);
    // An unmeetable request goes to the interaction too: the page ends it with unmet_authentication_requirements.
    if (!needed.ok) return interactionPolicy.Check.REQUEST_PROMPT;
    return reaches(config, oidc.session.amr, needed.rank) ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
  });
}

/**
 * The library's default prompts, with the assurance check added to `login`. It replaces the
 * library's essential_acr(s) checks, which want the session's acr to be one named exactly:
 * here levels are ordered, a stronger one meets a request for a weaker one, and a session
 * that cannot change its acr would be sent back to the login page forever.
 */
export function interactionPolicyFor(config: Config): interactionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  login?.checks.remove('essential_acrs');
  login?.checks.remove('essential_acr');
  login?.checks.add(assuranceCheck(config));
  return [...policy];
}

/** OIDC-3: the claims parameter's library hook; only the ID token's acr may be asked. */
export function assertClaimsParameter(_ctx: unknown, claims: { id_token?: unknown; userinfo?: unknown }): void {
  const refusal = claimsParameterRefusal(claims);
  if (refusal) refuse(refusal);
}

/** ID tokens carry acr, amr and auth_time (AUTH-1): the openid scope releases them. */
export function withAssuranceClaims(claims: Record<string, string[]>): Record<string, string[]> {
  return { ...claims, openid: [...new Set([...(claims.openid ?? ['sub']), 'acr', 'amr', 'auth_time'])] };
}
