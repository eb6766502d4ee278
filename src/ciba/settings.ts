// EP-9: the deployment file's `ciba` section (CIBA itself is switched on by
// `features.ciba`). Form only; what is allowed is decided in src/ciba/policy.ts.
import { z } from 'zod';

export const cibaSettings = z
  .strictObject({
    /**
     * The built-in approval page (/ciba/approve) as the authentication device. On by
     * default in development mode; production must say so here or plug in its own device.
     */
    approvalPage: z.boolean().optional(),
    /** the longest a request waits for the person, in seconds; `requested_expiry` may shorten it */
    requestLifetime: z.number().int().min(10).max(3600).default(300),
    /**
     * Development mode only: the CA of a relying party on this machine whose ping
     * notification endpoint (https on a loopback address) the IdP may call.
     */
    loopbackCaFile: z.string().min(1).optional(),
  })
  .prefault({});

