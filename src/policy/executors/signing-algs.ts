// TOK-9: a client asks only for approved algorithms. Registration: the algorithms it wants
// its ID tokens, userinfo, JARM and introspection responses signed with are approved here,
// and `none` never signs its request objects. The library's enabledJWA lists the same
// algorithms (src/provider/configuration.ts), so it refuses others first.
import type { Problem } from '../../config/errors.js';
import { isSigningAlgAllowed } from '../algorithms.js';
import type { Executor } from './types.js';

const SIGNED_RESPONSE_FIELDS = ['id_token_signed_response_alg', 'userinfo_signed_response_alg', 'authorization_signed_response_alg', 'introspection_signed_response_alg'];

export const signingAlgs: Executor = {
  name: 'signing-algs',
  report: [
    {
      rule: 'TOK-9',
      mechanism:
        'start-up refuses none, HS* and unapproved algorithms (src/policy/deployment.ts), and registration refuses unapproved response-signing algorithms (src/policy/executors/signing-algs.ts); enabledJWA limits what the library signs and accepts: tokens with the approved list, request objects asymmetric only, client assertions with algorithms.clientAuthentication (HS* solely for client_secret_jwt); an assertion with another algorithm is refused naming TOK-9 and the accepted ones',
    },
  ],
  checkClient(meta, _client, ctx) {
    const problems: Problem[] = [];
    for (const field of SIGNED_RESPONSE_FIELDS) {
      const alg = meta[field];
      if (alg !== undefined && (typeof alg !== 'string' || !isSigningAlgAllowed(alg, ctx.signingAlgs))) {
        problems.push({ field, message: `"${typeof alg === 'string' ? alg : JSON.stringify(alg)}" is not an approved signing algorithm here`, rule: 'TOK-9' });
      }
    }
    if (meta.request_object_signing_alg === 'none') problems.push({ field: 'request_object_signing_alg', message: '"none" is never accepted', rule: 'TOK-9' });
    return problems;
  },
};
