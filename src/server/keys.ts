// The signing keys the provider starts with (EP-7), and the loud warnings about anything
// development mode made up at start-up.
import type { Config, Jwks } from '../config/load.js';
import { providerJwks } from '../keys/lifecycle.js';
import type { Logger } from '../ops/log.js';
import { signingAlgsInUse } from '../policy/algorithms.js';
import { ephemeralJwks } from '../provider/keys.js';

export async function startingKeys(config: Config, logger: Logger): Promise<Jwks> {
  let jwks: Jwks;
  if (config.signingJwks) {
    // EP-7: pending keys are published only; superseded ones verify only (src/keys/lifecycle.ts).
    jwks = providerJwks(config.signingJwks, Math.floor(Date.now() / 1000));
  } else {
    // TOK-9: a key for every algorithm the deployment signs with, access tokens' and each API's too.
    jwks = await ephemeralJwks(signingAlgsInUse(config));
    logger.log('warn', 'keys.ephemeral', { message: 'EPHEMERAL SIGNING KEYS: made up at start-up, gone at restart; every token signed now stops verifying then. Development only.' });
  }
  if (config.secrets.ephemeral) {
    logger.log('warn', 'secrets.ephemeral', { message: 'EPHEMERAL SECRETS: cookie and sealing keys are made up at start-up. Development only.' });
  } else if (config.secrets.dpopNonceKeyMadeUp) {
    logger.log('warn', 'secrets.dpopNonceKey', { message: 'secrets.dpopNonceKey is not set: DPoP nonces are made up per process, so replicas will not accept each other\'s nonces. Set it when running more than one replica.' });
  }
  return jwks;
}
