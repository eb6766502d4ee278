// EP-10: initial access tokens from the operator command are single-use and carry an
// allowance (src/policy/registration.ts). The library runs an IAT's policies on every
// /register call made with it and, copied to the registration access token, on every
// RFC 7592 update.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { ALLOWANCE, allowanceOf, allowancePolicyNames, checkAllowance, registrationDefaults } from '../policy/registration.js';
import type { ProfileOptions } from '../policy/classification.js';
import { metadataError } from '../provider/hooks.js';
import type { Store } from '../storage/store.js';

export const SINGLE_USE = 'single-use';

type Policy = (ctx: KoaContextWithOIDC, properties: Record<string, unknown>) => Promise<void>;

export interface RegistrationPolicyContext {
  store: Store;
  options: ProfileOptions;
  /** every scope a token may allow: the deployment's identity scopes, openid, offline_access */
  scopes: readonly string[];
  /** every API a token may allow: the resourceServers[] identifiers */
  apis: readonly string[];
}

export function registrationPolicies({ store, options, scopes, apis }: RegistrationPolicyContext): Record<string, Policy> {
  let tokens: ReturnType<Store['adapter']> | undefined; // opened on first use only

  // GR-2, EP-10: within the token's allowance; then the profile's defaults (GR-8, EP-2).
  const admit: Policy = (ctx, properties) => {
    const token = ctx.oidc.entities.InitialAccessToken ?? ctx.oidc.entities.RegistrationAccessToken;
    const allowance = allowanceOf(token?.policies);
    const problem = checkAllowance(properties, allowance);
    if (problem) return Promise.reject(metadataError(problem));
    Object.assign(properties, registrationDefaults(properties, allowance, options));
    return Promise.resolve();
  };
  const carriesData: Policy = () => Promise.resolve();

  return {
    ...Object.fromEntries(allowancePolicyNames(scopes, apis).map((name) => [name, carriesData])),
    [ALLOWANCE]: admit,
    async [SINGLE_USE](ctx, properties) {
      const iat = ctx.oidc.entities.InitialAccessToken;
      if (!iat?.jti) return; // an update with the registration access token: nothing to spend
      // Spend the token only on a registration that will be accepted (the allowance and
      // the profile checks included), so a developer can fix their metadata and try again…
      await admit(ctx, properties);
      await ctx.oidc.provider.Client.validate(properties as Parameters<typeof ctx.oidc.provider.Client.validate>[0]);
      // …and spend it atomically: of two parallel registrations only one gets through.
      tokens ??= store.adapter('InitialAccessToken');
      try {
        await tokens.consume(iat.jti);
      } catch {
        throw new errors.InvalidToken('initial access token already used');
      }
      const after = await tokens.find(iat.jti);
      if (!after?.consumed) throw new errors.InvalidToken('initial access token not found');
    },
  };
}
