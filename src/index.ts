// The public API: what an agency's TypeScript may import from this package (`health-idp`,
// package.json `exports`). Everything else under src/ is internal and may change.
// Guide: config/guides/plugins.md.

/**
 * Build the identity provider from a loaded deployment file: checks the deployment
 * (start-up errors are {@link ConfigError}s naming the field), opens the store, loads the
 * modules the file names under `plugins`, and returns it ready to `listen()`.
 */
export { createIdp } from './server.js';
export type { CloseOptions, Idp, IdpOptions, ShutdownReport } from './server.js';

/** Read and validate a deployment file (secrets resolved from env and files). */
export { loadConfig } from './config/load.js';
export type { Config, LoadOptions } from './config/load.js';
/** A start-up error: `problems` name each field (and rule); `format()` is what operators read. */
export { ConfigError } from './config/errors.js';
export type { Problem } from './config/errors.js';

/** Account sources: an agency's directory behind `authenticate` and `find`. */
export type { Account, AccountStore } from './accounts/store.js';

/** EP-9: the CIBA authentication device and the decisions it reports back through. */
export type { AuthenticationDevice, AuthenticationDeviceFactory, CibaDecisions, CibaRequest, DecisionOutcome, DeviceAuthentication } from './ciba/device.js';
export type { CibaOptions } from './ciba/index.js';

/** The audit trail's events and where they go. */
export type { AuditEvent, AuditEventName, AuditSink } from './ops/audit.js';
export { AUDIT_EVENTS, AUDIT_SCHEMA_VERSION } from './ops/audit.js';

/** Logging: our interface, the stock pino logger, and what a logger module may return. */
export type { Level, Logger } from './ops/log.js';
export { createLogger } from './ops/log.js';
export type { PinoCompatibleLogger } from './plugins/kinds.js';

/**
 * The store behind the library's models. An agency's backend implements the small
 * RecordBackend; sealedStore() wraps it with sealing and single use (TOK-1, TOK-2), so a
 * backend never sees an id or a payload in the clear (config/guides/storage-backends.md).
 */
export type { Found, PutOptions, RecordBackend } from './storage/backend.js';
export { createSealer, sealedStore, StoreUnavailableError } from './storage/backend.js';
export type { Sealer, SealingKey, Store } from './storage/backend.js';

/** The functions a module named in the deployment file exports, and what they are given. */
export type { PluginContext } from './plugins/load.js';
export type { CreateAccountStore, CreateAuditSink, CreateAuthenticationDevice, CreateLogger, PluginOptions, ResolveLoginHint } from './plugins/types.js';
