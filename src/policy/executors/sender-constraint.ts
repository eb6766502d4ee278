// EP-2: sender-constrained tokens (proof of possession). Registration: a profile that
// requires it (SENSITIVE; IN-CONFIDENCE with features.senderConstrainedInConfidence) needs
// DPoP- or mTLS-bound tokens, one mechanism not both; a self-registered client gets the one
// that fits its authentication set for it. Token endpoint and /par: DPoP proofs of
// SENSITIVE clients (and features.dpopNonceFor) carry a server nonce (RFC 9449 §8), as a
// proof without one can be made in advance. Start-up: mTLS needs a certificate to read,
// from TLS here or from a proxy the IdP trusts to forward it.
import type { Problem } from '../../config/errors.js';
import type { Classification } from '../../config/schema.js';
import type { Executor } from './types.js';

export function dpopNonceRequired(classification: unknown, configured: readonly Classification[]): boolean {
  return classification === 'SENSITIVE' || (configured as readonly unknown[]).includes(classification);
}

export const senderConstraint: Executor = {
  name: 'sender-constraint',
  libraryMessages: [
    { pattern: /DPoP|jkt|x5t#S256|mutual TLS/i, rule: 'EP-2' },
  ],
  report: [
    { rule: 'EP-2', mechanism: 'the profile limits token_endpoint_auth_method and refuses HTTP Basic and long-lived or multi-audience client assertions (src/policy/executors/client-auth.ts); SENSITIVE clients (and IN-CONFIDENCE with features.senderConstrainedInConfidence) must have DPoP- or mTLS-bound tokens, DPoP proofs with a server nonce; start-up refuses mTLS without TLS here or a trusted proxy forwarding the certificate (src/policy/executors/sender-constraint.ts)' },
  ],
  checkDeployment({ mtls, tls }) {
    const problems: Problem[] = [];
    if (mtls.enabled && !tls && !mtls.proxyHeader) {
      problems.push({ field: 'mtls', message: 'mutual TLS needs either tls (the IdP terminates TLS) or mtls.proxyHeader (a proxy forwards the certificate)', rule: 'EP-2' });
    }
    // EP-2: a certificate header from anyone would let a caller claim any client's certificate.
    if (mtls.proxyHeader && mtls.trustedProxies.length === 0) {
      problems.push({ field: 'mtls.trustedProxies', message: 'list the proxies allowed to forward client certificates; the header is ignored from anyone else', rule: 'EP-2' });
    }
    return problems;
  },
  fillInRegistration(meta, profile) {
    if (profile.senderConstrained !== 'required' || meta.dpop_bound_access_tokens !== undefined || meta.tls_client_certificate_bound_access_tokens !== undefined) return meta;
    const mtls = meta.token_endpoint_auth_method === 'tls_client_auth' || meta.token_endpoint_auth_method === 'self_signed_tls_client_auth';
    return { ...meta, [mtls ? 'tls_client_certificate_bound_access_tokens' : 'dpop_bound_access_tokens']: true };
  },
  checkClient(meta, { classification, profile }) {
    const dpop = meta.dpop_bound_access_tokens === true;
    const mtls = meta.tls_client_certificate_bound_access_tokens === true;
    if (profile.senderConstrained === 'required' && !dpop && !mtls) {
      return [{ field: 'dpop_bound_access_tokens', message: `a ${classification} client must be sender-constrained: set dpop_bound_access_tokens or tls_client_certificate_bound_access_tokens`, rule: 'EP-2' }];
    }
    if (dpop && mtls) return [{ field: 'dpop_bound_access_tokens', message: 'choose one proof-of-possession mechanism, DPoP or mTLS', rule: 'EP-2' }];
    return [];
  },
};
