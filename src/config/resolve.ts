// The validated deployment file resolved into a Config: its secrets read (inline, env or
// file), the signing JWKS and TLS files loaded, each problem named by its field and rule.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sourceSecretRefs } from '../accounts/sources/secrets.js';
import { isRepeatedChar } from '../policy/secrets.js';
import { redisUrlProblem } from '../policy/store.js';
import { API_KEY_MIN_LENGTH, type ClientEntry, type Config, type Jwks, type Secrets, type TlsMaterial } from './config.js';
import { ConfigError } from './errors.js';
import { secretReader, type SecretReader } from './reader.js';
import { jwksSchema, type ParsedConfig } from './schema.js';

export interface ResolveOptions {
  /**
   * false: leave `{ env }` / `{ file }` secrets, the signing JWKS file and the TLS files
   * unread and list them in `unresolvedSecrets` (checks on their values are not made).
   */
  resolveSecrets?: boolean;
}

/** TOK-2, EP-2, TOK-10: the keys and tokens of `secrets`, the store's passwords and the export token. */
function secretsOf(parsed: ParsedConfig, r: SecretReader): Secrets {
  const { problems, read, key32 } = r;
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
  return secrets;
}

/** A client secret is a secret like the others: the file need never hold it in clear. */
function clientsOf(parsed: ParsedConfig, r: SecretReader): ClientEntry[] {
  return parsed.clients.map((client, i) => {
    const { client_secret: ref, ...rest } = client;
    if (ref === undefined) return rest;
    const value = r.read(ref, `clients[${i}].client_secret`);
    return value === undefined ? rest : { ...rest, client_secret: value };
  });
}

/** EP-7: the signing JWKS, inline or from its file (the file's path kept for the hot reload). */
function signingKeysOf(parsed: ParsedConfig, r: SecretReader): { signingJwks: Jwks | undefined; signingJwksPath: string | undefined } {
  const { problems, reading, fromFile } = r;
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
  return { signingJwks, signingJwksPath };
}

export function resolveConfig(parsed: ParsedConfig, source: string, baseDir: string, env: NodeJS.ProcessEnv, options: ResolveOptions = {}): Config {
  const r = secretReader(baseDir, env, options.resolveSecrets ?? true);
  if (parsed.store.type === 'redis' && parsed.store.url !== undefined) {
    const problem = redisUrlProblem(parsed.store.url);
    if (problem) r.problems.push({ field: 'store.url', message: problem });
  }
  const secrets = secretsOf(parsed, r);
  const clients = clientsOf(parsed, r);
  const { signingJwks, signingJwksPath } = signingKeysOf(parsed, r);
  const { readFile } = r;
  const tlsMaterial: TlsMaterial = {
    server: parsed.tls ? { cert: readFile(parsed.tls.certFile, 'tls.certFile', true), key: readFile(parsed.tls.keyFile, 'tls.keyFile', true) } : undefined,
    clientCas: parsed.mtls.caFile ? readFile(parsed.mtls.caFile, 'mtls.caFile') : '',
  };

  // Identity sources' secrets (directory bind passwords, upstream client credentials), by source id.
  const sourceSecrets: Record<string, string> = {};
  for (const { id, field, ref } of sourceSecretRefs(parsed.sources)) {
    const value = r.read(ref, field);
    if (value !== undefined) sourceSecrets[id] = value;
  }

  if (r.problems.length) throw new ConfigError(source, r.problems);

  const { secrets: _s, keys: _k, clients: _c, ...rest } = parsed;
  return { ...rest, clients, source, baseDir, secrets, signingJwks, signingJwksPath, tlsMaterial, unresolvedSecrets: r.unresolvedSecrets, sourceSecrets };
}
