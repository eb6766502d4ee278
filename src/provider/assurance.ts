// AUTH-1: levels of assurance in the library. A login check asks for an interaction
// whenever the session has not reached the level the request needs (the client's minimum,
// or what `acr_values` asks); the interaction pages then ask only for what is missing.
// The session's level is worked out from what was done (its `amr`), never taken as given.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/load.js';
import { minimumAcr, rankReached, requiredLevel, type Requirement } from '../policy/executors/assurance.js';
import { classificationOf } from './hooks.js';

/** What a request needs, from its parameters and its client's class. */
export function requirementFor(config: Config, client: object | undefined, params: Record<string, unknown>): Requirement {
  const classification = classificationOf(client);
  const minimum = minimumAcr(config.assurance, typeof classification === 'string' ? classification : undefined, config.mode === 'production');
  const acrValues = typeof params.acr_values === 'string' ? params.acr_values : undefined;
  return requiredLevel(config.assurance, minimum, { acrValues });
}

/** True when the session's sign-in (its amr) reaches the level. */
export function reaches(config: Config, amr: readonly string[] | undefined, rank: number): boolean {
  // A sign-in whose methods we were not told (an upstream source not trusted for acr/amr,
  // src/accounts/sources/) counts as the lowest level offered, never more (AUTH-1).
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

/** The library's default prompts, with the assurance check added to `login`. */
export function interactionPolicyFor(config: Config): interactionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  policy.get('login')?.checks.add(assuranceCheck(config));
  return [...policy];
}

/** ID tokens carry acr, amr and auth_time (AUTH-1): the openid scope releases them. */
export function withAssuranceClaims(claims: Record<string, string[]>): Record<string, string[]> {
  return { ...claims, openid: [...new Set([...(claims.openid ?? ['sub']), 'acr', 'amr', 'auth_time'])] };
}
