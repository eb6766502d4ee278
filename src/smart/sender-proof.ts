// EP-2, OIDC-9: a sender-constrained token at POST /smart/launch, checked as the library
// checks one at /userinfo: a DPoP-bound token (RFC 9449) comes as `Authorization: DPoP`
// with a fresh, unreplayed proof for this request signed by the bound key; an mTLS-bound
// token (RFC 8705) comes over a connection with the bound certificate (from the TLS
// socket or a trusted proxy's header, src/provider/mtls.ts). So a SENSITIVE EHR, whose
// tokens are always bound, can launch apps.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';
import type { Provider } from 'oidc-provider';
import type { Config } from '../config/load.js';
import { mtlsFeature } from '../provider/mtls.js';

/** The DPoP proof algorithms the provider accepts (src/provider/configuration.ts, dPoPSigningAlgValues). */
const DPOP_ALGS = ['ES256', 'PS256', 'EdDSA'];
/** How old (or how far ahead) a proof's iat may be, in seconds: the library's window. */
const PROOF_WINDOW = 300;

export interface Binding {
  jkt?: unknown;
  'x5t#S256'?: unknown;
}

export type ProofCheck = { ok: true } | { ok: false; error: 'invalid_token' | 'invalid_dpop_proof'; description: string; challenge: string };

const refuse = (error: 'invalid_token' | 'invalid_dpop_proof', description: string, scheme: 'DPoP' | 'Bearer'): ProofCheck => ({ ok: false, error, description, challenge: `${scheme} error="${error}"` });

/** The certificate check needs the deployment's mTLS settings; built once per route. */
export function senderProofChecker(provider: Provider, config: Config) {
  const certificateOf = mtlsFeature(config).getCertificate as ((ctx: Context) => { raw: Buffer } | undefined) | undefined;
  const url = `${config.issuer.replace(/\/$/, '')}/smart/launch`;

  return async function check(ctx: Context, scheme: string, token: string, binding: Binding, clientId: string): Promise<ProofCheck> {
    const jkt = typeof binding.jkt === 'string' ? binding.jkt : undefined;
    const x5t = typeof binding['x5t#S256'] === 'string' ? binding['x5t#S256'] : undefined;
    if (!jkt && scheme !== 'bearer') return refuse('invalid_token', 'this token is not DPoP-bound: send it as Authorization: Bearer (OIDC-9)', 'Bearer');
    if (x5t) {
      const cert = certificateOf?.(ctx);
      const thumbprint = cert ? createHash('sha256').update(cert.raw).digest('base64url') : undefined;
      if (thumbprint !== x5t) return refuse('invalid_token', 'this token is bound to a client certificate: send it over mutual TLS with that certificate (RFC 8705, EP-2)', 'Bearer');
    }
    if (!jkt) return { ok: true };
    // RFC 9449 section 7: a DPoP-bound token with its proof, under the DPoP scheme.
    const proof = ctx.get('dpop');
    if (scheme !== 'dpop' || !proof) return refuse('invalid_token', 'this token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof (RFC 9449, EP-2)', 'DPoP');
    try {
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: DPOP_ALGS });
      if (typeof payload.jti !== 'string' || !payload.jti || typeof payload.iat !== 'number') throw new Error('the proof needs jti and iat');
      if (Math.abs(Date.now() / 1000 - payload.iat) > PROOF_WINDOW) throw new Error('the proof is not recent');
      if (payload.htm !== ctx.method) throw new Error('htm is not this request\'s method');
      if (typeof payload.htu !== 'string' || payload.htu.split(/[?#]/)[0] !== url) throw new Error(`htu is not ${url}`);
      if (payload.ath !== createHash('sha256').update(token).digest('base64url')) throw new Error('ath is not this token\'s hash');
      if ((await calculateJwkThumbprint(protectedHeader.jwk ?? {})) !== jkt) throw new Error('the proof is not signed by the key the token is bound to');
      // The library's replay store, as for its own proofs.
      const unique = await (provider as unknown as { ReplayDetection: { unique(iss: string, jti: string, exp: number): Promise<boolean> } }).ReplayDetection.unique(clientId, payload.jti, payload.iat + PROOF_WINDOW);
      if (!unique) throw new Error('the proof was used before');
    } catch (err) {
      const why = err instanceof Error && !('code' in err) ? err.message : 'the proof is not a valid DPoP proof JWT';
      return refuse('invalid_dpop_proof', `the DPoP proof does not match: ${why} (RFC 9449, EP-2)`, 'DPoP');
    }
    return { ok: true };
  };
}
