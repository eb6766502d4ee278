// The signing keys (EP-7) and the secrets that sign cookies and seal records (TOK-2).
import { z } from 'zod';
import { secret } from '../secret.js';
import { jwks } from './common.js';

export const keys = z
  .strictObject({
    signing: z
      .union([
        z.strictObject({ path: z.string().describe('A file holding the private JWKS.') }),
        z.strictObject({ jwks: jwks.describe('The private JWKS, inline.') }),
      ])
      .describe('The provider\'s private signing keys: `{ "jwks": { "keys": [...] } }` inline or `{ "path": "file.json" }`. Required in production (EP-7). Publish one key per algorithm you sign with.'),
  })
  .optional()
  .describe('The provider\'s keys. Development mode makes up signing keys when absent.');

export const secrets = z
  .strictObject({
    cookieKeys: z.array(secret).min(1).describe('Secrets (at least 32 characters) that sign cookies; the first signs, all verify (rotate by prepending).'),
    sealingKeys: z
      .array(
        z.strictObject({
          kid: z.string().regex(/^[\w.-]+$/).describe('The key\'s name, e.g. `2026-11`, stored with each record it seals.'),
          key: secret.describe('32 random bytes, base64url (a secret).'),
        }),
      )
      .min(1)
      .describe('Keys that encrypt every stored record (TOK-2). The first encrypts; all decrypt, so rotate by prepending a new one and removing the old one once records sealed under it have expired (at most `lifetimes.grant`).'),
    lookupKey: secret.describe('A stable 32-byte key (base64url) for the keyed hashes that replace ids as store keys. Changing it orphans every stored record, like flushing the store.'),
    dpopNonceKey: secret.optional().meta({
      description: 'A 32-byte key (base64url) for DPoP server nonces (EP-2, `features.dPoP.nonceSecret`), so every replica accepts the others\' nonces. Required in production with the Redis store.',
      defaultText: 'made up per process (with a warning)',
    }),
  })
  .optional()
  .describe('Required in production (TOK-2). Development mode makes them up at start-up when absent.');
