// The small core the operator commands open (registration tokens, the consent export):
// the deployment's store, sealed with its keys (TOK-2), and its audit trail. No provider,
// no pages, no listener: a command reads and writes records the running IdP shares.
import type { Config } from './config/load.js';
import type { AuditSink, AuditTrail } from './ops/audit.js';
import { createAuditTrail } from './ops/audit.js';
import { createAuditSink } from './ops/audit-sinks.js';
import { createStore, type Store } from './storage/index.js';

export interface Core {
  config: Config;
  store: Store;
  audit: AuditTrail;
  /** closes the store and the audit sink */
  close(): Promise<void>;
}

export interface CoreOptions {
  /** replaces the sink `audit.sink` names (a command whose stdout is its output) */
  auditSink?: AuditSink;
  /** told when the audit sink fails to take an event */
  onAuditFailure?: (message: string) => void;
}

export async function openCore(config: Config, options: CoreOptions = {}): Promise<Core> {
  const audit = createAuditTrail(options.auditSink ?? (await createAuditSink(config)), config.secrets.lookupKey, (f) => options.onAuditFailure?.(`audit sink failed on ${f.event}: ${f.error}`));
  const store = await createStore(config);
  return {
    config,
    store,
    audit,
    async close() {
      await store.close();
      await audit.close();
    },
  };
}
