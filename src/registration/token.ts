// EP-10: make an initial access token for /register where the running IdP finds it —
// in the deployment's shared store (Redis), sealed like every record (TOK-2).
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/load.js';
import { stderrSink } from '../ops/audit-sinks.js';
import { openCore } from '../core.js';
import { CLASSIFICATIONS, isClassification, type Classification } from '../policy/classification.js';
import { allowancePolicies, type Allowance } from '../policy/registration.js';
import { SINGLE_USE } from './policies.js';

export const DEFAULT_TTL = 24 * 3600;
export const MAX_TTL = 30 * 24 * 3600;

export interface TokenOptions {
  /** GR-2, EP-10: the highest classification a client may register with this token */
  classification: Classification;
  /** the only `scope` values the registration may list (default: any the deployment offers) */
  scopes?: readonly string[];
  /** the only APIs (resource identifiers) the client may get tokens for (default: any its class reaches) */
  apis?: readonly string[];
  /** seconds until the token expires */
  expiresIn?: number;
  /** allow more than one registration with the token (default: single use) */
  reusable?: boolean;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
  singleUse: boolean;
  allowance: Allowance;
}

/** Why this deployment cannot take a token from another process, or undefined. */
export function cannotIssue(config: Config): { field: string; message: string } | undefined {
  if (!config.features.registration) {
    return { field: 'features.registration', message: 'dynamic registration is off in this deployment file; turn it on first.' };
  }
  if (config.store.type !== 'redis') {
    return { field: 'store', message: 'this deployment uses the in-memory store, which lives inside the IdP process: a token made here could never reach it. Use the Redis store (store.type = "redis", or REDIS_URL) so the IdP and this command share it.' };
  }
  if (config.secrets.ephemeral) {
    return { field: 'secrets', message: 'this deployment file has no secrets, so the IdP makes up its sealing keys at start-up and could not read a token stored by this command. Set secrets (cookieKeys, sealingKeys, lookupKey).' };
  }
  return undefined;
}

/** The policies an initial access token carries: its allowance, then single use unless reusable. */
export function tokenPolicies(allowance: Allowance, reusable = false): string[] {
  return [...allowancePolicies(allowance), ...(reusable ? [] : [SINGLE_USE])];
}

export async function issueInitialAccessToken(config: Config, options: TokenOptions): Promise<IssuedToken> {
  const reason = cannotIssue(config);
  if (reason) throw new ConfigError(config.source, [{ ...reason, rule: 'EP-10' }]);
  const expiresIn = options.expiresIn ?? DEFAULT_TTL;
  if (!Number.isSafeInteger(expiresIn) || expiresIn < 60 || expiresIn > MAX_TTL) {
    throw new RangeError(`--expires-in must be whole seconds between 60 and ${MAX_TTL}`);
  }
  if (!isClassification(options.classification)) throw new RangeError(`--classification must be one of ${CLASSIFICATIONS.join(', ')}`);
  const offered = new Set(['openid', 'offline_access', ...Object.keys(config.scopes)]);
  const unknown = (options.scopes ?? []).filter((s) => !offered.has(s));
  if (unknown.length) throw new RangeError(`--scope: not a scope of this deployment: ${unknown.join(' ')} (offered: ${[...offered].join(' ')})`);
  const identifiers = config.resourceServers.map((api) => api.identifier);
  const unknownApis = (options.apis ?? []).filter((a) => !identifiers.includes(a));
  if (unknownApis.length) throw new RangeError(`--api: not an API of this deployment: ${unknownApis.join(' ')} (APIs: ${identifiers.join(' ') || 'none'})`);
  // The same store and sealing keys as the running IdP, without booting one (src/core.ts).
  // Its stdout carries the token alone (it is piped), so a stdout audit line goes to stderr.
  const core = await openCore(config, {
    ...(config.audit.sink.type === 'stdout' ? { auditSink: stderrSink() } : {}),
    onAuditFailure: (message) => process.stderr.write(`${message}\n`),
  });
  try {
    const allowance: Allowance = {
      maxClassification: options.classification,
      ...(options.scopes?.length ? { scopes: options.scopes } : {}),
      ...(options.apis?.length ? { apis: options.apis } : {}),
    };
    const policies = tokenPolicies(allowance, options.reusable);
    // The record the library's InitialAccessToken.save() writes for an opaque token: the
    // token is its id, 256 random bits as the library makes them (formats.bitsOfOpaqueRandomness).
    const token = randomBytes(32).toString('base64url');
    const iat = Math.floor(Date.now() / 1000);
    await core.store.adapter('InitialAccessToken').upsert(token, { iat, exp: iat + expiresIn, jti: token, kind: 'InitialAccessToken', policies }, expiresIn);
    core.audit.emit('registration_token.minted', {}, { tokenRef: core.audit.tokenRef(token), singleUse: !options.reusable });
    return { token, expiresAt: new Date((iat + expiresIn) * 1000), singleUse: !options.reusable, allowance };
  } finally {
    await core.close();
  }
}
