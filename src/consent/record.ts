// OIDC-8: the ledger write every decision goes through (consent page, consents page,
// CIBA): the record is kept before the decision takes effect, or the decision does not
// happen. What the person is then shown is the caller's (a page, or a device's answer).
import type { Logger } from '../ops/log.js';
import type { ConsentLedger, ConsentRecord } from './ledger.js';
import { TooManyDecisionsError } from './limits.js';

export type RecordOutcome =
  | { recorded: true }
  /** too many decisions in a short time (consent/limits.ts): nothing changed, try again after retryAfter seconds */
  | { recorded: false; reason: 'too_many'; retryAfter: number }
  /** the ledger could not keep it: nothing changed */
  | { recorded: false; reason: 'failed' };

export async function recordDecision(ledger: ConsentLedger, logger: Logger, record: ConsentRecord): Promise<RecordOutcome> {
  const facts = { decision: record.decision, client: record.client.id, correlationId: record.correlationId };
  try {
    await ledger.append(record);
  } catch (err) {
    if (err instanceof TooManyDecisionsError) {
      logger.log('warn', 'consent.too_many', facts);
      return { recorded: false, reason: 'too_many', retryAfter: err.retryAfter };
    }
    logger.log('error', 'consent.not_recorded', { ...facts, error: (err as Error).name });
    return { recorded: false, reason: 'failed' };
  }
  logger.log('info', 'consent.recorded', { record: record.id, ...facts });
  return { recorded: true };
}
