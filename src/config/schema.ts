// The deployment file's shape. Validation here is about form (types, ranges, names);
// whether a value follows the guideline is the policy's call (src/policy/).
import { z } from 'zod';
import { cibaSettings } from '../ciba/settings.js';
import { parseCidr } from '../ops/proxy.js';
import { APPROVED_SIGNING } from '../policy/algorithms.js';

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

/** An API scope: its consent-page description, or that and whether it acts for a person. */
const apiScope = z.union([
  z.string().min(1),
  z.strictObject({
    description: z.string().min(1),
    /** GR-6: the scope acts for a person, so client_credentials never grants it */
    actsForPerson: z.boolean().default(false),
  }),
]);

const resourceServerFields = z.strictObject({
  identifier: z.url(),
  name: z.string().min(1).optional(),
  classification: z.enum(CLASSIFICATIONS),
  /** scope → plain-language description shown on the consent page (OIDC-6), or `{ description, actsForPerson }` */
  scopes: z.record(scopeToken, apiScope),
  /** TOK-6, EP-5: the client (in `clients[]`) this API authenticates as at /introspect */
  introspectionClientId: z.string().min(1).optional(),
  accessTokenFormat: z.enum(['jwt', 'opaque']).default('jwt'),
  accessTokenTTL: seconds.optional(),
  /** JWS algorithm for this API's JWT access tokens */
  signingAlg: z.string().optional(),
  /** TOK-8: tokens for this API carry PII/PHI and are encrypted to its key */
  encrypt: z.strictObject({ jwk: z.record(z.string(), z.unknown()), alg: z.string(), enc: z.string() }).optional(),
});

// Consumers read `scopes` as scope → description; the person marks are kept apart.
const resourceServer = resourceServerFields.transform(({ scopes, ...api }) => ({
  ...api,
  scopes: Object.fromEntries(Object.entries(scopes).map(([name, s]) => [name, typeof s === 'string' ? s : s.description])),
  /** GR-6: the scopes marked `actsForPerson` */
  personScopes: Object.entries(scopes).flatMap(([name, s]) => (typeof s === 'object' && s.actsForPerson ? [name] : [])),
}));

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
    /** live records held (default 1,000,000, about 3 KiB of heap each); beyond it writes answer 503 */
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
    /**
     * single-use writes and ledger appends wait for replicas (Redis WAIT): unset = one
     * replica on each master that has any; false = never
     */
    waitForReplicas: z
      .union([z.literal(false), z.strictObject({ replicas: z.number().int().positive(), timeoutMs: z.number().int().positive().max(1400).default(1000) })])
      .optional(),
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
  /** OIDC-8: at most this many decisions (records) per account and client, and per account, in `window` seconds */
  decisionLimits: z
    .strictObject({ perClient: z.number().int().positive().default(20), perAccount: z.number().int().positive().default(60), window: seconds.default(60) })
    .prefault({}),
});

/** A limit on password checks: `attempts` per `window`, then refused for `blockFor`. */
const strictLimit = z.strictObject({
  /** password checks (each reserved before it runs; a success gives its reservation back) */
  attempts: z.number().int().positive(),
  window: seconds,
  /** once the attempts are used up: refused for this long */
  blockFor: seconds,
});

/**
 * Login abuse resistance (one throttle for every password form). Strict limits per client
 * address and per (username, address); the username alone is only slowed down; a browser
 * that signed in before (device cookie) is counted on its own. With the Redis store the
 * counts are shared by every replica.
 */
const login = z.strictObject({
  throttle: z
    .strictObject({
      /** per client address, whatever the usernames */
      address: strictLimit.default({ attempts: 50, window: 3600, blockFor: 3600 }),
      /** per (username, client address) */
      accountAddress: strictLimit.default({ attempts: 5, window: 900, blockFor: 900 }),
      /** per username from browsers without its device cookie: slowed down, never locked (waits at most `window`) */
      account: z.strictObject({ attempts: z.number().int().positive(), window: seconds }).default({ attempts: 10, window: 300 }),
      /** per device cookie (a browser where this username signed in before): the only limit such a browser meets */
      device: strictLimit.default({ attempts: 10, window: 900, blockFor: 900 }),
      /** how long a successful sign-in keeps the browser's device cookie valid */
      deviceTrust: seconds.default(180 * 24 * 3600),
      /** password checks running at once; more get a quick "try again shortly" page */
      inFlight: z
        .strictObject({
          /** per username (a browser with the device cookie is not held to this) */
          perAccount: z.number().int().positive().default(2),
          /** per process, over all usernames */
          perProcess: z.number().int().positive().default(8),
        })
        .prefault({}),
    })
    .prefault({}),
});

/** Operations: the management listener for /metrics, /healthz and /readyz (README: Operations). */
const management = z.strictObject({
  /** keep it off the public interface: loopback by default */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535),
});

/** Operations: where audit events go (README: Operations, the audit catalogue). */
const audit = z.strictObject({
  sink: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('stdout') }),
      /** XADD to a stream over the Redis store's own connection settings, trimmed to about maxLength */
      z.strictObject({ type: z.literal('redis'), stream: z.string().min(1).default('idp:audit'), maxLength: z.number().int().positive().default(1_000_000) }),
      /** an agency's module exporting createAuditSink(options) → { write(event), close?() } */
      z.strictObject({ type: z.literal('module'), path: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) }),
    ])
    .default({ type: 'stdout' }),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  /** development: http issuer, ephemeral keys and secrets, the demo relying party */
  mode: z.enum(['development', 'production']).default('production'),
  issuer: z.url(),
  port: z.number().int().min(0).max(65535).default(3000),
  /**
   * EP-11: TLS ends at a proxy in front; believe its X-Forwarded-* headers. `true`: one
   * proxy (the right-most X-Forwarded-For entry is the client); `{ trusted: [CIDR…] }`:
   * only from these proxy addresses; `{ hops: n }`: n proxies in front, each appending.
   */
  proxy: z
    .union([
      z.boolean(),
      z.strictObject({ trusted: z.array(z.string().refine((v) => parseCidr(v) !== undefined, 'an address or CIDR block, e.g. 10.0.0.0/8')).min(1) }),
      z.strictObject({ hops: z.number().int().min(1).max(10) }),
    ])
    .default(false),
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
      /** TOK-9: algorithms accepted for private_key_jwt client assertions; RS256/384/512 only when listed (an opt-in) */
      clientAuthentication: z.array(z.string()).min(1).default([...APPROVED_SIGNING]),
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
      /** EP-2: classifications whose DPoP proofs must carry a server nonce (SENSITIVE always does) */
      dpopNonceFor: z.array(z.enum(CLASSIFICATIONS)).default(['SENSITIVE']),
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
  /** no management listener unless set */
  management: management.optional(),
  audit: audit.prefault({}),
  /** per-address limit on /authorize, /par and /logout together (requests in `window` seconds) */
  limits: z
    .strictObject({ stateCreating: z.strictObject({ requests: z.number().int().positive().default(600), window: seconds.default(60) }).prefault({}) })
    .prefault({}),
  /** SIGTERM: drain, then stop (README: Shutting down) */
  shutdown: z
    .strictObject({
      /** seconds /readyz answers 503 while requests are still served, so load balancers stop sending */
      drain: z.number().int().min(0).default(5),
      /** seconds after SIGTERM at which connections still open are closed by force */
      deadline: seconds.default(30),
    })
    .prefault({}),
});

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type ResourceServerConfig = z.output<typeof resourceServer>;
export type AccountConfig = z.output<typeof account>;
export type ScopeDoc = z.output<typeof scopeDoc>;
export type StoreConfig = z.output<typeof store>;
export type Deviation = z.output<typeof deviation>;
export type LoginConfig = z.output<typeof login>;
export type ManagementConfig = z.output<typeof management>;
