// A real relying party (openid-client) for a client registered in the test deployment.
import * as oidc from 'openid-client';
import type { Arrival } from './person.js';
import { REDIRECT } from './fixtures.js';

export interface TestClient {
  metadata: Record<string, unknown> & { client_id: string };
  auth: oidc.ClientAuth;
  hybrid?: boolean;
}

export async function relyingParty(issuer: string, client: TestClient): Promise<oidc.Configuration> {
  const config = await oidc.discovery(new URL(issuer), client.metadata.client_id, { ...client.metadata } as Partial<oidc.ClientMetadata>, client.auth, {
    execute: [oidc.allowInsecureRequests],
  });
  if (client.hybrid) oidc.useCodeIdTokenResponseType(config);
  return config;
}

export interface PendingAuthorization {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** A compliant request's parameters: PKCE S256, state and nonce (GR-8, EP-3), then `params`. */
async function compliant(params: Record<string, string>) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const all = {
    redirect_uri: REDIRECT,
    scope: 'openid profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  };
  return { all, verifier, state, nonce };
}

export async function authorizationRequest(config: oidc.Configuration, params: Record<string, string> = {}): Promise<PendingAuthorization> {
  const { all, ...pending } = await compliant(params);
  return { url: oidc.buildAuthorizationUrl(config, all), ...pending };
}

/** The same through /par (GR-8: required of SENSITIVE clients), with DPoP when given. */
export async function pushedAuthorizationRequest(config: oidc.Configuration, params: Record<string, string> = {}, dpop?: oidc.DPoPHandle): Promise<PendingAuthorization> {
  const { all, ...pending } = await compliant(params);
  return { url: await oidc.buildAuthorizationUrlWithPAR(config, all, { DPoP: dpop }), ...pending };
}

/** What the relying party's callback receives, as a Request openid-client understands. */
export function callbackInput(arrival: Arrival): URL | Request {
  if (!arrival.form) return arrival.url;
  return new Request(arrival.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(arrival.form.fields).toString(),
  });
}

export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function decodeHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
