// TOK-2: every record a store keeps is sealed. Keys are keyed hashes of the ids (an
// opaque token's id *is* its bearer value), payloads are AES-256-GCM with a key id so
// sealing keys rotate without invalidating live records.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomFillSync } from 'node:crypto';

export interface SealingKey {
  kid: string;
  /** 32 bytes of key material. */
  key: Buffer;
}

export interface Sealer {
  /** The storage key for a record: HMAC(lookup key, model + id), never the id itself. */
  lookup(model: string, id: string): string;
  seal(payload: unknown, aad: string): string;
  open(sealed: string, aad: string): unknown;
  /** Optional: seal(), given the payload already as JSON (the store keeps that JSON for the request). */
  sealJson?(json: string, aad: string): string;
  /** Optional: open(), giving back the JSON rather than parsing it. */
  openJson?(sealed: string, aad: string): string;
}

const VERSION = 'v1';

// Derived keys are kept as Buffers, not KeyObjects: Node 20 re-checks a KeyObject on every
// createHmac/createCipheriv, which made a lookup 6 µs instead of 3.5 and a seal 9 µs
// instead of 6.5 (#13.7, test/bench/README.md). The bytes are the same either way.
function derive(secret: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `health-idp ${label}`, 32));
}

// Random IVs drawn from a pool refilled from the CSPRNG in batches: one syscall per 1,024
// seals instead of one per seal (the store seals on every write; see test/bench).
const IV_BYTES = 12;
const ivPool = Buffer.alloc(IV_BYTES * 1024);
let ivOffset = ivPool.length;
function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + IV_BYTES));
  ivOffset += IV_BYTES;
  return iv;
}

export function createSealer(keys: readonly SealingKey[], lookupSecret: Buffer): Sealer {
  const [current] = keys;
  if (!current) throw new Error('at least one sealing key is required (TOK-2)');
  const encryptionKeys = new Map(keys.map((k) => [k.kid, derive(k.key, 'seal')]));
  const currentKey = encryptionKeys.get(current.kid) as Buffer;
  const lookupKey = derive(lookupSecret, 'lookup');
  const currentKid = current.kid;

  function sealJson(json: string, aad: string): string {
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    return [VERSION, currentKid, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  function openJson(sealed: string, aad: string): string {
    const [version, kid, iv, ct, tag] = sealed.split('.');
    const key = kid === undefined ? undefined : encryptionKeys.get(kid);
    if (version !== VERSION || !key || !iv || !ct || !tag) {
      throw new Error(`sealed record uses an unknown format or key id "${kid ?? ''}"`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  return {
    lookup(model, id) {
      return createHmac('sha256', lookupKey).update(`${model}\0${id}`).digest('base64url');
    },
    seal(payload, aad) {
      return sealJson(JSON.stringify(payload), aad);
    },
    open(sealed, aad) {
      return JSON.parse(openJson(sealed, aad)) as unknown;
    },
    sealJson,
    openJson,
  };
}
