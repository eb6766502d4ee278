// OIDC-6, OIDC-7: what a consent page says about each scope, in plain language.
import type { Config } from '../config/load.js';

export interface ScopeLine {
  scope: string;
  description: string;
  claims: string[];
  /** the API it is for, when it is an API scope */
  api?: string | undefined;
  optional: boolean;
}

const BUILT_IN: Record<string, string> = {
  openid: 'Confirm who you are (a pseudonymous identifier for you)',
  offline_access: 'Keep access while you are not using the application (until you withdraw it)',
};

export function describeScopes(config: Config, oidcScopes: readonly string[], resourceScopes: Readonly<Record<string, readonly string[]>>): ScopeLine[] {
  const lines: ScopeLine[] = oidcScopes.map((scope) => {
    const doc = config.scopes[scope];
    return {
      scope,
      description: doc?.description ?? BUILT_IN[scope] ?? scope,
      claims: doc?.claims ?? [],
      optional: doc?.optional ?? false,
    };
  });
  for (const [indicator, scopes] of Object.entries(resourceScopes)) {
    const api = config.resourceServers.find((s) => s.identifier === indicator);
    for (const scope of scopes) {
      lines.push({ scope, description: api?.scopes[scope] ?? scope, claims: [], api: api?.name ?? indicator, optional: false });
    }
  }
  return lines;
}
