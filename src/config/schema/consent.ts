// OIDC-7, OIDC-8: the consent ledger and the person's consents page (config/guides/consent.md).
import { z } from 'zod';
import { secret } from '../secret.js';
import { seconds } from './common.js';

export const consent = z.strictObject({
  textVersion: z.string().min(1).max(100).optional().meta({
    description: 'The version of the consent wording, recorded with every consent (OIDC-8).',
    defaultText: 'a digest of the consent page and scope texts',
  }),
  retention: seconds.default(7 * 365 * 24 * 3600).meta({ description: 'Seconds the consent ledger keeps its records.', defaultText: '7 years (`220752000`)' }),
  maxRecords: z.number().int().positive().default(1_000_000).describe('Memory ledger only: beyond this many records new consents are refused (never silently dropped).'),
  exportToken: secret
    .optional()
    .describe('A secret (at least 40 characters, TOK-10) that turns on `GET /admin/consent-ledger` for `npm run consent-export`. Unset: no such route.'),
  accountSession: seconds.default(15 * 60).describe('Idle seconds of a sign-in to `/account/consents`.'),
  decisionLimits: z
    .strictObject({
      perClient: z.number().int().positive().default(20).describe('Decisions (ledger records) per account and client in `window`.'),
      perAccount: z.number().int().positive().default(60).describe('Decisions per account in `window`, over all clients.'),
      window: seconds.default(60).describe('Seconds.'),
    })
    .prefault({})
    .describe('At most this many consent decisions (ledger records) per person and application, and per person, in `window` seconds (OIDC-8); past it the decision is not taken and the person is asked to wait.'),
});
