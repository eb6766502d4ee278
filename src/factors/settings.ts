// AUTH-1: the deployment file's `assurance` section — the levels of assurance offered
// (their `acr` values, weakest first), the second factors that reach each, the minimum
// per classification, and the factors' own settings. Form only; what is allowed is
// decided in src/policy/assurance.ts.
import { z } from 'zod';

export const SECOND_FACTORS = ['otp', 'passkey', 'recovery'] as const;
export type SecondFactor = (typeof SECOND_FACTORS)[number];

export const DEFAULT_LEVELS = [
  { acr: 'urn:health-idp:acr:password', name: 'Password', secondFactors: [] },
  { acr: 'urn:health-idp:acr:mfa', name: 'Password and a second factor', secondFactors: ['otp', 'passkey', 'recovery'] },
] satisfies { acr: string; name: string; secondFactors: SecondFactor[] }[];

const level = z.strictObject({
  acr: z.string().min(1).regex(/^\S+$/, 'one word (a URI), no spaces').describe('The `acr` value clients ask for (`acr_values`) and find in ID tokens; a URI the agency chooses.'),
  name: z.string().min(1).describe('Its name, as the compliance report and the docs show it.'),
  secondFactors: z
    .array(z.enum(SECOND_FACTORS))
    .default([])
    .describe('After the password, one of these reaches the level: `otp` (a one-time-code app, RFC 6238), `passkey` (WebAuthn), `recovery` (a single-use recovery code). Empty: the password alone.'),
});

const minimum = z
  .strictObject({
    PUBLIC: z.string().min(1).optional().meta({ description: 'The `acr` of the weakest level a PUBLIC client gets.', defaultText: 'the weakest level' }),
    'IN-CONFIDENCE': z.string().min(1).optional().meta({ description: 'The same for IN-CONFIDENCE clients.', defaultText: 'the weakest level' }),
    SENSITIVE: z.string().min(1).optional().meta({
      description: 'The same for SENSITIVE clients. In production a level without a second factor needs a declared `AUTH-1` deviation (shown in the compliance report).',
      defaultText: 'production: the strongest level; development: the weakest',
    }),
  })
  .prefault({});

export const assuranceSettings = z
  .strictObject({
    levels: z
      .array(level)
      .min(1)
      .default(DEFAULT_LEVELS)
      .describe('The levels offered, weakest first. Discovery publishes their `acr` values (`acr_values_supported`); the ID token carries the strongest level the sign-in reached, with `amr` (RFC 8176) and `auth_time`.'),
    minimum: minimum.describe('The least level each classification of client gets (AUTH-1); a client may ask for more with `acr_values` or `max_age`.'),
    enrolAtSignIn: z
      .boolean()
      .default(true)
      .describe('A person who has no second factor yet and needs one may enrol one right after the password (once; a later change needs the account pages). Off: such a sign-in ends with `unmet_authentication_requirements`.'),
    totpIssuer: z.string().min(1).default('Health sign-in').describe('The name a one-time-code app shows beside the account.'),
    totpWindow: z.number().int().min(0).max(2).default(1).describe('One-time codes accepted this many 30-second steps either side of now (clock drift).'),
    recoveryCodes: z.number().int().min(4).max(20).default(10).describe('How many single-use recovery codes a person is given (each replaces the last set).'),
    passkeys: z
      .strictObject({
        rpId: z.string().min(1).optional().meta({ description: 'The WebAuthn relying-party id.', defaultText: 'the issuer\'s host name' }),
        rpName: z.string().min(1).default('Health sign-in').describe('The name an authenticator shows.'),
      })
      .prefault({})
      .describe('Passkeys and security keys (WebAuthn).'),
    recentFactor: z.number().int().positive().default(300).describe('Seconds a second factor counts as recent for managing factors on the account pages.'),
  })
  .prefault({})
  .describe('Levels of assurance and second factors (AUTH-1).');

export type AssuranceSettings = z.output<typeof assuranceSettings>;
export type LevelSettings = z.output<typeof level>;
