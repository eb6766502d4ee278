// Development mode's demo accounts show both kinds of second factor: the first account gets
// a one-time-code app factor whose key start-up prints (development only, so a developer
// can add it to an authenticator app); the others have none, so the sign-in invites them
// to enrol one — a passkey or an app — when a client asks for the MFA level.
import type { Config } from '../config/load.js';
import type { FactorStore } from './store.js';
import { groupedSecret, newTotpSecret, totpUri } from './totp.js';

export interface DemoFactor {
  username: string;
  key: string;
  uri: string;
}

export async function seedDemoFactors(config: Config, factors: FactorStore): Promise<DemoFactor | undefined> {
  const first = config.accounts[0];
  if (config.mode !== 'development' || !config.demo.enabled || !first) return undefined;
  const accountId = first.id ?? first.username;
  const existing = await factors.get(accountId);
  if (existing.totp) return undefined;
  const secret = newTotpSecret();
  await factors.put(accountId, { ...existing, totp: { secret, created: Math.floor(Date.now() / 1000) } });
  return { username: first.username, key: groupedSecret(secret), uri: totpUri(secret, config.assurance.totpIssuer, first.username) };
}
