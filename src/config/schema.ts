// The deployment file's shape. Validation here is about form (types, ranges, names);
// whether a value follows the guideline is the policy's call (src/policy/).
import { z } from 'zod';
import { cibaSettings } from '../ciba/settings.js';

export const CLASSIFICATIONS = ['PUBLIC', 'IN-CONFIDENCE', 'SENSITIVE'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** A secret is never required to sit in the file: name an environment variable or a file. */
const secret = z.union([
  z.string().min(1),
  z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name') }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type SecretRef = z.infer<typeof secret>;

const seconds = z.number().int().positive();

/** RFC 6749 §3.3: a scope token (no spaces, quotes or backslashes) */
const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'a scope token (RFC 6749 §3.3)');

const jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) });
/** a JWKS as read from keys.signing.path */
export const jwksSchema = jwks;

const resourceServer = z.strictObject({
  identifier: z.url(),
  name: z.string().min(1).optional(),
  classification: z.enum(CLASSIFICATIONS),
  /** scope → plain-language description shown on the consent page (OIDC-6) */
  scopes: z.record(scopeToken, z.string().min(1)),
  accessTokenFormat: z.enum(['jwt', 'opaque']).default('jwt'),
  accessTokenTTL: seconds.optional(),
  /** JWS algorithm for this API's JWT access tokens */
  signingAlg: z.string().optional(),
  /** TOK-8: tokens for this API carry PII/PHI and are encrypted to its key */
  encrypt: z.strictObject({ jwk: z.record(z.string(), z.unknown()), alg: z.string(), enc: z.string() }).optional(),
});

const account = z.strictObject({
  id: z.string().min(1).optional(),
  username: z.string().min(1),
  /** `scrypt$…` as printed by `npm run hash-password` */
  passwordHash: z.string().startsWith('scrypt$', 'a hash from `npm run hash-password` (scrypt$…)'),
  claims: z.record(z.string(), z.unknown()).default({}),
});

const scopeDoc = z.strictObject({
  description: z.string().min(1),
  claims: z.array(z.string()).default([]),
  /** the consent page lets the person untick an optional scope */
  optional: z.boolean().default(false),
});

const store = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('memory'),
    maxEntries: z.number().int().positive().optional(),
    /** production: one IdP process serves everyone, and losing every session at restart is accepted */
    singleInstance: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('redis'),
    url: z.string().optional(),
    keyPrefix: z.string().default('idp:'),
    sentinels: z.array(z.strictObject({ host: z.string(), port: z.number().int() })).optional(),
    name: z.string().optional(),
    cluster: z.array(z.strictObject({ host: z.string(), port: z.number().int() })).optional(),
    /** ACL user and password for Redis itself (every node of a Cluster, the Sentinel master) */
    username: z.string().min(1).optional(),
    password: secret.optional(),
    /** the Sentinels' own password, when they have one */
    sentinelPassword: secret.optional(),
    /** TLS to Redis (Cluster nodes, Sentinels and master); a rediss:// URL does it for standalone */
    tls: z.boolean().optional(),
  }),
]);

const deviation = z.strictObject({
  rule: z.string().regex(/^(TOK|EP|OIDC|GR)-\d+$/, 'a rule ID such as TOK-3'),
  setting: z.string().min(1),
  reason: z.string().min(10, 'say why, in at least a sentence'),
});

/** OIDC-7, OIDC-8: the consent ledger and the person's consents page (README: Consent) */
const consent = z.strictObject({
  /** the version of the consent text shown; default: a hash of the consent page and scope texts */
  textVersion: z.string().min(1).max(100).optional(),
  /** how long ledger records are kept (default 7 years) */
  retention: seconds.default(7 * 365 * 24 * 3600),
  /** memory ledger only: refuse new records (and so new consents) beyond this many */
  maxRecords: z.number().int().positive().default(1_000_000),
  /** operator token for GET /admin/consent-ledger (TOK-10: at least 40 characters); unset: no route */
  exportToken: secret.optional(),
  /** idle lifetime of a sign-in to /account/consents */
  accountSession: seconds.default(15 * 60),
});

const throttleKey = z.strictObject({
  /** failures allowed before back-off starts */
  freeAttempts: z.number().int().min(0),
  /** failures that lock the key for `lockFor` */
  lockAfter: z.number().int().positive(),
});

/** Login abuse resistance: per-account and per-IP exponential back-off, then a lock. */
const login = z.strictObject({
  throttle: z
    .strictObject({
      account: throttleKey.default({ freeAttempts: 3, lockAfter: 10 }),
      ip: throttleKey.default({ freeAttempts: 10, lockAfter: 50 }),
      /** first back-off delay; doubles with each further failure */
      baseDelay: seconds.default(1),
      maxDelay: seconds.default(5 * 60),
      lockFor: seconds.default(15 * 60),
      /** failures are forgotten after this long without one */
      window: seconds.default(60 * 60),
    })
    .prefault({}),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  /** development: http issuer, ephemeral keys and secrets, the demo relying party */
  mode: z.enum(['development', 'production']).default('production'),
  issuer: z.url(),
  port: z.number().int().min(0).max(65535).default(3000),
  /** EP-11: TLS ends at a proxy in front; trust its X-Forwarded-* headers */
  proxy: z.boolean().default(false),
  keys: z
    .strictObject({ signing: z.union([z.strictObject({ path: z.string() }), z.strictObject({ jwks })]) })
    .optional(),
  secrets: z
    .strictObject({
      cookieKeys: z.array(secret).min(1),
      sealingKeys: z.array(z.strictObject({ kid: z.string().regex(/^[\w.-]+$/), key: secret })).min(1),
      lookupKey: secret,
      /** features.dPoP.nonceSecret: every replica must issue and accept the same DPoP nonces */
      dpopNonceKey: secret.optional(),
    })
    .optional(),
  /** EP-11: serve HTTPS directly (otherwise TLS ends at a proxy: set `proxy`) */
  tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
  /** EP-2: RFC 8705 mutual TLS client authentication and certificate-bound tokens */
  mtls: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** PEM bundle of the CAs trusted to issue tls_client_auth certificates */
      caFile: z.string().min(1).optional(),
      /** behind a TLS-terminating proxy: the header carrying the client certificate */
      proxyHeader: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case header name').optional(),
      /** the proxies' own addresses; the header is ignored from anyone else */
      trustedProxies: z.array(z.string().min(1)).default([]),
      /** a separate mTLS host, published as mtls_endpoint_aliases */
      endpointAliasBase: z.url().optional(),
    })
    .prefault({}),
  store: store.default({ type: 'memory' }),
  lifetimes: z
    .strictObject({
      authorizationCode: seconds.default(60),
      accessToken: seconds.default(600),
      /** absolute, from the first issue of a rotation chain */
      refreshToken: seconds.default(8 * 3600),
      idToken: seconds.default(600),
      interaction: seconds.default(600),
      session: seconds.default(8 * 3600),
      grant: seconds.default(90 * 24 * 3600),
      pushedAuthorizationRequest: seconds.default(60),
    })
    .prefault({}),
  algorithms: z
    .strictObject({
      idToken: z.array(z.string()).min(1).default(['ES256', 'PS256']),
      accessToken: z.string().default('ES256'),
    })
    .prefault({}),
  features: z
    .strictObject({
      /** GR-4: `id_token token` for PUBLIC clients (COULD) */
      implicitForPublic: z.boolean().default(false),
      /** EP-10: dynamic client registration at /register */
      registration: z.boolean().default(false),
      /** EP-9: CIBA at /bc-authorize (poll and ping); settings in `ciba` */
      ciba: z.boolean().default(false),
      /** GR-8: require PAR of IN-CONFIDENCE clients too */
      parForInConfidence: z.boolean().default(false),
      /** EP-2: require DPoP or mTLS of IN-CONFIDENCE clients too */
      senderConstrainedInConfidence: z.boolean().default(false),
    })
    .prefault({}),
  /** identity scopes (RFC 6749 scope tokens); `openid` and `offline_access` are built in */
  scopes: z.record(scopeToken, scopeDoc).default({}),
  resourceServers: z.array(resourceServer).default([]),
  /** RFC 7591 client metadata plus `classification`; `client_secret` is a secret like any other (inline, env or file) */
  clients: z
    .array(z.looseObject({ client_id: z.string().min(1), classification: z.string().optional(), client_secret: secret.optional() }))
    .default([]),
  accounts: z.array(account).default([]),
  deviations: z.array(deviation).default([]),
  ciba: cibaSettings,
  demo: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
  consent: consent.prefault({}),
  login: login.prefault({}),
});

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type ResourceServerConfig = z.output<typeof resourceServer>;
export type AccountConfig = z.output<typeof account>;
export type ScopeDoc = z.output<typeof scopeDoc>;
export type StoreConfig = z.output<typeof store>;
export type Deviation = z.output<typeof deviation>;
export type LoginConfig = z.output<typeof login>;
