// The embedded ledger (memory store): in process, append-only, bounded by retention.
// OIDC-8: a record is never dropped to make room — a full ledger refuses the write, and
// the consent it would have recorded does not proceed.
import { LedgerWriteError, matches, type ConsentLedger, type ConsentRecord, type LedgerFilter } from './ledger.js';

export interface MemoryLedgerOptions {
  /** seconds a record is kept */
  retention: number;
  maxRecords: number;
  sweepIntervalMs?: number;
}

export function createMemoryLedger(options: MemoryLedgerOptions): ConsentLedger {
  const { retention, maxRecords, sweepIntervalMs = 60_000 } = options;
  // Records are kept frozen and in write order; a record is only ever removed once it is
  // older than the retention time, oldest first.
  let records: Readonly<ConsentRecord>[] = [];
  const byAccount = new Map<string, Readonly<ConsentRecord>[]>();

  function prune(now = Date.now()): void {
    const horizon = now - retention * 1000;
    let drop = 0;
    while (drop < records.length && Date.parse((records[drop] as ConsentRecord).time) < horizon) drop += 1;
    if (!drop) return;
    records = records.slice(drop);
    for (const [account, list] of byAccount) {
      const kept = list.filter((r) => Date.parse(r.time) >= horizon);
      if (kept.length) byAccount.set(account, kept);
      else byAccount.delete(account);
    }
  }

  const timer = setInterval(prune, sweepIntervalMs);
  timer.unref();

  return {
    kind: 'memory',
    append(record) {
      if (records.length >= maxRecords) prune();
      if (records.length >= maxRecords) {
        return Promise.reject(new LedgerWriteError(`the in-memory consent ledger is full (${maxRecords} records); use the Redis store`));
      }
      const kept = Object.freeze(structuredClone(record));
      records.push(kept);
      const list = byAccount.get(record.accountId) ?? [];
      list.push(kept);
      byAccount.set(record.accountId, list);
      return Promise.resolve();
    },
    async *query(filter: LedgerFilter = {}) {
      const source = filter.accountId !== undefined ? (byAccount.get(filter.accountId) ?? []) : records;
      // A snapshot: appends during iteration are not seen, nothing is skipped.
      for (const record of [...source]) {
        if (matches(record, filter)) yield structuredClone(record);
      }
      await Promise.resolve();
    },
    close() {
      clearInterval(timer);
      return Promise.resolve();
    },
  };
}
