// Loading an agency's module named in the deployment file: resolve its path against the
// file's directory, import it, call the function its kind exports and check what comes
// back. Every failure is a start-up error naming the field; never a stack trace.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/load.js';
import type { Logger } from '../ops/log.js';
import { PLUGIN_KINDS, type PluginKindName } from './kinds.js';

/** What every plug-in function is given besides its options. */
export interface PluginContext {
  /** the IdP's logger (secret fields redacted); log events, never secrets */
  logger: Logger;
  /** the deployment's issuer URL */
  issuer: string;
  mode: 'development' | 'production';
}

export interface ModuleRef {
  path: string;
  options: Record<string, unknown>;
}

type Kind<K extends PluginKindName> = (typeof PLUGIN_KINDS)[K];
type Provided<K extends PluginKindName> = Kind<K>['accepts'] extends (v: unknown) => v is infer T ? T : never;

/** The loaded module: its kind's function, and the module's other exports. */
export interface LoadedModule {
  file: string;
  create: (...args: unknown[]) => unknown;
  exports: Record<string, unknown>;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** Import the module `ref` names for `kind`, checking it exports the kind's function. */
export async function importPlugin(config: Pick<Config, 'source' | 'baseDir' | 'mode'>, kind: PluginKindName, ref: ModuleRef): Promise<LoadedModule> {
  const { field, exportName, contract } = PLUGIN_KINDS[kind];
  const problem = (text: string, rule?: string) => new ConfigError(config.source, [{ field: `${field}.path`, message: text, rule }]);
  const file = isAbsolute(ref.path) ? ref.path : resolve(config.baseDir, ref.path);
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw problem(`cannot load ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : message(err)}`);
  }
  // Code the IdP runs is as sensitive as its keys: anyone who can rewrite it signs in as anyone.
  if (config.mode === 'production' && (mode & 0o002) !== 0) {
    throw problem(`${file} is writable by every user; production refuses a module anyone could change (chmod o-w)`);
  }
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw problem(`cannot load ${file}: ${message(err)}`);
  }
  // A CommonJS module's `module.exports = { … }` arrives as the default export.
  const fromDefault = typeof exports.default === 'object' && exports.default !== null ? (exports.default as Record<string, unknown>) : {};
  if (!(exportName in exports) && exportName in fromDefault) exports = { ...fromDefault, ...exports };
  const create = exports[exportName];
  if (typeof create !== 'function') throw problem(`${file} does not export ${contract}`);
  return { file, create: create as LoadedModule['create'], exports };
}

/** The start-up error when `value` (what the module's function returned) lacks the kind's shape. */
export function shapeProblem(config: Pick<Config, 'source'>, kind: PluginKindName, loaded: LoadedModule, value: unknown): ConfigError | undefined {
  const { field, exportName, contract, accepts } = PLUGIN_KINDS[kind];
  if ((accepts as (v: unknown) => boolean)(value)) return undefined;
  const what = value instanceof Promise ? 'a promise (this one must answer at once)' : value === null ? 'null' : typeof value;
  return new ConfigError(config.source, [{ field: `${field}.path`, message: `${exportName}() in ${loaded.file} returned ${what}; it must be ${contract}` }]);
}

/** The start-up error when the module's function throws. */
export function callProblem(config: Pick<Config, 'source'>, kind: PluginKindName, loaded: LoadedModule, err: unknown): ConfigError {
  const { field, exportName } = PLUGIN_KINDS[kind];
  return new ConfigError(config.source, [{ field: `${field}.path`, message: `${exportName}() in ${loaded.file} failed: ${message(err)}` }]);
}

/** Call the module's function (awaiting it) and check its result has the kind's shape. */
export async function providedBy<K extends PluginKindName>(config: Pick<Config, 'source'>, kind: K, loaded: LoadedModule, args: unknown[]): Promise<Provided<K>> {
  let value: unknown;
  try {
    value = await loaded.create(...args);
  } catch (err) {
    throw callProblem(config, kind, loaded, err);
  }
  const problem = shapeProblem(config, kind, loaded, value);
  if (problem) throw problem;
  return value as Provided<K>;
}

/** Import and call in one step, for kinds whose function needs nothing from the running IdP. */
export async function loadPlugin<K extends PluginKindName>(config: Pick<Config, 'source' | 'baseDir' | 'mode'>, kind: K, ref: ModuleRef, context: PluginContext): Promise<Provided<K>> {
  const loaded = await importPlugin(config, kind, ref);
  return providedBy(config, kind, loaded, [ref.options, context]);
}
