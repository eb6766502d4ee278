// OIDC-9: SMART App Launch on the library's hooks. The decisions are the pure functions of
// src/policy/smart-*.ts; this file reads the request, calls them, and turns a refusal into
// the library's error. It adds: `aud` as a resource indicator for FHIR servers, SMART scope
// checks, the `launch` parameter, the patient picker's prompt, and the launch context in
// token responses; fhirUser in back-channel ID tokens is in src/provider/accounts.ts.
import type { Middleware } from 'koa';
import { interactionPolicy, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { AccountStore } from '../accounts/store.js';
import type { Config } from '../config/load.js';
import type { ResourceServerConfig } from '../config/schema.js';
import { refuse } from '../provider/hooks.js';
import { checkLaunchRedemption, contextFields, launchContextOf, needsPatientPick, type ContextSources } from '../policy/smart-launch.js';
import { checkSmartScopes, looksSmart, scopeOfServer } from '../policy/smart-scopes.js';
import type { SmartStore } from './launch-store.js';

/** SMART 2.2 (backend services): access tokens of at most five minutes. */
export const BACKEND_SERVICES_MAX_TTL = 300;

const trim = (url: string) => url.replace(/\/+$/, '');

export function fhirServers(config: Config): ResourceServerConfig[] {
  return config.resourceServers.filter((api) => api.fhir);
}

export function fhirServerFor(config: Config, aud: string): ResourceServerConfig | undefined {
  return fhirServers(config).find((api) => trim(api.identifier) === trim(aud));
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const words = (v: unknown) => (typeof v === 'string' ? v.split(' ').filter(Boolean) : []);

type Entity = { scope?: unknown; grantId?: unknown; clientId?: unknown; accountId?: unknown };

/** Every scope this request is about: asked now, or carried by the code or refresh token it redeems. */
function requestedScopes(ctx: KoaContextWithOIDC): string[] {
  const entities = ctx.oidc.entities as Record<string, Entity | undefined>;
  return [...new Set([...words(ctx.oidc.params?.scope), ...words(entities.AuthorizationCode?.scope), ...words(entities.RefreshToken?.scope)])];
}

function grantTypeOf(ctx: KoaContextWithOIDC): string | undefined {
  return str((ctx.oidc.params as { grant_type?: unknown } | undefined)?.grant_type);
}

const AUTHORIZATION = new Set(['authorization', 'pushed_authorization_request', 'resume']);

/**
 * `features.resourceIndicators.defaultResource`: a SMART `aud` names the FHIR server as a
 * `resource` would (OIDC-9); a backend service's system/ scopes name theirs. `next` is the
 * deployment's own choice for everything else.
 */
export function smartDefaultResource<C>(config: Config, next: (ctx: KoaContextWithOIDC, client: C, oneOf?: string[]) => string | string[] | undefined) {
  return (ctx: KoaContextWithOIDC, client: C, oneOf?: string[]): string | string[] | undefined => {
    const fallback = next(ctx, client, oneOf);
    if (oneOf) return fallback;
    if (!fhirServers(config).length) return fallback;
    // A request object's (or PAR record's) own `aud` claim, the issuer, lands in params.aud too: not SMART's.
    const sent = str(ctx.oidc.params?.aud);
    const aud = sent && trim(sent) !== trim(config.issuer) ? sent : undefined;
    const smartScopes = requestedScopes(ctx).filter(looksSmart);
    if (AUTHORIZATION.has(ctx.oidc.route)) {
      if (aud) {
        const api = fhirServerFor(config, aud);
        // SMART 2.2: an aud that names no FHIR server protected here is refused.
        if (!api) refuse({ error: 'invalid_request', description: `aud ${aud.slice(0, 200)} is not a FHIR server of this authorization server; send the FHIR base URL exactly as its .well-known/smart-configuration names it (OIDC-9)` });
        return api.identifier;
      }
      if (smartScopes.length) refuse({ error: 'invalid_request', description: 'SMART scopes need aud (or resource): the base URL of the FHIR server the app will call (OIDC-9)' });
      return fallback;
    }
    if (ctx.oidc.route === 'token' && grantTypeOf(ctx) === 'client_credentials' && smartScopes.length) {
      // Backend services send no aud: the FHIR server whose scopes cover theirs is meant.
      const candidates = fhirServers(config).filter((api) => smartScopes.every((s) => scopeOfServer(Object.keys(api.scopes), s)));
      if (candidates.length === 1) return candidates[0]?.identifier;
      if (candidates.length > 1) refuse({ error: 'invalid_target', description: 'several FHIR servers allow these scopes: name one with resource (OIDC-9)' });
      refuse({ error: 'invalid_scope', description: `no FHIR server here allows ${smartScopes.join(' ')} (OIDC-9)` });
    }
    return fallback;
  };
}

/** The client's registered scopes (identity and API), undefined for no limit (OIDC-3). */
function registeredOf(client: object): string[] | undefined {
  const { scope, api_scope } = client as { scope?: unknown; api_scope?: unknown };
  if (scope === undefined && api_scope === undefined) return undefined;
  return [...words(scope), ...words(api_scope)];
}

/**
 * `getResourceServerInfo` for FHIR servers: the deployment's answer (format, lifetime,
 * classification checks), with the request's SMART scopes checked against the server's
 * declared ones (OIDC-9) and added, so granular and v1 scopes are granted as asked.
 */
export function smartResourceServerInfo(config: Config, base: (ctx: KoaContextWithOIDC, indicator: string, client: object) => ResourceServer) {
  return (ctx: KoaContextWithOIDC, indicator: string, client: object): ResourceServer => {
    const info = base(ctx, indicator, client);
    const api = fhirServerFor(config, indicator);
    if (!api) return info;
    const declared = Object.keys(api.scopes);
    const system = ctx.oidc.route === 'token' && grantTypeOf(ctx) === 'client_credentials';
    const { granted, refusal } = checkSmartScopes(requestedScopes(ctx), declared, api.identifier, system ? 'system' : 'person');
    if (refusal) refuse(refusal);
    // OIDC-3: a client that registered scopes gets nothing beyond them (SMART scopes: covered by one).
    const registered = registeredOf(client);
    const allowed = granted.filter((s) => !registered || registered.includes(s) || scopeOfServer(registered, s));
    const scopes = new Set([...words(info.scope), ...allowed]);
    const out: ResourceServer = { ...info, scope: [...scopes].join(' ') };
    if (system && typeof out.accessTokenTTL === 'number') out.accessTokenTTL = Math.min(out.accessTokenTTL, BACKEND_SERVICES_MAX_TTL);
    return out;
  };
}

/**
 * `extraParams.launch` (at /authorize and /par): an EHR launch's value is redeemed once, by
 * the app it was issued for (OIDC-9). Redeemed at PAR, a request_uri carries it on.
 */
export function launchParam(store: SmartStore) {
  return async (ctx: KoaContextWithOIDC, value: string | undefined, client: { clientId: string }): Promise<void> => {
    if (!value) return;
    if (ctx.oidc.route === 'authorization' && ctx.oidc.entities.PushedAuthorizationRequest) return;
    const record = await store.findLaunch(value);
    const refusal = checkLaunchRedemption(record, client.clientId, Math.floor(Date.now() / 1000));
    if (refusal) refuse(refusal);
    try {
      await store.consumeLaunch(value);
    } catch {
      refuse({ error: 'invalid_request', description: 'the launch value has been used already; launch the app again from the EHR (OIDC-9)' });
    }
  };
}

export interface SmartDeps {
  config: Config;
  store: SmartStore;
  accounts: AccountStore;
}

async function sourcesOf(ctx: KoaContextWithOIDC, deps: SmartDeps, scopes: ReadonlySet<string>, accountId: string | undefined): Promise<ContextSources> {
  const launch = str((ctx.oidc.params)?.launch);
  const record = launch ? await deps.store.findLaunch(launch) : undefined;
  const account = accountId ? await deps.accounts.find(accountId) : undefined;
  const picked = (ctx.oidc.result as { smart?: { patient?: unknown } } | undefined)?.smart?.patient;
  return {
    scopes,
    launched: record && (!record.clientId || record.clientId === ctx.oidc.client?.clientId) ? record.context : undefined,
    fhirUser: account?.claims.fhirUser,
    picked: typeof picked === 'string' ? picked : undefined,
  };
}

interface InteractionLike {
  params: Record<string, unknown>;
  session?: { accountId?: string | undefined } | undefined;
  lastSubmission?: Record<string, unknown> | undefined;
}

/** OIDC-8: the launch context an interaction will give (for its consent record). */
export function interactionContext(deps: SmartDeps) {
  return async (details: InteractionLike): Promise<Record<string, unknown> | undefined> => {
    const launch = str(details.params.launch);
    const record = launch ? await deps.store.findLaunch(launch) : undefined;
    const accountId = details.session?.accountId;
    const account = accountId ? await deps.accounts.find(accountId) : undefined;
    const picked = (details.lastSubmission?.smart as { patient?: unknown } | undefined)?.patient;
    const context = launchContextOf({
      scopes: new Set(words(details.params.scope)),
      launched: record && (!record.clientId || record.clientId === details.params.client_id) ? record.context : undefined,
      fhirUser: account?.claims.fhirUser,
      picked: typeof picked === 'string' ? picked : undefined,
    });
    const fields = contextFields(context);
    return Object.keys(fields).length ? fields : undefined;
  };
}

export const PICKER_PROMPT = 'smart_patient';

/**
 * The interaction policy with SMART's patient picker between sign-in and consent: a
 * practitioner's standalone launch asking for `launch/patient` chooses the patient first.
 */
export function smartInteractionPolicy(deps: SmartDeps, policy: interactionPolicy.Prompt[] = interactionPolicy.base()): interactionPolicy.Prompt[] {
  if (!fhirServers(deps.config).length) return policy;
  const { Prompt, Check } = interactionPolicy;
  const picker = new Prompt(
    { name: PICKER_PROMPT, requestable: false },
    new Check('patient_not_selected', 'the app needs a patient and the person is not one', async (ctx: KoaContextWithOIDC) => {
      const scopes = new Set(ctx.oidc.requestParamScopes);
      if (!scopes.has('launch/patient')) return Check.NO_NEED_TO_PROMPT;
      const sources = await sourcesOf(ctx, deps, scopes, ctx.oidc.session?.accountId);
      return needsPatientPick(sources) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  const loginAt = policy.findIndex((p) => p.name === 'login');
  policy.splice(loginAt + 1, 0, picker);
  return policy;
}

type Body = Record<string, unknown>;

/**
 * TOK-5, OIDC-7: OpenID Connect grants offline_access only with prompt=consent, which SMART
 * apps (fhirclient) never send, so their refresh tokens were silently dropped. A SMART
 * request (one with `aud`) asking for offline_access is asked with prompt=consent: the
 * person always sees and approves long-lived access.
 */
function offlineNeedsConsent(ctx: Parameters<Middleware>[0]): void {
  if (ctx.method !== 'GET' || ctx.path !== '/authorize') return;
  const q = new URLSearchParams(ctx.querystring);
  if (!q.get('aud') || q.has('prompt') || q.has('request_uri') || !(q.get('scope') ?? '').split(' ').includes('offline_access')) return;
  q.set('prompt', 'consent');
  ctx.querystring = q.toString();
}

/**
 * After the library: a code issued for a SMART launch binds its launch context to the
 * grant (OIDC-9); a token response for that grant carries the context and every granted
 * scope (identity scopes too, as SMART apps read them from `scope`).
 */
export function smartResponses(deps: SmartDeps, grantLifetime: number): Middleware {
  return async (ctx, next) => {
    offlineNeedsConsent(ctx);
    await next();
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc as KoaContextWithOIDC['oidc'] | undefined;
    if (!oidc || !fhirServers(deps.config).length) return;
    const entities = oidc.entities as Record<string, Entity | undefined>;
    if (AUTHORIZATION.has(oidc.route) && entities.AuthorizationCode) {
      const code = entities.AuthorizationCode;
      const grantId = str(code.grantId);
      if (!grantId || !oidc.client) return;
      const sources = await sourcesOf(ctx as unknown as KoaContextWithOIDC, deps, new Set(words(code.scope)), str(code.accountId));
      const context = launchContextOf(sources) ?? {};
      await deps.store.bindContext(grantId, { clientId: oidc.client.clientId, context }, grantLifetime);
      return;
    }
    if (oidc.route !== 'token' || ctx.status !== 200) return;
    const body = ctx.body as Body | undefined;
    const source = entities.AuthorizationCode ?? entities.RefreshToken;
    const grantId = str(source?.grantId);
    if (!body?.access_token || !source || !grantId || !oidc.client) return;
    const bound = await deps.store.contextOf(grantId);
    // Bound to the grant's own client: another client's token never sees it.
    if (bound && bound.clientId === oidc.client.clientId) Object.assign(body, contextFields(bound.context));
    const grant = oidc.entities.Grant;
    const identity = words(source.scope).filter((s) => grant?.getOIDCScope().split(' ').includes(s));
    body.scope = [...new Set([...identity, ...words(body.scope)])].join(' ');
  };
}

/** `extraTokenClaims`: the launch context travels in the access token for the FHIR server (and introspection). */
export function smartTokenClaims(deps: SmartDeps) {
  return async (_ctx: KoaContextWithOIDC, token: { grantId?: string; clientId?: string; aud?: unknown; resourceServer?: { audience?: string } }): Promise<Record<string, unknown> | undefined> => {
    const audience = token.resourceServer?.audience;
    if (!token.grantId || !audience || !fhirServerFor(deps.config, audience)) return undefined;
    const bound = await deps.store.contextOf(token.grantId);
    if (!bound || bound.clientId !== token.clientId) return undefined;
    const { patient, encounter, fhirContext } = bound.context;
    const claims = contextFields({ patient, encounter, fhirContext });
    return Object.keys(claims).length ? claims : undefined;
  };
}
