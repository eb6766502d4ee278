// An upstream OpenID Connect provider as an identity source: we are its relying party
// (openid-client). EP-1/GR-8: authorization code with PKCE S256; EP-3: `state` and `nonce`
// on every request and checked on return; EP-2: private_key_jwt or client_secret_post at
// its token endpoint; TOK-9: its ID token verified (signature, issuer, audience, nonce).
// The upstream person becomes our account by the configured link, never by an unverified
// e-mail; the upstream's acr/amr reach our session only when the deployment trusts them.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';
import type { Config } from '../../config/load.js';
import type { Store } from '../../storage/store.js';
import type { Account } from '../store.js';
import type { OidcSourceConfig } from './schema.js';
import { SourceUnavailableError, type SourceInfo } from './types.js';

/** What the upstream said about the person, after the claim map. */
export interface UpstreamPerson {
  sub: string;
  claims: Record<string, unknown>;
  acr?: string | undefined;
  amr?: string[] | undefined;
}

export interface PendingLogin {
  /** the interaction the person came from */
  uid: string;
  source: string;
  verifier: string;
  nonce: string;
  /** sha256 of the browser-binding cookie's value */
  browser: string;
}

export interface UpstreamSource extends SourceInfo {
  readonly kind: 'oidc';
  readonly config: OidcSourceConfig;
  /** where the upstream sends the person back (register it there) */
  readonly redirectUri: string;
  /** the upstream's authorization URL for this interaction; keeps state, nonce and PKCE verifier */
  begin(uid: string): Promise<{ url: URL; browserBinding: string }>;
  /** the pending sign-in `state` names, taken once (single use), if the binding cookie matches */
  takePending(state: string, browserBinding: string | undefined): Promise<PendingLogin | undefined>;
  /** exchange the code (PKCE, state, nonce checked by openid-client) and read the person */
  finish(callbackUrl: URL, pending: PendingLogin, state: string): Promise<UpstreamPerson>;
  /** an account linked by `sub` (claims from the last sign-in) */
  find(id: string): Promise<Account | undefined>;
  /** keep the claims of a person linked by `sub`, for /userinfo */
  remember(accountId: string, claims: Record<string, unknown>): Promise<void>;
}

const PENDING_SECONDS = 600;
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** The upstream's claims under our names; only mapped claims are kept (OIDC-3). */
export function mapUpstreamClaims(upstream: Record<string, unknown>, map: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [ours, theirs] of Object.entries(map)) {
    if (upstream[theirs] !== undefined && upstream[theirs] !== null) out[ours] = upstream[theirs];
  }
  return out;
}

/**
 * The value to link by, when the upstream vouches for it: an e-mail only with
 * `email_verified: true`; any claim the upstream marks `<claim>_verified: false` never.
 */
export function verifiedLinkValue(upstream: Record<string, unknown>, upstreamClaim: string): string | undefined {
  const value = upstream[upstreamClaim];
  if (typeof value !== 'string' || !value) return undefined;
  const verified = upstream[`${upstreamClaim}_verified`];
  if (upstreamClaim === 'email' && verified !== true) return undefined;
  if (verified === false) return undefined;
  return value;
}

/** The upstream did not answer (refused, reset, timed out), as opposed to answering wrongly. */
function unreachable(err: unknown): boolean {
  const e = err as { name?: string; message?: string; cause?: unknown } | undefined;
  if (!e) return false;
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || (e.name === 'TypeError' && e.message === 'fetch failed')) return true;
  return e.cause !== undefined && e.cause !== err && unreachable(e.cause);
}

export function createUpstreamSource(config: OidcSourceConfig, deps: { config: Config; store: Store; secret: string }): UpstreamSource {
  const info = { id: config.id, kind: 'oidc' as const, label: config.label };
  const redirectUri = `${deps.config.issuer}/interaction/upstream/${config.id}/callback`;
  const pending = deps.store.adapter('UpstreamLogin');
  const accounts = deps.store.adapter('UpstreamAccount');
  const prefix = `${config.id}:`;
  const insecure = deps.config.mode === 'development' && config.issuer.startsWith('http://');

  let discovered: Promise<oidc.Configuration> | undefined;
  async function discover(): Promise<oidc.Configuration> {
    const auth = config.clientAuth;
    const clientAuth =
      auth.method === 'client_secret_post'
        ? oidc.ClientSecretPost(deps.secret)
        : await (async () => {
            const jwk = JSON.parse(deps.secret) as JWK;
            const key = await importJWK(jwk, jwk.alg ?? 'ES256');
            if (key instanceof Uint8Array) throw new Error('the private_key_jwt key must be an asymmetric private JWK');
            return oidc.PrivateKeyJwt(jwk.kid ? { key, kid: jwk.kid } : key);
          })();
    return oidc.discovery(new URL(config.issuer), config.clientId, undefined, clientAuth, {
      // Development only: an upstream on http://localhost (production refuses it at start-up).
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      timeout: 10,
    });
  }
  /** Discovered once, again after a failure (the upstream may be back). */
  async function configuration(): Promise<oidc.Configuration> {
    discovered ??= discover();
    try {
      return await discovered;
    } catch (err) {
      discovered = undefined;
      throw new SourceUnavailableError(info, { cause: err });
    }
  }

  return {
    ...info,
    config,
    redirectUri,
    async begin(uid) {
      const server = await configuration();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const browserBinding = randomBytes(32).toString('base64url');
      const record: PendingLogin = { uid, source: config.id, verifier, nonce, browser: sha256(browserBinding) };
      // Sealed in the store like every other record (TOK-2): the verifier never leaves us.
      await pending.upsert(sha256(state), { ...record }, PENDING_SECONDS);
      const url = oidc.buildAuthorizationUrl(server, {
        redirect_uri: redirectUri,
        scope: config.scope,
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url, browserBinding };
    },
    async takePending(state, browserBinding) {
      const key = sha256(state);
      const found = (await pending.find(key)) as Partial<PendingLogin> | undefined;
      if (!found) return undefined;
      // Single use: a replayed callback finds nothing.
      await pending.destroy(key);
      if (!browserBinding || typeof found.browser !== 'string') return undefined;
      const a = Buffer.from(sha256(browserBinding));
      const b = Buffer.from(found.browser);
      if (a.length !== b.length || !timingSafeEqual(a, b) || found.source !== config.id) return undefined;
      const { uid, verifier, nonce } = found;
      if (typeof uid !== 'string' || typeof verifier !== 'string' || typeof nonce !== 'string') return undefined;
      return { uid, source: config.id, verifier, nonce, browser: found.browser };
    },
    async finish(callbackUrl, login, state) {
      const server = await configuration();
      const tokens = await oidc
        .authorizationCodeGrant(server, callbackUrl, { pkceCodeVerifier: login.verifier, expectedState: state, expectedNonce: login.nonce, idTokenExpected: true })
        .catch((err: unknown) => {
          throw unreachable(err) ? new SourceUnavailableError(info, { cause: err }) : err;
        });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('the upstream returned no ID token');
      // Claims beyond the ID token come from its userinfo, for the same subject only.
      const userinfo = server.serverMetadata().userinfo_endpoint ? await oidc.fetchUserInfo(server, tokens.access_token, idClaims.sub) : {};
      const upstream: Record<string, unknown> = { ...userinfo, ...idClaims };
      const amr = Array.isArray(idClaims.amr) ? idClaims.amr.filter((v): v is string => typeof v === 'string') : undefined;
      return {
        sub: idClaims.sub,
        claims: upstream,
        acr: config.trustAcr && typeof idClaims.acr === 'string' ? idClaims.acr : undefined,
        amr: config.trustAcr ? amr : undefined,
      };
    },
    async find(id) {
      if (!id.startsWith(prefix)) return undefined;
      const found = (await accounts.find(id)) as { claims?: Record<string, unknown> } | undefined;
      return found?.claims ? { id, claims: found.claims } : undefined;
    },
    async remember(accountId, claims) {
      await accounts.upsert(accountId, { claims }, config.accountLifetime);
    },
  };
}
