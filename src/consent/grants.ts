// The library's Grant is what a consent *does*: it holds exactly what the person approved
// (and what they declined, so they are not asked again), and withdrawing it ends every
// token issued from it.
import { randomBytes } from 'node:crypto';
import type { Grant, KoaContextWithOIDC, Provider } from 'oidc-provider';
import { heldConsents, type Access, type ConsentLedger } from './ledger.js';

const words = (s: string | undefined) => new Set((s ?? '').split(' ').filter(Boolean));
const join = (set: Set<string>) => [...set].join(' ');

/** A new grant's id, chosen before it is saved so the ledger can name it first (OIDC-8). */
export function newGrantId(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Record the person's decision on `asked` in the grant: what they approved is granted,
 * what they unticked is rejected (the library then does not ask again for it); a
 * decision replaces any earlier one on the same item. Not saved here.
 */
export function applyDecision(grant: Grant, asked: Access, approved: Access): void {
  const approvedScopes = new Set(approved.scopes);
  const granted = words(grant.openid?.scope);
  const rejected = words(grant.rejected?.openid?.scope);
  for (const scope of asked.scopes) {
    granted.delete(scope);
    rejected.delete(scope);
    (approvedScopes.has(scope) ? granted : rejected).add(scope);
  }
  grant.openid = { ...grant.openid, scope: join(granted) };
  grant.rejected = { ...grant.rejected, openid: { ...grant.rejected?.openid, scope: join(rejected) } };
  const claims = asked.claims.filter((c) => approved.claims.includes(c));
  if (claims.length) grant.addOIDCClaims(claims);

  for (const [indicator, scopes] of Object.entries(asked.resources)) {
    const ok = new Set(approved.resources[indicator] ?? []);
    const g = words(grant.resources?.[indicator]);
    const r = words(grant.rejected?.resources?.[indicator]);
    for (const scope of scopes) {
      g.delete(scope);
      r.delete(scope);
      (ok.has(scope) ? g : r).add(scope);
    }
    grant.resources = { ...grant.resources, [indicator]: join(g) };
    grant.rejected = { ...grant.rejected, resources: { ...grant.rejected?.resources, [indicator]: join(r) } };
  }
}

/** What a grant lets its client have now. */
export function holdingsOf(grant: Grant, claimsOfScopes: (scopes: string[]) => string[]): Access {
  const scopes = grant.getOIDCScope().split(' ').filter(Boolean);
  const resources: Record<string, string[]> = {};
  for (const indicator of Object.keys(grant.resources ?? {})) {
    const s = grant.getResourceScope(indicator).split(' ').filter(Boolean);
    if (s.length) resources[indicator] = s;
  }
  return { scopes, claims: [...new Set([...claimsOfScopes(scopes), ...grant.getOIDCClaims()])], resources };
}

/**
 * Withdraw a grant: every token and code issued from it stops working now (stored
 * tokens are deleted; a refresh attempt finds neither token nor grant). JWT access
 * tokens are self-contained and run out at their short expiry (TOK-3).
 */
export async function revokeGrant(provider: Provider, grantId: string): Promise<void> {
  await Promise.all(
    [provider.RefreshToken, provider.AccessToken, provider.AuthorizationCode, provider.DeviceCode, provider.BackchannelAuthenticationRequest].map((model) =>
      model.revokeByGrantId(grantId),
    ),
  );
  const grant = await provider.Grant.find(grantId);
  await grant?.destroy();
}

/**
 * `loadExistingGrant`: the library looks only in the browser's session; a consent the
 * person gave in an earlier session is remembered too, until it expires or is withdrawn
 * (OIDC-7: not asked again for what was already agreed; asked only for the difference).
 */
export function rememberedGrantLoader(ledger: ConsentLedger) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const { oidc } = ctx;
    const clientId = oidc.client?.clientId;
    const fromSession = oidc.result?.consent?.grantId ?? (clientId ? oidc.session?.grantIdFor(clientId) : undefined);
    if (fromSession) {
      const grant = await oidc.provider.Grant.find(fromSession);
      if (grant || oidc.result?.consent?.grantId) return grant;
    }
    const accountId = oidc.account?.accountId ?? oidc.session?.accountId;
    if (!accountId || !clientId) return undefined;
    const held = (await heldConsents(ledger, accountId)).find((c) => c.clientId === clientId);
    if (!held) return undefined;
    const grant = await oidc.provider.Grant.find(held.grantId);
    return grant && grant.accountId === accountId && grant.clientId === clientId ? grant : undefined;
  };
}
