// TOK-9: approved algorithms only. Start-up: the file's ID-token, access-token, API and
// client-assertion algorithms are approved (none and HMAC never sign a token). Registration: the algorithms a client wants
// its ID tokens, userinfo, JARM and introspection responses signed with are approved here,
// and `none` never signs its request objects. The library's enabledJWA lists the same
// algorithms (src/provider/configuration.ts), so it refuses others first.
import type { Problem } from '../../config/errors.js';
import { APPROVED_SIGNING, enabledSigningAlgs, isSigningAlgAllowed, OPT_IN_SIGNING } from '../algorithms.js';
import type { Executor } from './types.js';

const SIGNED_RESPONSE_FIELDS = ['id_token_signed_response_alg', 'userinfo_signed_response_alg', 'authorization_signed_response_alg', 'introspection_signed_response_alg'];

export const signingAlgs: Executor = {
  name: 'signing-algs',
  report: [
    {
      rule: 'TOK-9',
      mechanism:
        'start-up refuses none, HS* and unapproved algorithms, and registration refuses unapproved response-signing algorithms (src/policy/executors/signing-algs.ts); enabledJWA limits what the library signs and accepts: tokens with the approved list, request objects asymmetric only, client assertions with algorithms.clientAuthentication (HS* solely for client_secret_jwt); an assertion with another algorithm is refused naming TOK-9 and the accepted ones',
    },
  ],
  checkDeployment(config) {
    const problems: Problem[] = [];
    const { idToken, accessToken, clientAuthentication } = config.algorithms;
    const signing = enabledSigningAlgs(idToken);
    // TOK-9: HMAC would sign with a secret every client shares; none signs nothing. Neither
    // is in the approved or opt-in lists (src/policy/algorithms.ts), so this one check refuses both.
    idToken.forEach((alg, i) => {
      if (!isSigningAlgAllowed(alg, idToken)) {
        problems.push({ field: `algorithms.idToken[${i}]`, message: `"${alg}" is not an approved signing algorithm`, rule: 'TOK-9' });
      }
    });
    if (!isSigningAlgAllowed(accessToken, signing)) {
      problems.push({ field: 'algorithms.accessToken', message: `"${accessToken}" is not an approved signing algorithm (or not in algorithms.idToken)`, rule: 'TOK-9' });
    }
    clientAuthentication.forEach((alg, i) => {
      if (!isSigningAlgAllowed(alg, clientAuthentication)) {
        problems.push({ field: `algorithms.clientAuthentication[${i}]`, message: `"${alg}" is not an approved client assertion algorithm (approved: ${APPROVED_SIGNING.join(', ')}; opt-in: ${OPT_IN_SIGNING.join(', ')})`, rule: 'TOK-9' });
      }
    });
    config.resourceServers.forEach((api, i) => {
      if (api.signingAlg && !isSigningAlgAllowed(api.signingAlg, signing)) {
        problems.push({ field: `resourceServers[${i}].signingAlg`, message: `"${api.signingAlg}" is not an approved signing algorithm here`, rule: 'TOK-9' });
      }
    });
    return problems;
  },
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
