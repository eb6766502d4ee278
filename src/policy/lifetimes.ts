// TOK-1, TOK-3, TOK-4: lifetimes inside the guideline, with caps that hold whatever a
// resource server or a caller asks for.
import type { Problem } from '../config/errors.js';
import type { Deviation, ParsedConfig } from '../config/schema.js';
import { deviationFor } from './deviations.js';

export type Lifetimes = ParsedConfig['lifetimes'];

/** TOK-3: an access token lives less than 60 minutes. */
export const ACCESS_TOKEN_CAP = 3599;
/** TOK-4: a refresh-token chain lives at most 24 hours from its first issue. */
export const REFRESH_TOKEN_CAP = 86400;
/** TOK-1: codes are short-lived as well as single-use (RFC 6749 §4.1.2: at most 10 minutes). */
export const AUTHORIZATION_CODE_CAP = 600;

export interface LifetimeCaps {
  accessToken: number;
  refreshToken: number;
}

/** The caps in force: the guideline's, unless the deployment declared a deviation. */
export function capsFor(lifetimes: Lifetimes, deviations: readonly Deviation[]): LifetimeCaps {
  return {
    accessToken: deviationFor(deviations, 'TOK-3') ? lifetimes.accessToken : ACCESS_TOKEN_CAP,
    refreshToken: deviationFor(deviations, 'TOK-4') ? lifetimes.refreshToken : REFRESH_TOKEN_CAP,
  };
}

export function checkLifetimes(lifetimes: Lifetimes, deviations: readonly Deviation[]): Problem[] {
  const problems: Problem[] = [];
  if (lifetimes.accessToken > ACCESS_TOKEN_CAP && !deviationFor(deviations, 'TOK-3')) {
    problems.push({ field: 'lifetimes.accessToken', message: `must be under 3600 seconds (is ${lifetimes.accessToken}); or declare a TOK-3 deviation`, rule: 'TOK-3' });
  }
  if (lifetimes.refreshToken > REFRESH_TOKEN_CAP && !deviationFor(deviations, 'TOK-4')) {
    problems.push({ field: 'lifetimes.refreshToken', message: `must be at most 86400 seconds (is ${lifetimes.refreshToken}); or declare a TOK-4 deviation`, rule: 'TOK-4' });
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
