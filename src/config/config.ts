// What a resolved deployment holds (Config): the validated file with its secrets read, its
// signing keys and TLS files loaded, and where it came from. src/config/load.ts builds it.
import type { ParsedConfig } from './schema.js';
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
