// TOK-8: a token that carries PII/PHI is encrypted (JWE). Start-up: an API whose access
// tokens are encrypted (resourceServers[].encrypt) names approved JWE algorithms only.
// Access tokens carry no identity claims (RFC 9068 claims only); an ID token carries them
// only when encrypted to a client that registered for it (src/provider/accounts.ts), and
// the compliance report says what this build's ID tokens carry (src/compliance/rules/tokens.ts).
import type { Problem } from '../../config/errors.js';
import { APPROVED_CONTENT_ENCRYPTION, APPROVED_KEY_MANAGEMENT } from '../algorithms.js';
import type { Executor } from './types.js';

export const tokenEncryption: Executor = {
  name: 'token-encryption',
  report: [
    {
      rule: 'TOK-8',
      mechanism:
        'access tokens carry RFC 9068 claims only, and an API listed with encrypt gets JWE access tokens; start-up refuses key-management and content-encryption algorithms outside the approved lists (src/policy/executors/token-encryption.ts); an ID token gets identity claims only when the client registered id_token_encrypted_response_alg, so it travels as JWE (features.encryption, src/provider/accounts.ts)',
    },
  ],
  checkDeployment(config) {
    const problems: Problem[] = [];
    config.resourceServers.forEach((api, i) => {
      if (!api.encrypt) return;
      const at = `resourceServers[${i}].encrypt`;
      // TOK-8: only approved JWE algorithms protect the token's content.
      if (!(APPROVED_KEY_MANAGEMENT as readonly string[]).includes(api.encrypt.alg)) problems.push({ field: `${at}.alg`, message: `use one of ${APPROVED_KEY_MANAGEMENT.join(', ')}`, rule: 'TOK-8' });
      if (!(APPROVED_CONTENT_ENCRYPTION as readonly string[]).includes(api.encrypt.enc)) problems.push({ field: `${at}.enc`, message: `use one of ${APPROVED_CONTENT_ENCRYPTION.join(', ')}`, rule: 'TOK-8' });
    });
    return problems;
  },
};
