// What an agency's module may provide, one entry per kind: the deployment-file field that
// names it, the function it must export and what that function must return. Adding a kind
// (the store backend, say) is one entry here plus its field in src/config/schema.ts.
import type { AccountStore } from '../accounts/store.js';
import type { AuthenticationDevice } from '../ciba/device.js';
import type { AuditSink } from '../ops/audit.js';
import type { Level, Logger } from '../ops/log.js';

/** A pino logger, or anything with pino's level methods taking one object. */
export interface PinoCompatibleLogger {
  debug(fields: Record<string, unknown>): void;
  info(fields: Record<string, unknown>): void;
  warn(fields: Record<string, unknown>): void;
  error(fields: Record<string, unknown>): void;
}

export interface PluginKind<T> {
  /** the deployment-file field that names the module (start-up errors name it) */
  readonly field: string;
  /** the function the module must export */
  readonly exportName: string;
  /** the call and what it must return, as the start-up error says it */
  readonly contract: string;
  accepts(value: unknown): value is T;
}

const hasFunctions = (value: unknown, names: readonly string[]): boolean =>
  typeof value === 'object' && value !== null && names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');

const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

export const PLUGIN_KINDS = {
  accounts: {
    field: 'plugins.accounts',
    exportName: 'createAccountStore',
    contract: 'createAccountStore(options, context) returning { authenticate(username, password), find(id) }',
    accepts: (v: unknown): v is AccountStore => hasFunctions(v, ['authenticate', 'find']),
  },
  cibaDevice: {
    field: 'plugins.cibaDevice',
    exportName: 'createAuthenticationDevice',
    contract: 'createAuthenticationDevice(decisions, options, context) returning { notify(request) }',
    accepts: (v: unknown): v is AuthenticationDevice => hasFunctions(v, ['notify']),
  },
  auditSink: {
    field: 'audit.sink',
    exportName: 'createAuditSink',
    contract: 'createAuditSink(options, context) returning { write(event), close?() }',
    accepts: (v: unknown): v is AuditSink => hasFunctions(v, ['write']),
  },
  logger: {
    field: 'plugins.logger',
    exportName: 'createLogger',
    contract: 'createLogger(options, context) returning { log(level, event, fields) } or a pino-compatible logger ({ debug, info, warn, error })',
    accepts: (v: unknown): v is Logger | PinoCompatibleLogger => hasFunctions(v, ['log']) || hasFunctions(v, LEVELS),
  },
} as const satisfies Record<string, PluginKind<unknown>>;

export type PluginKindName = keyof typeof PLUGIN_KINDS;
