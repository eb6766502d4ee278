// EP-10: initial access tokens from the operator command are single-use. The library
// runs an IAT's policies on every /register call made with it (and, copied to the
// registration access token, on every RFC 7592 update).
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Store } from '../storage/store.js';

export const SINGLE_USE = 'single-use';

type Policy = (ctx: KoaContextWithOIDC, properties: Record<string, unknown>) => Promise<void>;

export function registrationPolicies(store: Store): Record<string, Policy> {
  let tokens: ReturnType<Store['adapter']> | undefined; // opened on first use only
  return {
    async [SINGLE_USE](ctx, properties) {
      const iat = ctx.oidc.entities.InitialAccessToken;
      if (!iat?.jti) return; // an update with the registration access token: nothing to spend
      // Spend the token only on a registration that will be accepted (the profile
      // checks included), so a developer can fix their metadata and try again…
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
