// The ledger for the configured store (OIDC-8): records outlive the process with Redis
// (a sealed stream, redis-ledger.ts); with the memory store they live in the process.
import type { Config } from '../config/load.js';
import { redisConnectionFor, type Store } from '../storage/index.js';
import { createSealer } from '../storage/seal.js';
import type { ConsentLedger } from './ledger.js';
import { createMemoryLedger } from './memory-ledger.js';

export type { ConsentLedger } from './ledger.js';

/** `store`: the IdP's store, whose Redis connection the ledger shares; without it (commands), a connection of its own. */
export async function createLedger(config: Config, store?: Store): Promise<ConsentLedger> {
  if (config.store.type === 'redis') {
    const { createRedisLedger } = await import('./redis-ledger.js');
    // The same keys as the store: the same sealing (TOK-2) and lookup hashing.
    const sealer = createSealer(config.secrets.sealingKeys, config.secrets.lookupKey);
    const connection = store?.redis;
    const client = connection ?? redisConnectionFor(config);
    return createRedisLedger(config.store, sealer, { retention: config.consent.retention, ownsConnection: !connection, waitForReplicas: store?.waitForReplicas }, client);
  }
  return createMemoryLedger({ retention: config.consent.retention, maxRecords: config.consent.maxRecords });
}
