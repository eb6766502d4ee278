// OIDC-7, OIDC-8: what the consent page asks, what the person's answer grants, and the
// ledger record of that answer. Pure functions of the interaction, the config and the form
// (clientFacts reads the client); pages and CIBA build their records here.
import { randomUUID } from 'node:crypto';
import { errors, type Grant, type Provider } from 'oidc-provider';
import type { Config } from '../config/load.js';
import { classificationOf } from '../provider/hooks.js';
import { emptyAccess, type Access, type ConsentRecord, type Decision, type RequestFacts } from './ledger.js';
import { claimsOf, describeScopes, keyOf, splitScopes, type ScopeLine } from './scopes.js';

export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

interface MissingDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

export interface ClientFacts {
  id: string;
  name: string;
  classification: string;
}

type Client = Awaited<ReturnType<Provider['Client']['find']>>;

/** Who the record names: the client's id, name and classification (a client since removed keeps its id). */
export function clientFactsOf(client: Client, clientId: string): ClientFacts {
  const classification = client ? classificationOf(client) : undefined;
  return { id: clientId, name: client?.clientName ?? clientId, classification: typeof classification === 'string' ? classification : '' };
}

/** The facts of a client that must exist (a page's own client). */
export async function clientFacts(provider: Provider, clientId: string): Promise<ClientFacts> {
  const client = await provider.Client.find(clientId);
  if (!client) throw new errors.InvalidClient('client not found');
  return clientFactsOf(client, client.clientId);
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v ? [v] : []);

/**
 * What this consent asks about: what the library found missing from the grant (the
 * difference, when the client already holds a consent), or — when the person is asked
 * again with nothing missing (prompt=consent, native clients) — all that was requested.
 */
export function askedOf(details: Details, config: Config): Access {
  const missing = details.prompt.details as MissingDetails;
  const scopes = missing.missingOIDCScope ?? [];
  const resources = { ...(missing.missingResourceScopes ?? {}) };
  const extraClaims = missing.missingOIDCClaims ?? [];
  if (scopes.length || Object.keys(resources).length || extraClaims.length) {
    return { scopes, claims: [...new Set([...claimsOf(config, scopes), ...extraClaims])], resources };
  }
  const requested = (str(details.params.scope) ?? '').split(' ').filter(Boolean);
  return splitScopes(config, requested, list(details.params.resource));
}

export function linesOf(config: Config, access: Access): ScopeLine[] {
  return describeScopes(config, access.scopes, access.resources);
}

/** The person's answer: every required line, and the optional lines left ticked. */
export function approvedOf(config: Config, asked: Access, ticked: ReadonlySet<string>): Access {
  const lines = linesOf(config, asked);
  const keep = (line: ScopeLine) => !line.optional || ticked.has(line.key);
  const scopes = asked.scopes.filter((s) => keep(lines.find((l) => l.key === keyOf(s)) as ScopeLine));
  const resources: Record<string, string[]> = {};
  for (const [indicator, s] of Object.entries(asked.resources)) {
    const kept = s.filter((x) => keep(lines.find((l) => l.key === keyOf(x, indicator)) as ScopeLine));
    if (kept.length) resources[indicator] = kept;
  }
  const scopeClaims = new Set(claimsOf(config, scopes));
  const unticked = new Set(asked.scopes.filter((s) => !scopes.includes(s)));
  // A claim asked for by itself (not through a scope) is required; a claim of an
  // unticked scope is released only if a ticked scope also carries it.
  const claims = asked.claims.filter((c) => scopeClaims.has(c) || !claimsOf(config, [...unticked]).includes(c));
  return { scopes, claims, resources };
}

export function sameAccess(a: Access, b: Access): boolean {
  const norm = (x: Access) =>
    JSON.stringify([[...x.scopes].sort(), Object.entries(x.resources).map(([k, v]) => [k, [...v].sort()]).sort()]);
  return norm(a) === norm(b);
}

export function requestFactsOf(details: Details): RequestFacts {
  const p = details.params;
  const parJti = (details as unknown as { parJti?: unknown }).parJti;
  return {
    via: 'authorization',
    redirectUri: str(p.redirect_uri),
    responseType: str(p.response_type),
    responseMode: str(p.response_mode),
    par: Boolean(parJti) || (str(p.request_uri)?.startsWith('urn:ietf:params:oauth:request_uri:') ?? false),
    acrValues: str(p.acr_values),
    acr: details.session?.acr,
    prompt: str(p.prompt),
  };
}

export interface RecordInput {
  decision: Decision;
  accountId: string;
  client: ClientFacts;
  asked: Access;
  granted: Access;
  holds: Access;
  request: RequestFacts;
  grantId?: string | undefined;
  /** epoch seconds */
  exp?: number | undefined;
  correlationId: string;
  consentText: string;
}

export function consentRecord(input: RecordInput, now = new Date()): ConsentRecord {
  return {
    v: 1,
    id: randomUUID(),
    time: now.toISOString(),
    decision: input.decision,
    accountId: input.accountId,
    client: input.client,
    asked: input.asked,
    granted: input.granted,
    holds: input.holds,
    request: input.request,
    grantId: input.grantId,
    expiresAt: input.exp ? new Date(input.exp * 1000).toISOString() : undefined,
    correlationId: input.correlationId,
    consentText: input.consentText,
  };
}

/** The grant's expiry (epoch seconds): an existing grant keeps its own; a new one gets the configured lifetime. */
export function expiryOf(grant: Grant, config: Config, nowSeconds = Math.floor(Date.now() / 1000)): number {
  return grant.exp ?? nowSeconds + config.lifetimes.grant;
}

export { emptyAccess };
