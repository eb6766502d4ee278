// EP-9: the deployment file's `ciba` section (CIBA itself is switched on by
// `features.ciba`). Form only; what is allowed is decided in src/policy/executors/ciba.ts.
import { z } from 'zod';

export const cibaSettings = z
  .strictObject({
    approvalPage: z.boolean().optional().meta({
      description: 'The built-in approval page `/ciba/approve` as the authentication device; production must set it or give `createIdp` its own device.',
      defaultText: 'on in development',
    }),
    requestLifetime: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .default(300)
      .describe('Seconds a CIBA request waits for the person (10–3600); `requested_expiry` may shorten it.'),
    loopbackCaFile: z
      .string()
      .min(1)
      .optional()
      .describe('Development only: the CA of a local relying party whose https ping endpoint on a loopback address the IdP may call.'),
  })
  .prefault({})
  .describe('Backchannel authentication (EP-9), when `features.ciba` is on.');
