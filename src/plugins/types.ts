// The functions an agency's module exports, typed for a TypeScript module
// (`export const createAccountStore: CreateAccountStore = …`). See config/guides/plugins.md.
import type { AccountStore } from '../accounts/store.js';
import type { AuthenticationDevice, CibaDecisions } from '../ciba/device.js';
import type { AuditSink } from '../ops/audit.js';
import type { Logger } from '../ops/log.js';
import type { PinoCompatibleLogger } from './kinds.js';
import type { PluginContext } from './load.js';

/** The options object the deployment file gives the module (`plugins.<kind>.options`). */
export type PluginOptions = Record<string, unknown>;

/** `plugins.accounts`: the account source. May be async (open a pool, bind to a directory). */
export type CreateAccountStore = (options: PluginOptions, context: PluginContext) => AccountStore | Promise<AccountStore>;

/**
 * `plugins.cibaDevice`: the CIBA authentication device (EP-9), given the decisions it
 * answers through. Must return at once (not a promise); connect lazily in `notify`.
 */
export type CreateAuthenticationDevice = (decisions: CibaDecisions, options: PluginOptions, context: PluginContext) => AuthenticationDevice;

/** `plugins.cibaDevice`'s optional second export: CIBA `login_hint` → account id. */
export type ResolveLoginHint = (hint: string) => string | undefined | Promise<string | undefined>;

/** `audit.sink` of type `module`: where audit events go. */
export type CreateAuditSink = (options: PluginOptions, context: PluginContext) => AuditSink | Promise<AuditSink>;

/** `plugins.logger`: the logger (its context's logger is the stock one). */
export type CreateLogger = (options: PluginOptions, context: PluginContext) => Logger | PinoCompatibleLogger | Promise<Logger | PinoCompatibleLogger>;
