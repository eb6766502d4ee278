// The ledger for the configured store. OIDC-8: records must outlive the process, so a
// Redis deployment needs the Redis ledger; until it is in this build, a production Redis
// deployment refuses to start rather than keep its records in one process's memory.
import type { Config } from '../config/load.js';
import type { Logger } from '../ops/log.js';
import type { ConsentLedger } from './ledger.js';
import { createMemoryLedger } from './memory-ledger.js';

export type { ConsentLedger } from './ledger.js';

export function createLedger(config: Config, logger: Logger): ConsentLedger {
  if (config.store.type === 'redis') {
    if (config.mode === 'production') {
      throw new Error('the consent ledger has no Redis implementation in this build yet (OIDC-8); use the memory store or a build with the Redis ledger');
    }
    logger.log('warn', 'consent.ledger_in_memory', { message: 'CONSENT LEDGER IN MEMORY with the Redis store: records are lost at restart. Development only.' });
  }
  return createMemoryLedger({ retention: config.consent.retention, maxRecords: config.consent.maxRecords });
}
