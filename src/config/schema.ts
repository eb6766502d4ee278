// The deployment file's shape. Validation here is about form (types, ranges, names);
// whether a value follows the guideline is the policy's call (src/policy/).
// Each field's description lives here, once: `npm run schema` turns this schema into
// config/schema.json (for editors) and the field reference in config/README.md.
// `defaultText` says in words what a default is when it is not a plain value.
import { z } from 'zod';
import { cibaSettings } from '../ciba/settings.js';
import { assuranceSettings } from '../factors/settings.js';
import { parseCidr } from '../ops/proxy.js';
import { APPROVED_SIGNING } from '../policy/algorithms.js';
import { identitySources } from '../accounts/sources/schema.js';
import { secret } from './secret.js';
export type { SecretRef } from './secret.js';

export const CLASSIFICATIONS = ['PUBLIC', 'IN-CONFIDENCE', 'SENSITIVE'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

const seconds = z.number().int().positive();

// RFC 6749 §3.3: a scope token (no spaces, quotes or backslashes).
const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'a scope token (RFC 6749 §3.3)');

const jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).describe('The JWKs, each with its private part.') });
/** a JWKS as read from keys.signing.path */
export const jwksSchema = jwks;

const hostPort = z.strictObject({ host: z.string().describe('Host name or address.'), port: z.number().int().describe('Port.') });

/** An API scope: its consent-page description, or that and whether it acts for a person. */
const apiScope = z.union([
  z.string().min(1),
  z.strictObject({
    description: z.string().min(1).describe('The plain-language description shown on the consent page (OIDC-6).'),
    actsForPerson: z.boolean().default(false).describe('The scope acts for a person, so `client_credentials` never grants it (GR-6).'),
  }),
]);

const resourceServerFields = z.strictObject({
  identifier: z.url().describe('The API\'s `resource` (RFC 8707) and audience URL.'),
  name: z.string().min(1).optional().describe('Its name, as people read it on the consent page and at `/docs`.'),
  classification: z.enum(CLASSIFICATIONS).describe('The API\'s class: only clients of this class or a more sensitive one may get tokens for it.'),
  // OIDC-6: each scope's description is shown on the consent page.
  scopes: z
    .record(scopeToken, apiScope)
    .describe('Scope → plain-language description shown on the consent page (OIDC-6), or `{ "description", "actsForPerson": true }` for a scope that acts for a person and is never granted to `client_credentials` (GR-6).'),
  introspectionClientId: z
    .string()
    .min(1)
    .optional()
    .describe('The client (in `clients[]`) this API authenticates as at `/introspect`; only it and the token\'s own client get `active: true` (TOK-6, EP-5).'),
  accessTokenFormat: z.enum(['jwt', 'opaque']).default('jwt').describe('`jwt` (RFC 9068) or `opaque` (introspectable at `/introspect`, revocable at once; reported as a TOK-7 deviation).'),
  accessTokenTTL: seconds.optional().describe('Seconds; can only shorten `lifetimes.accessToken`.'),
  signingAlg: z.string().optional().describe('JWS algorithm for this API\'s JWT access tokens (one of `algorithms.idToken`).'),
  encrypt: z
    .strictObject({
      jwk: z.record(z.string(), z.unknown()).describe('The API\'s public encryption key (JWK).'),
      alg: z.string().describe('JWE key management algorithm, e.g. `ECDH-ES`.'),
      enc: z.string().describe('JWE content encryption, e.g. `A256GCM`.'),
    })
    .optional()
    .describe('JWE access tokens for an API whose tokens carry PII or PHI (TOK-8), encrypted to its key.'),
  // OIDC-9: a FHIR server: SMART apps name it by `aud`, its scopes are read as SMART scopes.
  fhir: z
    .strictObject({
      demo: z
        .boolean()
        .default(false)
        .describe('Development mode only: this IdP serves a small demo FHIR API at `identifier` (which must be `<issuer>/demo/fhir`), with its own `/.well-known/smart-configuration`.'),
    })
    .optional()
    .describe('This API is a FHIR server and `identifier` is its FHIR base URL: a SMART app\'s `aud` selects it as `resource` would, its `scopes` are SMART scopes (`patient/Observation.rs`, `user/*.rs`, `system/Observation.rs`, granular `?category=`), and requests are checked against them (OIDC-9). See config/guides/smart.md.'),
});

// Consumers read `scopes` as scope → description; the person marks are kept apart.
const resourceServer = resourceServerFields.transform(({ scopes, ...api }) => ({
  ...api,
  scopes: Object.fromEntries(Object.entries(scopes).map(([name, s]) => [name, typeof s === 'string' ? s : s.description])),
  /** GR-6: the scopes marked `actsForPerson` */
  personScopes: Object.entries(scopes).flatMap(([name, s]) => (typeof s === 'object' && s.actsForPerson ? [name] : [])),
}));

const account = z.strictObject({
  id: z.string().min(1).optional().meta({ description: 'The person\'s `sub`.', defaultText: 'the username' }),
  username: z.string().min(1).describe('What the person types to sign in.'),
  passwordHash: z
    .string()
    .startsWith('scrypt$', 'a hash from `npm run hash-password` (scrypt$…)')
    .describe('`scrypt$…` as printed by `npm run hash-password`. Passwords are never stored otherwise.'),
  claims: z.record(z.string(), z.unknown()).default({}).describe('All the person\'s claims; only those of granted scopes are released (OIDC-3).'),
});

const scopeDoc = z.strictObject({
  description: z.string().min(1).describe('The plain-language text on the consent page (OIDC-6).'),
  claims: z.array(z.string()).default([]).describe('The claims this scope releases (OIDC-3).'),
  optional: z.boolean().default(false).describe('The consent page lets the person untick it.'),
});

const store = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('memory').describe('`memory`: one process only; everything is gone at restart. `redis`: shared by replicas.'),
      maxEntries: z.number().int().positive().optional().meta({
        description: 'Memory store: live records it holds; beyond it new writes answer 503 `temporarily_unavailable` and `/readyz` says the store is full. About 3 KiB of heap per record (config/guides/redis.md: The memory store and its bound).',
        defaultText: '`1000000`',
      }),
      singleInstance: z
        .boolean()
        .optional()
        .describe('Memory store (or a `plugins.store` backend) in production mode: declares that one IdP process serves everyone and that losing what stays in the process at restart is accepted (with the memory store every session, token and consent; with a backend module the consent ledger and sign-in counts). Production refuses either without it; the compliance report notes it.'),
    }),
    z.strictObject({
      type: z.literal('redis').describe('`memory`: one process only; everything is gone at restart. `redis`: shared by replicas.'),
      url: z.string().optional().describe('`redis://` or `rediss://` URL of a standalone Redis (it may carry its own user and password).'),
      keyPrefix: z.string().default('idp:').describe('Prefix of every key the IdP writes.'),
      sentinels: z.array(hostPort).optional().describe('Redis Sentinel: the Sentinels to ask for the master (with `name`).'),
      name: z.string().optional().describe('Redis Sentinel: the master\'s name.'),
      cluster: z.array(hostPort).optional().describe('Redis Cluster: the seed nodes.'),
      username: z.string().min(1).optional().describe('Redis ACL user, for every node of a Cluster and the Sentinel master.'),
      password: secret.optional().describe('Redis ACL password (a secret), for every node of a Cluster and the Sentinel master.'),
      sentinelPassword: secret.optional().describe('The Sentinels\' own password (a secret), when they have one.'),
      tls: z.boolean().optional().describe('TLS to Cluster nodes, Sentinels and the master (a `rediss://` URL does it for standalone).'),
      waitForReplicas: z
        .union([
          z.literal(false),
          z.strictObject({
            replicas: z.number().int().positive().describe('Replicas that must have each single-use write.'),
            timeoutMs: z.number().int().positive().max(1400).default(1000).describe('Milliseconds to wait (at most 1400).'),
          }),
        ])
        .optional()
        .meta({
          description:
            'After single-use writes (codes, refresh tokens, PAR request URIs, initial access tokens, CIBA requests, DPoP/assertion `jti`) and consent-ledger appends, Redis `WAIT` for replicas; not confirmed in time: 503 `temporarily_unavailable`. `false`: never wait. config/guides/redis.md: Single use across a failover.',
          defaultText: 'one replica where the master has any',
        }),
    }),
  ])
  .describe('`memory` (one process only) or `redis` (`url`, or `sentinels` + `name`, or `cluster` nodes). `REDIS_URL` makes it `redis`.');

const deviation = z.strictObject({
  rule: z.string().regex(/^(TOK|EP|OIDC|GR|AUTH)-\d+$/, 'a rule ID such as TOK-3').describe('The rule (a SHOULD) departed from, e.g. `TOK-3`. A MUST cannot be waived.'),
  setting: z.string().min(1).describe('The setting that departs from it, e.g. `lifetimes.accessToken`.'),
  reason: z.string().min(10, 'say why, in at least a sentence').describe('Why, in at least a sentence; the compliance report shows it.'),
});

// OIDC-7, OIDC-8: the consent ledger and the person's consents page (config/guides/consent.md).
const consent = z.strictObject({
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

/** A limit on password checks: `attempts` per `window`, then refused for `blockFor`. */
const strictLimit = z.strictObject({
  attempts: z.number().int().positive().describe('Password checks (each reserved before it runs; a success gives its reservation back).'),
  window: seconds.describe('Seconds.'),
  blockFor: seconds.describe('Once the attempts are used up: seconds refused.'),
});

/**
 * Login abuse resistance (one throttle for every password form). Strict limits per client
 * address and per (username, address); the username alone is only slowed down; a browser
 * that signed in before (device cookie) is counted on its own. With the Redis store the
 * counts are shared by every replica.
 */
const login = z.strictObject({
  chooseSource: z.boolean().default(false).describe('With more than one password source (`sources`): the login page lets the person choose theirs, instead of trying them in order.'),
  throttle: z
    .strictObject({
      address: strictLimit
        .default({ attempts: 50, window: 3600, blockFor: 3600 })
        .describe('Password checks from one client address in `window` seconds, whatever the usernames; then the address is refused for `blockFor` seconds. Each try is counted before its password is checked; a success gives its place back.'),
      accountAddress: strictLimit.default({ attempts: 5, window: 900, blockFor: 900 }).describe('The same for one username (existing or not) from one client address.'),
      account: z
        .strictObject({ attempts: z.number().int().positive().describe('Password checks.'), window: seconds.describe('Seconds.') })
        .default({ attempts: 10, window: 300 })
        .describe('Checks of one username from browsers without its device cookie; when used up, tries wait for the window to end (a slow-down, never a lock).'),
      device: strictLimit.default({ attempts: 10, window: 900, blockFor: 900 }).describe('Checks of one username from a browser holding its device cookie : the only limit such a browser meets (not `address`, `accountAddress` or `account`).'),
      deviceTrust: seconds.default(180 * 24 * 3600).describe('Seconds (180 days) a successful sign-in keeps the browser\'s signed device cookie (`idp.device`) valid.'),
      inFlight: z
        .strictObject({
          perAccount: z.number().int().positive().default(2).describe('Per username (a browser with the device cookie is not held to this).'),
          perProcess: z.number().int().positive().default(8).describe('Per process, over all usernames.'),
        })
        .prefault({})
        .describe('Password checks running at once; more get a quick 429 "try again shortly", uncounted.'),
    })
    .prefault({})
    .describe('Login abuse resistance: strict limits per client address and per (username, address), a slow-down per username, device cookies counted on their own; shared by replicas on Redis.'),
});

// Operations: the management listener for /metrics, /healthz and /readyz (config/guides/operations.md).
const management = z.strictObject({
  host: z.string().min(1).default('127.0.0.1').describe('Where the management listener binds. Keep it off the public interface.'),
  port: z.number().int().min(0).max(65535).describe('Its port; `0` picks a free port.'),
});

// Operations: where audit events go (config/guides/operations.md, the audit catalogue).
const audit = z.strictObject({
  sink: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('stdout').describe('JSON lines among the logs.') }),
      z.strictObject({
        type: z.literal('redis').describe('XADD to a stream over the Redis store\'s connection settings (needs the Redis store).'),
        stream: z.string().min(1).default('idp:audit').describe('The stream key.'),
        maxLength: z.number().int().positive().default(1_000_000).describe('Trimmed to about this many events.'),
      }),
      z.strictObject({
        type: z.literal('module').describe('An agency\'s module exporting `createAuditSink(options)` returning `{ write(event), close?() }`.'),
        path: z.string().min(1).describe('The module\'s path, relative to the deployment file or absolute (e.g. `/etc/idp/plugins/audit.js` in the Docker image).'),
        options: z.record(z.string(), z.unknown()).default({}).describe('Passed to `createAuditSink` as `options`.'),
      }),
    ])
    .default({ type: 'stdout' })
    .describe('Where audit events go: `stdout`, a Redis stream, or an agency\'s module. Catalogue: config/guides/operations.md.'),
});

// An agency's module (src/plugins/): where it is and what it is given.
const pluginModule = (what: string, call: string) =>
  z
    .strictObject({
      path: z
        .string()
        .min(1)
        .describe('An ES module (`.js` or `.mjs`), relative to the deployment file or absolute, e.g. `/etc/idp/plugins/accounts.js` mounted into the Docker image.'),
      options: z.record(z.string(), z.unknown()).default({}).describe(`Given to \`${call}\` as \`options\`. Not a place for secrets: the module reads those from the environment or a file.`),
    })
    .optional()
    .describe(what);

// Modules loaded at start-up by the stock entry point and the image (config/guides/plugins.md).
const plugins = z.strictObject({
  accounts: pluginModule(
    'The account source: a module exporting `createAccountStore(options, context)` that returns an `AccountStore` (`authenticate`, `find`). Replaces the file\'s `accounts`; sign-in throttling still applies.',
    'createAccountStore',
  ),
  cibaDevice: pluginModule(
    'The CIBA authentication device (EP-9): a module exporting `createAuthenticationDevice(decisions, options, context)` that returns `{ notify(request) }`, and optionally `resolveLoginHint(hint)`. Needs `features.ciba`.',
    'createAuthenticationDevice',
  ),
  logger: pluginModule(
    'The logger: a module exporting `createLogger(options, context)` that returns `{ log(level, event, fields) }` or a pino-compatible logger. Secret fields are redacted before it sees them.',
    'createLogger',
  ),
  store: pluginModule(
    'The store backend: a module exporting `createRecordBackend(options, context)` that returns a `RecordBackend` (config/guides/storage-backends.md). The IdP seals every record before the backend sees it (TOK-2). Replaces the memory store: leave `store.type` at `memory`, without `maxEntries`; in production declare `store.singleInstance` (the consent ledger and sign-in counts stay in the process).',
    'createRecordBackend',
  ),
});

// OIDC-9: SMART App Launch: the EHR systems that may launch apps and the built-in patient list.
const smartPatient = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'a FHIR id').describe('The FHIR Patient id (what `patient` in the token response carries).'),
  name: z.string().min(1).describe('The name a clinician sees in the patient picker.'),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').optional().describe('Date of birth, shown in the picker to tell people apart.'),
  identifier: z.string().min(1).optional().describe('An identifier shown in the picker, e.g. the NHI number.'),
});

const smart = z.strictObject({
  ehrLaunchers: z
    .array(z.string().min(1))
    .default([])
    .describe('Clients (in `clients[]`, confidential) allowed to post a launch context to `POST /smart/launch` for an EHR launch (OIDC-9).'),
  launchLifetime: seconds.max(600).default(300).describe('Seconds a `launch` value from `/smart/launch` stays usable (once).'),
  patients: z
    .array(smartPatient)
    .default([])
    .describe('The built-in patient directory: the patients a practitioner may choose from in the picker of a standalone launch asking for `launch/patient`. An agency plugs in its own (a FHIR search) in code.'),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional().describe('The JSON schema for editors: `./schema.json` next to the shipped examples. Ignored by the IdP.'),
  mode: z
    .enum(['development', 'production'])
    .default('production')
    .describe('`development` allows an http issuer, makes up signing keys and secrets at start-up (with a loud warning), and enables the demo. Never use it in front of real people.'),
  issuer: z.url().describe('The issuer URL. Must be `https://` in production (EP-11).'),
  port: z.number().int().min(0).max(65535).default(3000).describe('The port to listen on.'),
  host: z.string().min(1).optional().meta({
    description: 'The address to listen on, e.g. `0.0.0.0` for every IPv4 interface. `HOST` overrides it. A laptop trial is not a network service: development mode stays on loopback unless told.',
    defaultText: '`127.0.0.1` in development mode; every interface in production',
  }),
  proxy: z
    .union([
      z.boolean(),
      z.strictObject({
        trusted: z
          .array(z.string().refine((v) => parseCidr(v) !== undefined, 'an address or CIDR block, e.g. 10.0.0.0/8'))
          .min(1)
          .describe('The proxies\' addresses or CIDR blocks.'),
      }),
      z.strictObject({ hops: z.number().int().min(1).max(10).describe('Proxies in front, each appending to `X-Forwarded-For`.') }),
    ])
    .default(false)
    .describe('TLS ends at a proxy (EP-11): `{ "trusted": ["10.0.3.7/32", …] }` believes `X-Forwarded-For`/`-Proto`/`-Host` only from those addresses or CIDR blocks and takes the right-most address that is not one of them as the client\'s; `{ "hops": n }` takes the entry n places from the right, from any peer; `true` is `{ "hops": 1 }`. See config/guides/deployment.md, *Behind a TLS-terminating proxy*.'),
  keys: z
    .strictObject({
      signing: z
        .union([
          z.strictObject({ path: z.string().describe('A file holding the private JWKS.') }),
          z.strictObject({ jwks: jwks.describe('The private JWKS, inline.') }),
        ])
        .describe('The provider\'s private signing keys: `{ "jwks": { "keys": [...] } }` inline or `{ "path": "file.json" }`. Required in production (EP-7). Publish one key per algorithm you sign with.'),
    })
    .optional()
    .describe('The provider\'s keys. Development mode makes up signing keys when absent.'),
  secrets: z
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
    .describe('Required in production (TOK-2). Development mode makes them up at start-up when absent.'),
  tls: z
    .strictObject({
      certFile: z.string().min(1).describe('PEM certificate chain.'),
      keyFile: z.string().min(1).describe('PEM private key.'),
    })
    .optional()
    .describe('The IdP serves HTTPS itself (EP-11). Otherwise TLS ends at a proxy: set `proxy`. Production needs one or the other.'),
  mtls: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe('RFC 8705 mutual TLS (EP-2): `tls_client_auth` and `self_signed_tls_client_auth` client authentication, and certificate-bound access tokens. Needs `tls` (the IdP asks for a client certificate in the TLS handshake) or `mtls.proxyHeader`.'),
      caFile: z.string().min(1).optional().describe('PEM bundle of the CAs trusted to issue `tls_client_auth` certificates. Without it only `self_signed_tls_client_auth` is offered.'),
      proxyHeader: z
        .string()
        .regex(/^[a-z0-9-]+$/, 'a lower-case header name')
        .optional()
        .describe('Behind a TLS-terminating proxy: the (lower-case) header in which it forwards the client certificate, URL-encoded PEM (nginx `$ssl_client_escaped_cert`) or base64 DER.'),
      trustedProxies: z
        .array(z.string().min(1))
        .default([])
        .describe('The proxies\' own addresses (as the IdP\'s socket sees them). The certificate header is ignored from anyone else. Required with `proxyHeader`.'),
      endpointAliasBase: z.url().optional().describe('A separate mTLS host (e.g. `https://mtls.id.example.org`), published as `mtls_endpoint_aliases` in discovery.'),
    })
    .prefault({})
    .describe('Mutual TLS client authentication and certificate-bound tokens (EP-2, RFC 8705).'),
  store: store.default({ type: 'memory' }),
  lifetimes: z
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
    .describe('Token and session lifetimes, in seconds.'),
  algorithms: z
    .strictObject({
      idToken: z
        .array(z.string())
        .min(1)
        .default(['ES256', 'PS256'])
        .describe('Signing algorithms for ID tokens and signed responses (TOK-9): PS256/384/512, ES256/384/512, EdDSA; RS256/384/512 only when listed here (an opt-in). Never `none` or HMAC. The first is the default for clients.'),
      accessToken: z.string().default('ES256').describe('Signing algorithm for JWT access tokens; must be in `algorithms.idToken`.'),
      clientAuthentication: z
        .array(z.string())
        .min(1)
        .default([...APPROVED_SIGNING])
        .describe('Algorithms accepted for `private_key_jwt` client assertions (TOK-9). Add `RS256` (or RS384/RS512) to accept RSASSA-PKCS1-v1_5 assertions, e.g. from Apache\'s mod_auth_openidc; the compliance report shows the opt-in under TOK-9. `client_secret_jwt` always uses HS256/384/512.'),
    })
    .prefault({})
    .describe('Signing algorithms (TOK-9).'),
  features: z
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
    .describe('Optional features, all off by default.'),
  scopes: z
    .record(scopeToken, scopeDoc)
    .default({})
    .describe('The identity scopes offered, the claims each releases (OIDC-3), the plain-language text on the consent page (OIDC-6), and whether a person may untick it. Names are RFC 6749 scope tokens. `openid` and `offline_access` are built in and cannot be redefined (OIDC-3).'),
  resourceServers: z.array(resourceServer).default([]).describe('The APIs.'),
  clients: z
    .array(
      z.looseObject({
        client_id: z.string().min(1).describe('The client\'s id.'),
        classification: z.string().optional().describe('`PUBLIC`, `IN-CONFIDENCE` or `SENSITIVE`: the most sensitive class of API the client may call.'),
        client_secret: secret.optional().describe('A secret like any other (inline, `{ "env" }` or `{ "file" }`); in production at least 32 random characters (EP-2).'),
      }),
    )
    .default([])
    .describe('Standard client registration metadata (RFC 7591 / OpenID Connect Registration) plus `classification` and, optionally, `allowed_resources` (the `resourceServers[]` identifiers the client may get tokens for, EP-10). Checked against the profile at start-up; see config/guides/clients.md, *Onboarding a client application*. Unknown fields (a typo such as `redirect_uri`) are refused. `scope` may list identity and API scopes offered by this file. `post_logout_redirect_uris` must be https in production.'),
  accounts: z
    .array(account)
    .default([])
    .describe('The built-in account store. Usernames must differ by more than case. Hashes must have scrypt `N` a power of two from 16384 (1024 in development) with `128·N·r` at most 256 MiB, `r` ≤ 32, `p` ≤ 16.'),
  sources: identitySources,
  deviations: z
    .array(deviation)
    .default([])
    .describe('An explicit, reported step outside a SHOULD (e.g. `TOK-3` for longer access tokens, `GR-4` for plain `code` for confidential clients). A MUST cannot be waived. A deviation raises a cap to a stated ceiling, never removes it (config/guides/deployment.md: *Deviations and their ceilings*). The compliance report lists every deviation.'),
  ciba: cibaSettings,
  smart: smart.prefault({}).describe('SMART App Launch: EHR launch and the patient picker (OIDC-9); FHIR servers are marked in `resourceServers[].fhir`. See config/guides/smart.md.'),
  demo: z
    .strictObject({ enabled: z.boolean().default(false).describe('The demo relying party at `/demo` (development mode only).') })
    .default({ enabled: false })
    .describe('The development-mode demo relying party.'),
  consent: consent.prefault({}).describe('The consent ledger and the person\'s consents page (OIDC-7, OIDC-8).'),
  login: login.prefault({}).describe('Sign-in.'),
  assurance: assuranceSettings,
  limits: z
    .strictObject({
      stateCreating: z
        .strictObject({
          requests: z.number().int().positive().default(600).describe('Requests per client address in `window`.'),
          window: seconds.default(60).describe('Seconds.'),
        })
        .prefault({})
        .describe('Requests per client address (as a trusted proxy states it, see `proxy`) to `/authorize`, `/par` and `/logout` together in `window` seconds; past it `429` with `Retry-After`. Counted in Redis on the Redis store (every replica together), else per process.'),
    })
    .prefault({})
    .describe('Request limits.'),
  management: management.optional().meta({ description: 'A second listener for `/metrics` (Prometheus), `/healthz` and `/readyz`; see config/guides/operations.md.', defaultText: 'no management listener' }),
  audit: audit.prefault({}).describe('The audit trail (config/guides/operations.md).'),
  plugins: plugins.prefault({}).describe('An agency\'s own modules for the account source, the CIBA device, the logger and the store backend, loaded at start-up (the audit sink\'s module is `audit.sink`). See config/guides/plugins.md.'),
  shutdown: z
    .strictObject({
      drain: z.number().int().min(0).default(5).describe('Seconds after `SIGTERM` during which `/readyz` answers 503 while requests are still served (with `Connection: close`); then new connections are refused. `SIGINT` skips it.'),
      deadline: seconds.default(30).describe('Seconds after `SIGTERM` at which connections still open are closed by force. The process exits earlier, as soon as the last request is answered.'),
    })
    .prefault({})
    .describe('SIGTERM: drain, then stop (config/guides/redis.md: Shutting down).'),
});

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type ResourceServerConfig = z.output<typeof resourceServer>;
export type AccountConfig = z.output<typeof account>;
export type ScopeDoc = z.output<typeof scopeDoc>;
export type StoreConfig = z.output<typeof store>;
export type Deviation = z.output<typeof deviation>;
export type LoginConfig = z.output<typeof login>;
export type SmartConfig = z.output<typeof smart>;
export type SmartPatient = z.output<typeof smartPatient>;
export type ManagementConfig = z.output<typeof management>;
export type PluginModuleConfig = NonNullable<z.output<typeof plugins>['accounts']>;
