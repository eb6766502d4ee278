// Deployment file → validated, resolved Config. Environment variables override what
// operators set per environment; secrets come from the file, an env var or a file path.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, pathOf, type Problem } from './errors.js';
import { sourceSecretRefs } from '../accounts/sources/secrets.js';
import { configSchema, jwksSchema, type ParsedConfig, type SecretRef } from './schema.js';
import { isRepeatedByte, isRepeatedChar } from '../policy/secrets.js';
import { redisUrlProblem } from '../policy/store.js';
import type { SealingKey } from '../storage/seal.js';

export interface Jwks {
  keys: Record<string, unknown>[];
}

/** TOK-10: an API key (here: the operator's ledger-export token) is at least 40 random characters. */
export const API_KEY_MIN_LENGTH = 40;

export interface RedisAuth {
  password?: string | undefined;
  sentinelPassword?: string | undefined;
}

export interface Secrets {
  /** Redis passwords, when the store is Redis and has them */
  redis?: RedisAuth | undefined;
  /** the operator token for the consent-ledger export route, when configured */
  exportToken?: string | undefined;
  cookieKeys: string[];
  sealingKeys: SealingKey[];
  lookupKey: Buffer;
  /** 32 bytes behind the DPoP nonces (features.dPoP.nonceSecret); replicas share it */
  dpopNonceKey: Buffer;
  /** true when the DPoP nonce key was made up at start-up: nonces are then per process */
  dpopNonceKeyMadeUp: boolean;
  /** true when made up at start-up (development only): nothing survives a restart */
  ephemeral: boolean;
}

export interface TlsMaterial {
  /** PEM server certificate chain and key, when the IdP serves HTTPS itself */
  server?: { cert: string; key: string } | undefined;
  /** PEM bundle of CAs trusted for tls_client_auth */
  clientCas: string;
}

/** A static client as the library gets it: its secret resolved from the file, env or inline. */
export interface ClientEntry {
  client_id: string;
  classification?: string | undefined;
  client_secret?: string;
  [field: string]: unknown;
}

export interface Config extends Omit<ParsedConfig, 'secrets' | 'keys' | 'clients'> {
  clients: ClientEntry[];
  tlsMaterial: TlsMaterial;
  /** where the configuration came from, for messages */
  source: string;
  /** the directory relative paths in the file are resolved against (the file's own) */
  baseDir: string;
  secrets: Secrets;
  /** undefined: ephemeral keys (development only), or not read (see unresolvedSecrets) */
  signingJwks: Jwks | undefined;
  /** EP-7: the file signingJwks was read from (absolute), watched for rotations; undefined when inline */
  signingJwksPath?: string | undefined;
  /**
   * Secret material deliberately left unread (`resolveSecrets: false`, the compliance
   * report's --no-secrets): one entry per field, e.g. `secrets.lookupKey (file /run/secrets/k)`.
   * A Config with any entry here is for reporting only; createIdp refuses it.
   */
  unresolvedSecrets: string[];
  /** each identity source's secret (bind password, client secret or private JWK), by source id */
  sourceSecrets: Record<string, string>;
}

export const DEFAULT_CONFIG = 'config/development.json';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * false: leave `{ env }` / `{ file }` secrets, the signing JWKS file and the TLS files
   * unread and list them in `unresolvedSecrets` (checks on their values are not made).
   */
  resolveSecrets?: boolean;
}

function readJson(path: string, source: string, field: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(source, [{ field, message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(source, [{ field, message: `${path} is not valid JSON: ${(err as Error).message}` }]);
  }
}

function withLoopbackPort(issuer: string, port: string): string {
  try {
    const url = new URL(issuer);
    if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return issuer;
    url.port = port;
    return url.href.replace(/\/$/, '');
  } catch {
    return issuer;
  }
}

/** OIDC-9: the demo FHIR API is served under the issuer, so it moves when the issuer does. */
function withDemoFhirAt(servers: unknown, base: string): unknown {
  if (!Array.isArray(servers)) return servers;
  return servers.map((s: unknown) => {
    const api = s as { fhir?: { demo?: unknown } } | null;
    return api && typeof api === 'object' && api.fhir?.demo === true ? { ...api, identifier: base } : s;
  });
}

/** Apply the environment overrides (PORT, ISSUER, HOST, REDIS_URL) to the raw file. */
function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  if (env.PORT !== undefined && env.PORT !== '') {
    out.port = Number(env.PORT);
    // A developer moving the port on a laptop means the issuer moves with it.
    if (!env.ISSUER && out.mode === 'development' && typeof out.issuer === 'string') out.issuer = withLoopbackPort(out.issuer, env.PORT);
  }
  if (env.ISSUER) out.issuer = env.ISSUER;
  if (out.issuer !== (raw as Record<string, unknown>).issuer) out.resourceServers = withDemoFhirAt(out.resourceServers, `${String(out.issuer).replace(/\/$/, '')}/demo/fhir`);
  if (env.HOST) out.host = env.HOST;
  if (env.REDIS_URL) {
    const current = (out.store ?? {}) as Record<string, unknown>;
    out.store = { ...(current.type === 'redis' ? current : { type: 'redis' }), url: env.REDIS_URL };
  }
  return out;
}

export function loadConfig(path: string, options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const source = path;
  // Named as the operator set it: the variable, not the file field it overrides.
  const redisEnv = env.REDIS_URL ? redisUrlProblem(env.REDIS_URL) : undefined;
  if (redisEnv) throw new ConfigError(source, [{ field: 'REDIS_URL (environment variable)', message: redisEnv }]);
  const raw = applyEnv(readJson(path, source, '(file)'), env);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.map((issue) => ({
        field: pathOf(issue.path),
        // A bad record key (a scope name) says what was wrong with it, not just "Invalid key".
        message: issue.code === 'invalid_key' ? `invalid name: ${issue.issues.map((i) => i.message).join('; ')}` : issue.message,
      })),
    );
  }
  return resolveConfig(parsed.data, source, dirname(path), env, options);
}

export function resolveConfig(parsed: ParsedConfig, source: string, baseDir: string, env: NodeJS.ProcessEnv, options: Pick<LoadOptions, 'resolveSecrets'> = {}): Config {
  const problems: Problem[] = [];
  const fromFile = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const resolveSecrets = options.resolveSecrets ?? true;
  const unresolvedSecrets: string[] = [];
  /** false (and noted) when secret material at `field` is to be left unread */
  const reading = (field: string, where: string): boolean => {
    if (!resolveSecrets) unresolvedSecrets.push(`${field} (${where})`);
    return resolveSecrets;
  };

  const read = (ref: SecretRef, field: string): string | undefined => {
    if (typeof ref === 'string') return ref;
    if (!reading(field, 'env' in ref ? `env ${ref.env}` : `file ${ref.file}`)) return undefined;
    if ('env' in ref) {
      const value = env[ref.env];
      if (!value) problems.push({ field, message: `environment variable ${ref.env} is not set` });
      return value || undefined;
    }
    try {
      return readFileSync(fromFile(ref.file), 'utf8').trim();
    } catch (err) {
      problems.push({ field, message: `cannot read secret file ${ref.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return undefined;
    }
  };

  const key32 = (ref: SecretRef, field: string, rule = 'TOK-2'): Buffer | undefined => {
    const value = read(ref, field);
    if (value === undefined) return undefined;
    const bytes = Buffer.from(value, 'base64url');
    if (bytes.length !== 32) {
      problems.push({ field, message: 'must be 32 random bytes, base64url-encoded (e.g. `openssl rand -base64 32 | tr "+/" "-_" | tr -d =`)', rule });
      return undefined;
    }
    if (isRepeatedByte(bytes)) {
      problems.push({ field, message: 'is one byte repeated (all zeros or the like), not random bytes', rule });
      return undefined;
    }
    return bytes;
  };

  if (parsed.store.type === 'redis' && parsed.store.url !== undefined) {
    const problem = redisUrlProblem(parsed.store.url);
    if (problem) problems.push({ field: 'store.url', message: problem });
  }

  let secrets: Secrets;
  if (parsed.secrets) {
    const cookieKeys = parsed.secrets.cookieKeys.map((ref, i) => {
      const value = read(ref, `secrets.cookieKeys[${i}]`);
      if (value !== undefined && value.length < 32) {
        problems.push({ field: `secrets.cookieKeys[${i}]`, message: 'must be at least 32 characters' });
      } else if (value !== undefined && isRepeatedChar(value)) {
        problems.push({ field: `secrets.cookieKeys[${i}]`, message: 'is one character repeated, not random', rule: 'TOK-2' });
      }
      return value ?? '';
    });
    // Unread (or refused, which stops loading below): the kid still counts for the report.
    const sealingKeys = parsed.secrets.sealingKeys.map(({ kid, key }, i) => ({ kid, key: key32(key, `secrets.sealingKeys[${i}].key`) ?? Buffer.alloc(0) }));
    const lookupKey = key32(parsed.secrets.lookupKey, 'secrets.lookupKey') ?? Buffer.alloc(0);
    const nonceRef = parsed.secrets.dpopNonceKey;
    // EP-2: replicas sharing a Redis store must accept each other's DPoP nonces.
    if (nonceRef === undefined && parsed.mode === 'production' && parsed.store.type === 'redis') {
      problems.push({ field: 'secrets.dpopNonceKey', message: 'is required with the Redis store (replicas must share DPoP nonces): 32 random bytes, base64url', rule: 'EP-2' });
    }
    const dpopNonceKey = nonceRef === undefined ? randomBytes(32) : (key32(nonceRef, 'secrets.dpopNonceKey', 'EP-2') ?? Buffer.alloc(0));
    secrets = { cookieKeys, sealingKeys, lookupKey, dpopNonceKey, dpopNonceKeyMadeUp: nonceRef === undefined, ephemeral: false };
  } else if (parsed.mode === 'development') {
    secrets = {
      cookieKeys: [randomBytes(32).toString('base64url')],
      sealingKeys: [{ kid: 'ephemeral', key: randomBytes(32) }],
      lookupKey: randomBytes(32),
      dpopNonceKey: randomBytes(32),
      dpopNonceKeyMadeUp: true,
      ephemeral: true,
    };
  } else {
    problems.push({ field: 'secrets', message: 'is required in production mode (cookie keys, sealing keys, lookup key)', rule: 'TOK-2' });
    secrets = { cookieKeys: [], sealingKeys: [], lookupKey: Buffer.alloc(0), dpopNonceKey: Buffer.alloc(0), dpopNonceKeyMadeUp: false, ephemeral: false };
  }

  if (parsed.store.type === 'redis' && (parsed.store.password || parsed.store.sentinelPassword)) {
    const { password, sentinelPassword } = parsed.store;
    secrets.redis = {
      password: password ? read(password, 'store.password') : undefined,
      sentinelPassword: sentinelPassword ? read(sentinelPassword, 'store.sentinelPassword') : undefined,
    };
  }

  if (parsed.consent.exportToken) {
    const token = read(parsed.consent.exportToken, 'consent.exportToken');
    if (token !== undefined && token.length < API_KEY_MIN_LENGTH) {
      problems.push({ field: 'consent.exportToken', message: `must be at least ${API_KEY_MIN_LENGTH} random characters`, rule: 'TOK-10' });
    } else if (token !== undefined && isRepeatedChar(token)) {
      problems.push({ field: 'consent.exportToken', message: 'is one character repeated, not random', rule: 'TOK-10' });
    }
    secrets.exportToken = token;
  }

  // A client secret is a secret like the others: the file need never hold it in clear.
  const clients: ClientEntry[] = parsed.clients.map((client, i) => {
    const { client_secret: ref, ...rest } = client;
    if (ref === undefined) return rest;
    const value = read(ref, `clients[${i}].client_secret`);
    return value === undefined ? rest : { ...rest, client_secret: value };
  });

  let signingJwks: Jwks | undefined;
  let signingJwksPath: string | undefined;
  const signing = parsed.keys?.signing;
  if (signing && 'jwks' in signing) {
    signingJwks = signing.jwks;
  } else if (signing && !reading('keys.signing.path', `file ${signing.path}`)) {
    signingJwks = undefined;
  } else if (signing) {
    let json: unknown;
    try {
      signingJwksPath = fromFile(signing.path);
      json = JSON.parse(readFileSync(signingJwksPath, 'utf8')) as unknown;
    } catch (err) {
      problems.push({ field: 'keys.signing.path', message: `cannot read a JWKS from ${signing.path}: ${(err as NodeJS.ErrnoException).code ?? 'not valid JSON'}` });
    }
    const shaped = json === undefined ? undefined : jwksSchema.safeParse(json);
    if (shaped?.success) signingJwks = shaped.data;
    else if (shaped) problems.push({ field: 'keys.signing.path', message: `${signing.path} does not hold a JWKS: { "keys": [ one or more JWK objects ] }`, rule: 'EP-7' });
  } else if (parsed.mode !== 'development') {
    problems.push({ field: 'keys.signing', message: 'is required in production mode (a private JWKS, inline or as a path)', rule: 'EP-7' });
  }

  const readFile = (path: string, field: string, secret = false): string => {
    if (secret && !reading(field, `file ${path}`)) return '';
    try {
      return readFileSync(fromFile(path), 'utf8');
    } catch (err) {
      problems.push({ field, message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return '';
    }
  };
  const tlsMaterial: TlsMaterial = {
    server: parsed.tls ? { cert: readFile(parsed.tls.certFile, 'tls.certFile', true), key: readFile(parsed.tls.keyFile, 'tls.keyFile', true) } : undefined,
    clientCas: parsed.mtls.caFile ? readFile(parsed.mtls.caFile, 'mtls.caFile') : '',
  };

  // Identity sources' secrets (directory bind passwords, upstream client credentials), by source id.
  const sourceSecrets: Record<string, string> = {};
  for (const { id, field, ref } of sourceSecretRefs(parsed.sources)) {
    const value = read(ref, field);
    if (value !== undefined) sourceSecrets[id] = value;
  }

  if (problems.length) throw new ConfigError(source, problems);

  const { secrets: _s, keys: _k, clients: _c, ...rest } = parsed;
  return { ...rest, clients, source, baseDir, secrets, signingJwks, signingJwksPath, tlsMaterial, unresolvedSecrets, sourceSecrets };
}
