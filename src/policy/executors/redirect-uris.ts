// EP-3, EP-11: where an authorization response goes, and what binds it to its request.
// Registration: at least one redirect URI for a client that uses /authorize, absolute, no
// fragment, no wildcard (they match exactly), https except loopback; a logout redirect
// carries the person back over the network like any other. The library matches each
// request's redirect_uri exactly against the registration
// (allowOmittingSingleRegisteredRedirectUri: false). Authorization request: `state` and
// `nonce` are required; only this check enforces them (the library leaves both optional
// for code flows). EP-11's report line is the tls executor's.
import type { Problem } from '../../config/errors.js';
import type { Executor } from './types.js';

/** EP-3; SMART apps built with fhirclient send no nonce by themselves, so the text says how (OIDC-9). */
export const NONCE_REQUIRED =
  'nonce is required: send a fresh random nonce with every authorization request; with fhirclient, pass noRedirect: true to authorize, add &nonce=<random> to the URL it returns, then redirect (EP-3)';

const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

export const redirectUris: Executor = {
  name: 'redirect-uris',
  libraryMessages: [
    { pattern: /missing required parameter '(nonce|state|redirect_uri)'/i, rule: 'EP-3' },
    { pattern: /redirect_uri/i, rule: 'EP-3' },
  ],
  report: [
    {
      rule: 'EP-3',
      mechanism:
        'the library compares redirect_uri exactly and never lets it be omitted (allowOmittingSingleRegisteredRedirectUri off, PAR takes registered URIs only); registration refuses wildcards and fragments, and the authorization policy refuses a request without state or nonce (src/policy/executors/redirect-uris.ts)',
    },
  ],
  checkClient(meta, { usesAuthorize }, ctx) {
    const problems: Problem[] = [];
    const add = (field: string, message: string, rule: string) => problems.push({ field, message, rule });
    const uris = list(meta.redirect_uris);
    if (usesAuthorize && uris.length === 0) add('redirect_uris', 'at least one redirect URI is required', 'EP-3');
    uris.forEach((uri, i) => {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        add(`redirect_uris[${i}]`, 'must be an absolute URI', 'EP-3');
        return;
      }
      if (url.hash) add(`redirect_uris[${i}]`, 'must not contain a fragment', 'EP-3');
      if (/[*]/.test(uri)) add(`redirect_uris[${i}]`, 'wildcards are not allowed; redirect URIs match exactly', 'EP-3');
      if (url.protocol === 'http:' && !isLoopback(url.hostname) && !ctx.development) {
        add(`redirect_uris[${i}]`, 'must use https (http only for loopback addresses)', 'EP-11');
      }
    });
    list(meta.post_logout_redirect_uris).forEach((uri, i) => {
      if (URL.canParse(uri) && new URL(uri).protocol === 'http:' && !isLoopback(new URL(uri).hostname) && !ctx.development) {
        add(`post_logout_redirect_uris[${i}]`, 'must use https (http only for loopback addresses)', 'EP-11');
      }
    });
    return problems;
  },
  authorizationRequest(_profile, facts) {
    if (!facts.state) return { error: 'invalid_request', description: 'state is required (EP-3)' };
    if (!facts.nonce) return { error: 'invalid_request', description: NONCE_REQUIRED };
    return undefined;
  },
};
