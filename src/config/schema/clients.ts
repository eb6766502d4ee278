// The statically registered clients, checked against their profile at start-up (config/guides/clients.md).
import { z } from 'zod';
import { secret } from '../secret.js';

export const clients = z
  .array(
    z.looseObject({
      client_id: z.string().min(1).describe('The client\'s id.'),
      classification: z.string().optional().describe('`PUBLIC`, `IN-CONFIDENCE` or `SENSITIVE`: the most sensitive class of API the client may call.'),
      client_secret: secret.optional().describe('A secret like any other (inline, `{ "env" }` or `{ "file" }`); in production at least 32 random characters (EP-2).'),
    }),
  )
  .default([])
  .describe('Standard client registration metadata (RFC 7591 / OpenID Connect Registration) plus `classification` and, optionally, `allowed_resources` (the `resourceServers[]` identifiers the client may get tokens for, EP-10). Checked against the profile at start-up; see config/guides/clients.md, *Onboarding a client application*. Unknown fields (a typo such as `redirect_uri`) are refused. `scope` may list identity and API scopes offered by this file. `post_logout_redirect_uris` must be https in production.');
