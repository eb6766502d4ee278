// Token and session lifetimes (TOK-1, TOK-3, TOK-4) and signing algorithms (TOK-9).
import { z } from 'zod';
import { APPROVED_SIGNING } from '../../policy/algorithms.js';
import { seconds } from './common.js';

export const lifetimes = z
  .strictObject({
    authorizationCode: seconds.default(60).describe('Seconds; at most 600 (TOK-1). Codes are single-use regardless.'),
    accessToken: seconds.default(600).describe('Seconds; must be under 3600 (TOK-3) unless a `TOK-3` deviation is declared, and never over 86400 (the deviation\'s ceiling). A resource server\'s own TTL can only shorten it.'),
    refreshToken: seconds.default(8 * 3600).describe('Seconds, **absolute** from the first issue of a rotation chain; at most 86400 (TOK-4) unless a `TOK-4` deviation is declared, and never over 2592000 (30 days, the deviation\'s ceiling).'),
    idToken: seconds.default(600).describe('Seconds.'),
    interaction: seconds.default(600).describe('Seconds a sign-in page stays valid.'),
    session: seconds.default(8 * 3600).describe('Seconds a sign-in session lasts; not longer than `grant`.'),
    grant: seconds.default(90 * 24 * 3600).describe('Seconds (90 days) a consent (grant) lasts.'),
    pushedAuthorizationRequest: seconds.default(60).describe('Seconds a `request_uri` from `/par` stays valid.'),
  })
  .prefault({})
  .describe('Token and session lifetimes, in seconds.');

export const algorithms = z
  .strictObject({
    idToken: z
      .array(z.string())
      .min(1)
      .default(['ES256', 'PS256'])
      .describe('Signing algorithms for ID tokens and signed responses (TOK-9): PS256/384/512, ES256/384/512, EdDSA; RS256/384/512 only when listed here (an opt-in). Never `none` or HMAC. The first is the default for clients.'),
    accessToken: z.string().default('ES256').describe('Signing algorithm for JWT access tokens: an approved one (RS256/384/512 only when listed in `algorithms.idToken`); production keys must include one for it (TOK-9).'),
    clientAuthentication: z
      .array(z.string())
      .min(1)
      .default([...APPROVED_SIGNING])
      .describe('Algorithms accepted for `private_key_jwt` client assertions (TOK-9). Add `RS256` (or RS384/RS512) to accept RSASSA-PKCS1-v1_5 assertions, e.g. from Apache\'s mod_auth_openidc; the compliance report shows the opt-in under TOK-9. `client_secret_jwt` always uses HS256/384/512.'),
  })
  .prefault({})
  .describe('Signing algorithms (TOK-9).');
