// The deployment file's `sources`: where people's accounts live besides the file's own
// `accounts` (the agency's LDAP directory, upstream OpenID Connect providers). Form only;
// the checks across fields are in checks.ts.
import { z } from 'zod';
import { secret } from '../../config/secret.js';

const seconds = z.number().int().positive();

/** A source's id is part of the `sub` of its people: lower-case, stable, never renamed. */
const sourceId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes, starting with a letter (at most 32)')
  .describe('The source\'s id: part of its people\'s `sub` (`<id>:<value>`), in the consent ledger and in `/readyz`. Never rename it: every `sub` it gave would change.');

const label = z.string().min(1).max(80);

/** claim name → directory attribute or upstream claim */
const claimMap = z.record(z.string().min(1), z.string().min(1));

const ldapSource = z.strictObject({
  type: z.literal('ldap').describe('`ldap`: an LDAP directory (OpenLDAP, Active Directory); `oidc`: an upstream OpenID Connect provider; `file`: the file\'s own `accounts`, to place them elsewhere in the order.'),
  id: sourceId,
  label: label.describe('What people see, e.g. "Staff directory" (sign-in choice, error pages).'),
  url: z
    .string()
    .regex(/^ldaps?:\/\/[^/\s]+\/?$/, 'ldap://host:port or ldaps://host:port')
    .describe('`ldaps://host:636`, or `ldap://host:389` with `startTls` (production refuses plain `ldap://` without it).'),
  startTls: z.boolean().default(false).describe('Upgrade an `ldap://` connection with StartTLS before any bind.'),
  caFile: z.string().min(1).optional().meta({ description: 'PEM bundle of the CAs that sign the directory\'s certificate.', defaultText: 'the system\'s CAs' }),
  bind: z
    .strictObject({
      dn: z.string().min(1).describe('The service account\'s DN, used only to find people.'),
      password: secret.describe('The service account\'s password.'),
    })
    .describe('The service bind that searches for the person; the person\'s own password is then checked by a bind as them (never stored or logged).'),
  search: z
    .strictObject({
      base: z.string().min(1).describe('Where people are, e.g. `ou=people,dc=agency,dc=nz`.'),
      filter: z
        .string()
        .includes('{username}', { message: 'must contain {username}' })
        .default('(uid={username})')
        .describe('The LDAP filter that finds the person; `{username}` is replaced by what they typed, escaped (RFC 4515). E.g. `(&(objectClass=person)(sAMAccountName={username}))`.'),
      scope: z.enum(['one', 'sub']).default('sub').describe('`one`: directly under `base`; `sub`: anywhere below it.'),
    })
    .describe('How the person is found. No match or more than one: the sign-in fails as a wrong password does.'),
  subject: z
    .string()
    .min(1)
    .default('uid')
    .describe('The attribute whose value, after `<id>:`, is the person\'s `sub` (e.g. `entryUUID` or `objectGUID` so that renames keep it).'),
  claims: claimMap
    .default({})
    .describe('Claim → attribute, e.g. `{ "name": "cn", "email": "mail", "nhi": "nhiNumber", "fhirUser": "fhirUser" }`. Only the claims of granted scopes are released (OIDC-3).'),
  pool: z
    .strictObject({
      size: z.number().int().min(1).max(64).default(4).describe('Service-bound connections kept open at most.'),
      acquireTimeout: seconds.default(5).describe('Seconds a sign-in waits for a free connection before the directory counts as unreachable.'),
    })
    .prefault({})
    .describe('The connections that search the directory.'),
  timeouts: z
    .strictObject({
      connect: seconds.default(3).describe('Seconds to open a connection.'),
      operation: seconds.default(5).describe('Seconds for one bind or search.'),
    })
    .prefault({})
    .describe('Past these the directory counts as unreachable: the person sees a page saying so.'),
});

const oidcSource = z.strictObject({
  type: z.literal('oidc').describe('An upstream OpenID Connect provider: the login page offers "Sign in with <label>".'),
  id: sourceId,
  label: label.describe('Shown as "Sign in with <label>".'),
  issuer: z.string().url().describe('The upstream\'s issuer; its configuration is discovered from `/.well-known/openid-configuration`.'),
  clientId: z.string().min(1).describe('Our client id at the upstream. Register `<issuer>/interaction/upstream/<id>/callback` there as the redirect URI.'),
  clientAuth: z
    .discriminatedUnion('method', [
      z.strictObject({ method: z.literal('client_secret_post').describe('A shared secret in the token request body.'), secret: secret.describe('Our client secret at the upstream.') }),
      z.strictObject({
        method: z.literal('private_key_jwt').describe('A signed assertion (EP-2); publish the public half to the upstream.'),
        key: secret.describe('Our private key as a JWK (JSON), with `kid` and `alg`.'),
      }),
    ])
    .describe('How we authenticate to the upstream\'s token endpoint (EP-2).'),
  scope: z.string().default('openid').describe('Scopes asked of the upstream; must include `openid`.'),
  claims: claimMap.default({}).describe('Our claim → the upstream\'s claim, e.g. `{ "nhi": "nhi_number", "name": "name" }`. Only mapped claims are kept.'),
  link: z
    .discriminatedUnion('by', [
      z.strictObject({ by: z.literal('sub').describe('The account is the upstream subject itself: `sub` is `<id>:<upstream sub>`.') }),
      z.strictObject({
        by: z.literal('claim').describe('The account is a local one (file accounts or a directory) holding the same value of a verified claim.'),
        claim: z.string().min(1).describe('Our claim to match, e.g. `nhi` (after mapping). `email` only counts when the upstream says `email_verified: true`; any `<claim>_verified: false` refuses.'),
      }),
    ])
    .default({ by: 'sub' })
    .describe('How the upstream person becomes one of our accounts. Never by an unverified e-mail.'),
  trustAcr: z
    .boolean()
    .default(false)
    .describe('Pass the upstream\'s `acr` and `amr` on to our session (and so to ID tokens and assurance decisions). Off: the session carries `amr: ["fed"]` and the lowest level offered, whatever the upstream claims; a client needing more gets our second factor (config/guides/second-factors.md).'),
  accountLifetime: seconds
    .default(30 * 24 * 3600)
    .describe('With `link.by: sub`: seconds the claims from the last sign-in are kept for `/userinfo` (sealed in the store).'),
});

const fileSource = z.strictObject({
  type: z.literal('file').describe('The deployment file\'s own `accounts` (present first unless listed).'),
  id: z.literal('file').default('file').describe('Always `file`: its people keep the `sub` they have (their `id`).'),
  label: label.default('Agency accounts').describe('What people see for it when they choose a source.'),
});

export const identitySource = z.discriminatedUnion('type', [ldapSource, oidcSource, fileSource]);

export const identitySources = z
  .array(identitySource)
  .default([])
  .describe('Identity sources besides the file\'s `accounts`: `ldap` directories and upstream `oidc` providers (config/guides/identity-sources.md). Password sources are tried in this order (the file accounts first unless `{ "type": "file" }` is placed elsewhere), or chosen on the login page with `login.chooseSource`.');

export type IdentitySourceConfig = z.output<typeof identitySource>;
export type LdapSourceConfig = z.output<typeof ldapSource>;
export type OidcSourceConfig = z.output<typeof oidcSource>;
