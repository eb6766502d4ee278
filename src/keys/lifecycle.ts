// EP-7, TOK-9: the signing-key lifecycle kept in the deployment's JWKS file. Each key may carry
// two private members the library ignores: `activate_at` (epoch seconds it starts signing) and,
// implicitly, it stops signing when a newer key of its algorithm activates. A key published
// before it signs lets every relying party's /jwks cache learn it first (no replica signs
// with a key the others do not publish); a superseded key stays published, verify-only,
// until nothing it signed can still be valid. Pure functions of (jwks, now): no I/O here.
import { exportJWK, generateKeyPair } from 'jose';
import type { Jwks } from '../config/load.js';

export type Jwk = Jwks['keys'][number];
export const ACTIVATE_AT = 'activate_at';

/** ES256 → P-256, PS256 → RSA 3072 (TOK-9: approved algorithms only). */
export async function newKey(alg: string, now: number): Promise<Jwk> {
  const options = alg.startsWith('PS') || alg.startsWith('RS') ? { extractable: true, modulusLength: 3072 } : { extractable: true };
  const { privateKey } = await generateKeyPair(alg, options);
  const jwk = await exportJWK(privateKey);
  const kid = `${alg.toLowerCase()}-${new Date(now * 1000).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${Math.random().toString(36).slice(2, 6)}`;
  return { ...jwk, alg, use: 'sig', kid, [ACTIVATE_AT]: now };
}

const activateAt = (k: Jwk): number => (typeof k[ACTIVATE_AT] === 'number' ? k[ACTIVATE_AT] : 0);
const algOf = (k: Jwk): string => (typeof k.alg === 'string' ? k.alg : String(k.kty));

export type KeyState = 'pending' | 'active' | 'superseded';
export interface KeyStatus {
  kid: string;
  alg: string;
  state: KeyState;
  activateAt: number;
  /** when a newer key took over signing (superseded keys only) */
  stoppedAt?: number;
}

/** Where each key stands at `now`: per algorithm, the newest key already activated signs. */
export function keyStatus(jwks: Jwks, now: number): KeyStatus[] {
  return jwks.keys.map((key) => {
    const alg = algOf(key);
    const at = activateAt(key);
    const base = { kid: String(key.kid), alg, activateAt: at };
    if (at > now) return { ...base, state: 'pending' };
    // The earliest later key of the same algorithm that has activated ends this one's signing.
    const takeover = jwks.keys
      .filter((o) => o !== key && algOf(o) === alg && activateAt(o) > at && activateAt(o) <= now)
      .map(activateAt)
      .sort((a, b) => a - b)[0];
    return takeover === undefined ? { ...base, state: 'active' } : { ...base, state: 'superseded', stoppedAt: takeover };
  });
}

/**
 * What the provider is given: every key (so /jwks publishes them and its own tokens verify),
 * with active keys first and pending or superseded ones marked verify-only, which the
 * library's key selection for signing skips (`key_ops` must include "sign").
 */
export function providerJwks(jwks: Jwks, now: number): Jwks {
  const status = keyStatus(jwks, now);
  const keys = jwks.keys.map((key, i) => {
    const { [ACTIVATE_AT]: _a, ...rest } = key;
    return status[i]?.state === 'active' ? rest : { ...rest, key_ops: ['verify'] };
  });
  const active = keys.filter((_k, i) => status[i]?.state === 'active');
  return { keys: [...active, ...keys.filter((k) => !active.includes(k))] };
}

/** The next moment a pending key activates, for a timer; undefined when none is pending. */
export function nextActivation(jwks: Jwks, now: number): number | undefined {
  return jwks.keys.map(activateAt).filter((t) => t > now).sort((a, b) => a - b)[0];
}

/** `rotate`: one pending key per algorithm, activating `promoteAfter` seconds from now. */
export async function rotate(jwks: Jwks, algs: readonly string[], now: number, promoteAfter: number): Promise<{ jwks: Jwks; added: Jwk[] }> {
  const pending = new Set(keyStatus(jwks, now).filter((s) => s.state === 'pending').map((s) => s.alg));
  const added = await Promise.all([...new Set(algs)].filter((a) => !pending.has(a)).map((alg) => newKey(alg, now + promoteAfter)));
  return { jwks: { keys: [...jwks.keys, ...added] }, added };
}

/**
 * `retire`: drop superseded keys whose last signature has expired (stopped signing more
 * than `maxLifetime` seconds ago). Others that are superseded are `tooYoung` unless forced.
 */
export function retire(jwks: Jwks, now: number, maxLifetime: number, force = false): { jwks: Jwks; removed: KeyStatus[]; tooYoung: KeyStatus[] } {
  const status = keyStatus(jwks, now);
  const superseded = status.filter((s) => s.state === 'superseded');
  const expired = (s: KeyStatus) => (s.stoppedAt ?? now) + maxLifetime <= now;
  const removed = superseded.filter((s) => force || expired(s));
  const tooYoung = superseded.filter((s) => !removed.includes(s));
  const gone = new Set(removed.map((s) => s.kid));
  return { jwks: { keys: jwks.keys.filter((k) => !gone.has(String(k.kid))) }, removed, tooYoung };
}
