// OIDC-3, OIDC-6: which claims each scope releases, as the deployment file documents
// them. `openid` releases only the subject.
import type { ScopeDoc } from '../config/schema.js';

export function claimsByScope(scopes: Readonly<Record<string, ScopeDoc>>): Record<string, string[]> {
  const out: Record<string, string[]> = { openid: ['sub'] };
  for (const [scope, doc] of Object.entries(scopes)) out[scope] = [...doc.claims];
  return out;
}
