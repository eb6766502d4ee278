// GR-1…GR-8, EP-2, EP-3, OIDC-1, TOK-9: a client registration against its classification
// profile. Pure: metadata in, problems out. Used for static clients at start-up and for
// /register (invalid_client_metadata).
import type { Problem } from '../config/errors.js';
import { CIBA_GRANT, cibaClientProblems } from '../ciba/policy.js';
import { isSigningAlgAllowed } from './algorithms.js';
import { ASYMMETRIC_AUTH_METHODS, isClassification, profileFor, type Classification, type ProfileOptions } from './classification.js';
import { SCOPE_TOKEN, splitScope, type KnownScopes } from './scopes.js';

export type ClientMetadata = Record<string, unknown>;

export interface ClientCheckContext {
  options: ProfileOptions;
  /** development mode: http redirect URIs allowed on any host */
  development: boolean;
  /** algorithms the deployment signs with (opt-in RSA included) */
  signingAlgs: readonly string[];
  /** what the deployment's mTLS can do (EP-2) */
  mtls: { enabled: boolean; trustedCas: boolean };
  /** EP-9: CIBA is switched on (features.ciba) */
  ciba?: boolean;
  /** the deployment's API identifiers, which `allowed_resources` may name */
  resources?: readonly string[];
  /** the deployment's identity and API scopes, for a registration's `scope` */
  scopes?: KnownScopes;
}

/**
 * Everything a client registered in `scope` (RFC 7591). The library accepts only
 * identity scopes there, so API scopes travel beside them in `api_scope`.
 */
export function registeredScope(meta: ClientMetadata): string | undefined {
  const parts = [meta.scope, meta.api_scope].filter((v): v is string => typeof v === 'string' && v !== '');
  return parts.length ? parts.join(' ') : undefined;
}

const TLS_SUBJECT_FIELDS = ['tls_client_auth_subject_dn', 'tls_client_auth_san_dns', 'tls_client_auth_san_uri', 'tls_client_auth_san_ip', 'tls_client_auth_san_email'];

const KNOWN_GRANTS = new Set(['authorization_code', 'refresh_token', 'client_credentials', 'implicit']);

const list = (value: unknown, fallback: string[]): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : fallback;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

export function checkClient(meta: ClientMetadata, ctx: ClientCheckContext): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string, rule?: string) => problems.push({ field, message, rule });

  const classification = meta.classification;
  if (!isClassification(classification)) {
    add('classification', 'must be one of PUBLIC, IN-CONFIDENCE, SENSITIVE (the most sensitive API class the client may call)', 'GR-2');
    return problems;
  }
  const profile = profileFor(classification, ctx.options);
  const authMethod = typeof meta.token_endpoint_auth_method === 'string' ? meta.token_endpoint_auth_method : 'client_secret_basic';
  const responseTypes = list(meta.response_types, ['code']);
  const grantTypes = list(meta.grant_types, ['authorization_code']);
  const isPublic = authMethod === 'none';

  if (isPublic && !profile.publicClientsAllowed) {
    add('token_endpoint_auth_method', `a ${classification} client must be confidential; "none" makes it public`, 'GR-2');
  } else if (!profile.authMethods.includes(authMethod)) {
    add('token_endpoint_auth_method', `"${authMethod}" is not allowed for ${classification}; use one of ${profile.authMethods.join(', ')}`, 'EP-2');
  }

  for (const rt of responseTypes) {
    if (!profile.responseTypes.includes(rt)) {
      add('response_types', `"${rt}" is not allowed for ${classification}; allowed: ${profile.responseTypes.join(', ') || 'none'}`, 'GR-4');
    }
  }

  for (const gt of grantTypes) {
    if (gt === 'password') add('grant_types', 'the resource-owner password credentials grant is never offered', 'GR-5');
    else if (!KNOWN_GRANTS.has(gt) && gt !== CIBA_GRANT) add('grant_types', `"${gt}" is not offered`, 'GR-1');
  }
  // EP-9, GR-2, GR-6: CIBA only when on, for confidential IN-CONFIDENCE/SENSITIVE clients.
  problems.push(...cibaClientProblems(meta, ctx.ciba === true));
  // The library reconciles grant and response types silently; refuse instead (GR-1).
  const needsCode = responseTypes.some((rt) => rt.split(' ').includes('code'));
  const needsImplicit = responseTypes.some((rt) => !rt.split(' ').includes('code') && rt !== 'none');
  if (needsCode && !grantTypes.includes('authorization_code')) {
    add('grant_types', `response_types ${responseTypes.join(', ')} need the authorization_code grant`, 'GR-1');
  }
  if (needsImplicit && !grantTypes.includes('implicit')) {
    add('grant_types', 'response type "id_token token" needs the implicit grant', 'GR-1');
  }
  // Hybrid responses count as implicit in OpenID Connect Registration; nothing else does.
  const frontChannelTokens = responseTypes.some((rt) => rt.split(' ').some((w) => w === 'id_token' || w === 'token'));
  if (grantTypes.includes('implicit') && !frontChannelTokens) {
    add('grant_types', 'the implicit grant goes only with response types that return tokens from /authorize', 'GR-1');
  }
  if (grantTypes.includes('refresh_token') && isPublic) {
    add('grant_types', 'refresh tokens are not issued to public clients', 'GR-7');
  }
  if (grantTypes.includes('client_credentials')) {
    if (isPublic) add('grant_types', 'client_credentials is for confidential clients only', 'GR-6');
    else if (!profile.clientCredentialsAuthMethods.includes(authMethod)) {
      add('token_endpoint_auth_method', `client_credentials for ${classification} needs ${ASYMMETRIC_AUTH_METHODS.join(', ')}`, 'GR-6');
    }
  }

  const usesAuthorize = needsCode || needsImplicit;
  const redirectUris = list(meta.redirect_uris, []);
  if (usesAuthorize && redirectUris.length === 0) add('redirect_uris', 'at least one redirect URI is required', 'EP-3');
  redirectUris.forEach((uri, i) => {
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

  list(meta.post_logout_redirect_uris, []).forEach((uri, i) => {
    // EP-11: a logout redirect carries the person back over the network like any other.
    if (URL.canParse(uri) && new URL(uri).protocol === 'http:' && !isLoopback(new URL(uri).hostname) && !ctx.development) {
      add(`post_logout_redirect_uris[${i}]`, 'must use https (http only for loopback addresses)', 'EP-11');
    }
  });

  const scope = registeredScope(meta);
  if (scope !== undefined && ctx.scopes) {
    const { unknown } = splitScope(scope, ctx.scopes);
    const malformed = scope.split(' ').filter((s) => s !== '' && !SCOPE_TOKEN.test(s));
    if (malformed.length || /^ | $| {2}/.test(scope)) add('scope', 'must be scope tokens separated by single spaces (RFC 6749 §3.3)', 'OIDC-6');
    else if (unknown.length) add('scope', `lists scopes this deployment does not offer: ${unknown.join(' ')}`, 'OIDC-6');
    // The library refuses a scope the registration leaves out, so every sign-in would fail.
    else if (usesAuthorize && profile.openidRequired && !scope.split(' ').includes('openid')) add('scope', 'must include openid: every sign-in asks for it', 'OIDC-1');
  }

  if (meta.require_pushed_authorization_requests === false && profile.par === 'required') {
    add('require_pushed_authorization_requests', `PAR is required for ${classification} clients`, 'GR-8');
  }

  if (authMethod === 'tls_client_auth' || authMethod === 'self_signed_tls_client_auth' || meta.tls_client_certificate_bound_access_tokens === true) {
    if (!ctx.mtls.enabled) add('token_endpoint_auth_method', 'mutual TLS is not enabled in this deployment (mtls.enabled)', 'EP-2');
  }
  if (authMethod === 'tls_client_auth') {
    if (ctx.mtls.enabled && !ctx.mtls.trustedCas) add('token_endpoint_auth_method', 'tls_client_auth needs the CAs to trust (mtls.caFile)', 'EP-2');
    const subjects = TLS_SUBJECT_FIELDS.filter((f) => typeof meta[f] === 'string');
    if (subjects.length !== 1) add('tls_client_auth_subject_dn', 'tls_client_auth needs exactly one of tls_client_auth_subject_dn or tls_client_auth_san_*', 'EP-2');
  }
  if (authMethod === 'self_signed_tls_client_auth' && meta.jwks === undefined && meta.jwks_uri === undefined) {
    add('jwks', 'self_signed_tls_client_auth needs the certificate in jwks or jwks_uri (x5c)', 'EP-2');
  }

  const dpop = meta.dpop_bound_access_tokens === true;
  const mtls = meta.tls_client_certificate_bound_access_tokens === true;
  if (profile.senderConstrained === 'required' && !dpop && !mtls) {
    add('dpop_bound_access_tokens', `a ${classification} client must be sender-constrained: set dpop_bound_access_tokens or tls_client_certificate_bound_access_tokens`, 'EP-2');
  }
  if (dpop && mtls) add('dpop_bound_access_tokens', 'choose one proof-of-possession mechanism, DPoP or mTLS', 'EP-2');

  for (const field of ['id_token_signed_response_alg', 'userinfo_signed_response_alg', 'authorization_signed_response_alg', 'introspection_signed_response_alg']) {
    const alg = meta[field];
    if (alg !== undefined && (typeof alg !== 'string' || !isSigningAlgAllowed(alg, ctx.signingAlgs))) {
      add(field, `"${typeof alg === 'string' ? alg : JSON.stringify(alg)}" is not an approved signing algorithm here`, 'TOK-9');
    }
  }
  if (meta.request_object_signing_alg === 'none') add('request_object_signing_alg', '"none" is never accepted', 'TOK-9');

  // EP-10: `allowed_resources` limits the APIs the client may get tokens for.
  const allowed = meta.allowed_resources;
  if (allowed !== undefined && (!Array.isArray(allowed) || allowed.some((a) => typeof a !== 'string' || (ctx.resources !== undefined && !ctx.resources.includes(a))))) {
    add('allowed_resources', `must list API identifiers of this deployment${ctx.resources ? `: ${ctx.resources.join(', ')}` : ''}`, 'EP-10');
  }

  return problems;
}

/** Fill in what the profile decides so the library enforces it (GR-8: PAR for SENSITIVE). */
export function applyProfile(meta: ClientMetadata, classification: Classification, options: ProfileOptions): ClientMetadata {
  const profile = profileFor(classification, options);
  const out: ClientMetadata = { ...meta };
  // An explicit `false` is left for checkClient to refuse: never reconcile silently.
  if (profile.par === 'required' && out.require_pushed_authorization_requests === undefined) out.require_pushed_authorization_requests = true;
  if (!Array.isArray(out.response_types)) {
    const grants = Array.isArray(out.grant_types) ? (out.grant_types as unknown[]) : ['authorization_code'];
    out.response_types = grants.includes('authorization_code') ? [...profile.responseTypes] : [];
  }
  if (!Array.isArray(out.grant_types)) {
    out.grant_types = (out.response_types as string[]).some((rt) => rt.includes('code')) ? ['authorization_code'] : ['implicit'];
  }
  return out;
}
