// Optional features, all off by default.
import { z } from 'zod';
import { CLASSIFICATIONS } from './common.js';

export const features = z
  .strictObject({
    implicitForPublic: z.boolean().default(false).describe('Offer `id_token token` to PUBLIC clients (GR-4: COULD).'),
    registration: z.boolean().default(false).describe('Dynamic registration at `/register`, with initial access tokens (EP-10).'),
    ciba: z.boolean().default(false).describe('Client-initiated backchannel authentication at `/bc-authorize` (EP-9), poll and ping; settings in `ciba`.'),
    parForInConfidence: z.boolean().default(false).describe('Require PAR of IN-CONFIDENCE clients too (GR-8; it is always required of SENSITIVE ones).'),
    senderConstrainedInConfidence: z.boolean().default(false).describe('Require DPoP (or mTLS) of IN-CONFIDENCE clients too (EP-2).'),
    dpopNonceFor: z
      .array(z.enum(CLASSIFICATIONS))
      .default(['SENSITIVE'])
      .describe('Classifications whose DPoP proofs at `/token` and `/par` must carry a server nonce (answered first with `use_dpop_nonce` and a `DPoP-Nonce` header), so proofs cannot be made in advance (EP-2). SENSITIVE clients always need one; add `IN-CONFIDENCE` or `PUBLIC` for them too.'),
  })
  .prefault({})
  .describe('Optional features, all off by default.');
