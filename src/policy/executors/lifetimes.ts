// TOK-1, TOK-3, TOK-4: lifetimes inside the guideline, with caps that hold whatever a
// resource server or a caller asks for.
import type { Problem } from '../../config/errors.js';
import type { Deviation, ParsedConfig } from '../../config/schema.js';
import { deviationFor } from '../deviations.js';
import type { Executor } from './types.js';

export type Lifetimes = ParsedConfig['lifetimes'];

/** TOK-3: an access token lives less than 60 minutes. */
export const ACCESS_TOKEN_CAP = 3599;
/** TOK-4: a refresh-token chain lives at most 24 hours from its first issue. */
export const REFRESH_TOKEN_CAP = 86400;
/** TOK-1: codes are short-lived as well as single-use (RFC 6749 §4.1.2: at most 10 minutes). */
export const AUTHORIZATION_CODE_CAP = 600;
/** EP-8: a pushed request_uri is short-lived (RFC 9126 §2.2: 5 to 600 seconds). */
export const PUSHED_REQUEST_CAP = 600;

/**
 * A declared deviation raises a cap to a ceiling, never removes it (README: Deviations).
 * TOK-3: access tokens at most 24 hours; TOK-4: refresh-token chains at most 30 days.
 */
export const DEVIATION_CEILINGS = { accessToken: 86400, refreshToken: 30 * 86400 } as const;

export interface LifetimeCaps {
  accessToken: number;
  refreshToken: number;
}

/** The caps in force: the guideline's, unless the deployment declared a deviation. */
export function capsFor(lifetimes: Lifetimes, deviations: readonly Deviation[]): LifetimeCaps {
  return {
    accessToken: deviationFor(deviations, 'TOK-3') ? Math.min(lifetimes.accessToken, DEVIATION_CEILINGS.accessToken) : ACCESS_TOKEN_CAP,
    refreshToken: deviationFor(deviations, 'TOK-4') ? Math.min(lifetimes.refreshToken, DEVIATION_CEILINGS.refreshToken) : REFRESH_TOKEN_CAP,
  };
}

/** TOK-3, TOK-4: over the guideline's cap needs a deviation; over the ceiling nothing allows. */
function capProblem(field: 'accessToken' | 'refreshToken', value: number, cap: number, rule: string, deviations: readonly Deviation[]): Problem | undefined {
  if (value > cap && !deviationFor(deviations, rule)) {
    return { field: `lifetimes.${field}`, message: `must be at most ${cap} seconds (is ${value}); or declare a ${rule} deviation`, rule };
  }
  // A deviation raises a cap to its ceiling, never to infinity.
  if (value > DEVIATION_CEILINGS[field]) {
    return { field: `lifetimes.${field}`, message: `must be at most ${DEVIATION_CEILINGS[field]} seconds even with a ${rule} deviation (is ${value})`, rule };
  }
  return undefined;
}

export function checkLifetimes(lifetimes: Lifetimes, deviations: readonly Deviation[]): Problem[] {
  const problems: Problem[] = [];
  for (const p of [
    capProblem('accessToken', lifetimes.accessToken, ACCESS_TOKEN_CAP, 'TOK-3', deviations),
    capProblem('refreshToken', lifetimes.refreshToken, REFRESH_TOKEN_CAP, 'TOK-4', deviations),
  ]) {
    if (p) problems.push(p);
  }
  if (lifetimes.pushedAuthorizationRequest > PUSHED_REQUEST_CAP) {
    problems.push({ field: 'lifetimes.pushedAuthorizationRequest', message: `must be at most ${PUSHED_REQUEST_CAP} seconds (RFC 9126)`, rule: 'EP-8' });
  }
  if (lifetimes.authorizationCode > AUTHORIZATION_CODE_CAP) {
    problems.push({ field: 'lifetimes.authorizationCode', message: `must be at most ${AUTHORIZATION_CODE_CAP} seconds`, rule: 'TOK-1' });
  }
  if (lifetimes.session > lifetimes.grant) {
    problems.push({ field: 'lifetimes.session', message: 'must not outlive lifetimes.grant (the consent it rests on)' });
  }
  return problems;
}

/** TOK-3: the access-token TTL for a request; a resource server's own TTL is capped too. */
export function accessTokenTtl(lifetimes: Lifetimes, caps: LifetimeCaps, resourceServerTtl?: number): number {
  return Math.min(resourceServerTtl ?? lifetimes.accessToken, lifetimes.accessToken, caps.accessToken);
}

/** TOK-4: absolute from the first issue of the rotation chain (`iiat` survives rotation). */
export function refreshTokenTtl(lifetimes: Lifetimes, caps: LifetimeCaps, firstIssuedAt: number | undefined, now: number): number {
  const absolute = Math.min(lifetimes.refreshToken, caps.refreshToken);
  const start = firstIssuedAt ?? now;
  return Math.max(1, start + absolute - now);
}

export const tokenLifetimes: Executor = {
  name: 'lifetimes',
  libraryMessages: [
    { pattern: /authorization code already consumed|grant already used/i, rule: 'TOK-1' },
    { pattern: /refresh token already used/i, rule: 'TOK-4' },
  ],
  report: [
    {
      rule: 'TOK-1',
      mechanism:
        "the store's consume() keeps only the replay-detection fields of a used code (src/storage/records.ts consumedRecord) and refuses a second consume; the library refuses a reused code and revokes its grant (consumeGrantSource); a code lifetime over 600 s stops start-up (src/policy/executors/lifetimes.ts)",
    },
    {
      rule: 'TOK-3',
      mechanism:
        "ttl.AccessToken and ttl.ClientCredentials return min(API's own TTL, lifetimes.accessToken, 3599) (src/policy/executors/lifetimes.ts accessTokenTtl); a larger configured value stops start-up unless a TOK-3 deviation is declared",
    },
    {
      rule: 'TOK-4',
      mechanism:
        'ttl.RefreshToken counts from `iiat`, which survives rotation, and never exceeds the cap (src/policy/executors/lifetimes.ts refreshTokenTtl); rotateRefreshToken is on; a larger configured value stops start-up unless a TOK-4 deviation is declared',
    },
  ],
  checkDeployment: (config) => checkLifetimes(config.lifetimes, config.deviations),
};
