// What the store knows of the library's models, shared by every store.
import { errors, type AdapterPayload } from 'oidc-provider';

/** Models whose records belong to a grant and go when it is revoked. */
export const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/**
 * TOK-1: once a code is used, keep only what the library reads before it sees `consumed`
 * (lib/actions/grants/authorization_code.js) so a replay is detected and its grant
 * revoked; the account, claims, nonce and scope are gone.
 */
const KEPT_AFTER_USE: Record<string, readonly string[]> = {
  AuthorizationCode: ['jti', 'kind', 'clientId', 'grantId', 'iat', 'exp', 'codeChallenge', 'codeChallengeMethod', 'redirectUri'],
  BackchannelAuthenticationRequest: ['jti', 'kind', 'clientId', 'grantId', 'iat', 'exp', 'accountId', 'error'],
};

export function consumedRecord(model: string, payload: AdapterPayload, now: number): AdapterPayload {
  const kept = KEPT_AFTER_USE[model];
  const base: Record<string, unknown> = kept
    ? Object.fromEntries(kept.filter((k) => k in payload).map((k) => [k, (payload as Record<string, unknown>)[k]]))
    : { ...payload };
  return { ...base, consumed: now };
}

/**
 * TOK-1: of two parallel redemptions only one may win. The loser gets the standard
 * error, and the store revokes the grant as the library does for a replay (see
 * revokesOnReplay): the library itself revokes only when its find already saw the record
 * used, not when it lost the race inside consume().
 *
 * A record the library found a moment ago but that is gone by the time it is consumed
 * was used and revoked (or expired) in between: that consume is refused the same way,
 * never taken as a success.
 */
export function alreadyConsumed(model: string): Error {
  return new errors.InvalidGrant(`${model === 'RefreshToken' ? 'refresh token' : 'grant'} already used`);
}

/** The library's grant model: revoking a grant destroys it (revokeGrantPolicy default). */
export const GRANT_MODEL = 'Grant';

export function epochNow(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Models written once per id: ReplayDetection.unique() is find-then-save, so two parallel
 * requests with the same DPoP proof or client assertion `jti` could both pass the find.
 * The store refuses the second write instead, atomically, and the request fails.
 */
export const INSERT_ONLY = new Set(['ReplayDetection']);

/** The second write of a replay-detection id: the proof or assertion was replayed. */
export function replayDetected(): Error {
  return new errors.InvalidRequest('replay detected: the proof or assertion was already used');
}

/**
 * TOK-1, TOK-4: records whose every write must survive a failover before it is
 * acknowledged (redis-replicas.ts): used once, or proving that something was used.
 */
export const SINGLE_USE = new Set([
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'InitialAccessToken',
  'ReplayDetection',
]);
