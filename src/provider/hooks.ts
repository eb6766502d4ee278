// The guideline's request-time rules, attached to the library's hooks: each hook runs the
// executors for its event (src/policy/executors/, composed in src/policy/clients.ts and
// src/policy/requests.ts); this file only reads the library's context into their facts
// and translates their answers into the library's errors.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { errors, type ClientMetadata, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { Problem } from '../config/errors.js';
import type { Config } from '../config/load.js';
import { isClassification, profileFor, type ProfileOptions } from '../policy/classification.js';
import { applyProfile, checkClient, registeredScope, type ClientCheckContext } from '../policy/clients.js';
import { personScopeContext } from '../policy/executors/client-credentials.js';
import { accessTokenTtl, type LifetimeCaps } from '../policy/executors/lifetimes.js';
import { findResourceServer } from '../policy/executors/resources.js';
import { allowanceOf, checkAllowance, checkNoRaise } from '../policy/registration.js';
import { checkAuthorizationRequest, checkTokenRequest, type Refusal } from '../policy/requests.js';
import { splitScope } from '../policy/scopes.js';

const ERRORS: Record<Refusal['error'], new (description: string) => Error> = {
  invalid_request: errors.InvalidRequest,
  unsupported_response_type: errors.UnsupportedResponseType,
  invalid_scope: errors.InvalidScope as unknown as new (description: string) => Error,
  invalid_target: errors.InvalidTarget,
  unauthorized_client: errors.UnauthorizedClient,
};

/** A policy refusal as the library's OAuth error (shared with src/smart/provider.ts). */
export function refuse(refusal: Refusal): never {
  const ErrorClass = ERRORS[refusal.error];
  throw new ErrorClass(refusal.description);
}

/**
 * A client's `classification`, read from the property the library sets on the Client
 * instance for each extra metadata field. `client.metadata()` rebuilds the whole
 * snake_case metadata object on every call (about 20 µs) to read this one field.
 */
export function classificationOf(client: object | undefined): unknown {
  return (client as { classification?: unknown } | undefined)?.classification;
}

const AUTHORIZATION_ROUTES = new Set(['authorization', 'pushed_authorization_request']);

/**
 * Runs after the library has loaded the client and checked redirect_uri, response_type
 * and PKCE, for /authorize and /par (the library's `extraParams` validator hook).
 */
export function authorizationPolicy(options: ProfileOptions) {
  return (ctx: KoaContextWithOIDC): void => {
    const { oidc } = ctx;
    if (!AUTHORIZATION_ROUTES.has(oidc.route) || !oidc.client) return;
    const classification = classificationOf(oidc.client);
    if (!isClassification(classification)) {
      throw new errors.UnauthorizedClient('the client has no classification (GR-2)');
    }
    const params = oidc.params as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const refusal = checkAuthorizationRequest(profileFor(classification, options), {
      responseType: str(params.response_type),
      scopes: oidc.requestParamScopes,
      nonce: str(params.nonce),
      state: str(params.state),
      codeChallengeMethod: str(params.code_challenge_method),
      pushed: oidc.route === 'pushed_authorization_request' || Boolean(oidc.entities.PushedAuthorizationRequest),
      registeredScopes: registeredScopesOf(oidc.client),
    });
    if (refusal) refuse(refusal);
  };
}

/** OIDC-3: every scope the client registered (identity and API), or undefined for no limit. */
function registeredScopesOf(client: object): ReadonlySet<string> | undefined {
  // The library keeps extra metadata under its snake_case name on the Client instance.
  const { scope, api_scope } = client as { scope?: unknown; api_scope?: unknown };
  const all = registeredScope({ scope, api_scope });
  return all === undefined ? undefined : new Set(all.split(' '));
}

/** The client's extra metadata: its classification, and the API scopes of its `scope`. */
export const EXTRA_CLIENT_METADATA = ['classification', 'api_scope', 'allowed_resources'];

/** A registration problem as the OAuth error /register answers with. */
export function metadataError(problem: Problem): Error {
  return new errors.InvalidClientMetadata(`${problem.field}: ${problem.message}${problem.rule ? ` (${problem.rule})` : ''}`);
}

/**
 * GR-2, EP-10: at /register and RFC 7592 updates (the only calls with a context), a client
 * stays within its token's allowance — a token without one registers nothing — and never
 * raises its own classification. (The token's `allowance` policy checks the same first.)
 */
function registrationProblem(ctx: KoaContextWithOIDC | undefined, metadata: ClientMetadata): Problem | undefined {
  if (ctx?.oidc.route === 'registration') return checkAllowance(metadata, allowanceOf(ctx.oidc.entities.InitialAccessToken?.policies));
  if (ctx?.oidc.route === 'client_update') return checkNoRaise(classificationOf(ctx.oidc.client), metadata.classification);
  return undefined;
}

/** /register and static clients: the registration against its profile (GR-*, EP-2, EP-3). */
export function clientMetadataValidator(context: ClientCheckContext) {
  return (ctx: KoaContextWithOIDC | undefined, key: string, value: unknown, metadata: ClientMetadata): void => {
    if (key !== 'classification') return;
    if (!isClassification(value)) {
      throw new errors.InvalidClientMetadata('classification must be one of PUBLIC, IN-CONFIDENCE, SENSITIVE (GR-2)');
    }
    const registration = registrationProblem(ctx, metadata);
    if (registration) throw metadataError(registration);
    Object.assign(metadata, applyProfile(metadata, value, context.options));
    const scope = registeredScope(metadata);
    Object.assign(metadata, { scope, api_scope: undefined });
    const [problem] = checkClient(metadata, context);
    if (problem) throw metadataError(problem);
    // OIDC-6: the library knows only identity scopes in `scope`; the client's API scopes
    // ride in `api_scope` and limit what its tokens for each API may carry.
    if (scope !== undefined && context.scopes) {
      const { identity, api } = splitScope(scope, context.scopes);
      Object.assign(metadata, { scope: identity.length ? identity.join(' ') : undefined, api_scope: api.length ? api.join(' ') : undefined });
    }
  };
}

/**
 * The token-request executors (GR-6 client-credentials; GR-2, GR-3, EP-10 resources). The
 * library resolves a request's resource through `defaultResource` (none sent) or
 * `getResourceServerInfo` (one sent; at /authorize and /par too), so both call this before
 * any token is made. The grant type is read at /token only.
 */
export function tokenRequestPolicy(config: Config) {
  const context = personScopeContext(Object.keys(config.scopes), config.resourceServers);
  return (ctx: KoaContextWithOIDC, client: object | undefined, indicator?: string): void => {
    // Read at /token only: elsewhere the library may call this without request parameters.
    const atToken = ctx.oidc.route === 'token';
    const grantType = atToken ? (ctx.oidc.params as { grant_type?: unknown } | undefined)?.grant_type : undefined;
    const refusal = checkTokenRequest(
      classificationOf(client),
      {
        grantType: typeof grantType === 'string' ? grantType : undefined,
        scopes: atToken ? ctx.oidc.requestParamScopes : [],
        client: { classification: classificationOf(client), allowedResources: (client as { allowed_resources?: unknown } | undefined)?.allowed_resources },
        ...(indicator === undefined ? {} : { resource: { indicator, api: findResourceServer(config.resourceServers, indicator) } }),
      },
      context,
    );
    if (refusal) refuse(refusal);
  };
}

/** TOK-3, TOK-6, TOK-7, TOK-8: the API a token is for, its format and lifetime (after the token-request executors). */
export function resourceServerInfo(config: Config, caps: LifetimeCaps) {
  const policy = tokenRequestPolicy(config);
  return (ctx: KoaContextWithOIDC, indicator: string, client: object): ResourceServer => {
    policy(ctx, client, indicator);
    const api = findResourceServer(config.resourceServers, indicator);
    if (!api) throw new errors.InvalidTarget(`unknown resource ${indicator}`); // refused by the resources executor already
    // OIDC-3: a client that registered scopes gets no API scope beyond them.
    const registered = registeredScopesOf(client);
    const scopes = Object.keys(api.scopes).filter((s) => !registered || registered.has(s));
    const info: ResourceServer = {
      scope: scopes.join(' '),
      audience: api.identifier,
      accessTokenTTL: accessTokenTtl(config.lifetimes, caps, api.accessTokenTTL),
      accessTokenFormat: api.accessTokenFormat,
    };
    if (api.accessTokenFormat === 'jwt') {
      info.jwt = { sign: { alg: (api.signingAlg ?? config.algorithms.accessToken) as 'ES256' } };
      if (api.encrypt) {
        // TOK-8: this API's tokens carry PII/PHI, so they are JWE to the API's key.
        info.jwt.encrypt = {
          alg: api.encrypt.alg as 'ECDH-ES',
          enc: api.encrypt.enc as 'A256GCM',
          key: createPublicKey({ key: api.encrypt.jwk as JsonWebKey, format: 'jwk' }),
        };
      }
    }
    return info;
  };
}
