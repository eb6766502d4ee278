// The agency's modules the deployment file names (`plugins`, and `audit.sink` of type
// `module`), loaded at start-up. What createIdp is given in code takes precedence.
import type { AccountStore } from '../accounts/store.js';
import type { CibaOptions } from '../ciba/index.js';
import type { AuthenticationDevice } from '../ciba/device.js';
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/load.js';
import type { Logger } from '../ops/log.js';
import { callProblem, importPlugin, loadPlugin, shapeProblem, type PluginContext } from './load.js';
import { pluginLogger } from './logger.js';

export type { PluginContext } from './load.js';

type PluginConfig = Pick<Config, 'source' | 'baseDir' | 'mode' | 'issuer' | 'plugins'>;

export function pluginContext(config: Pick<Config, 'issuer' | 'mode'>, logger: Logger): PluginContext {
  return { logger, issuer: config.issuer, mode: config.mode };
}

/** The logger module's logger (secret fields redacted), or undefined when none is named. */
export async function loadLogger(config: PluginConfig, fallback: Logger): Promise<Logger | undefined> {
  const ref = config.plugins.logger;
  if (!ref) return undefined;
  // The module's own start-up messages go to the stock logger.
  return pluginLogger(await loadPlugin(config, 'logger', ref, pluginContext(config, fallback)));
}

/** The account source module's AccountStore, or undefined when none is named. */
export async function loadAccounts(config: PluginConfig, logger: Logger): Promise<AccountStore | undefined> {
  const ref = config.plugins.accounts;
  return ref ? loadPlugin(config, 'accounts', ref, pluginContext(config, logger)) : undefined;
}

/**
 * EP-9: the CIBA device module as createIdp's `ciba` option. The device itself is made when
 * CIBA is wired (it needs the decisions to answer through), still during start-up.
 */
export async function loadCibaDevice(config: PluginConfig & Pick<Config, 'features'>, logger: Logger): Promise<CibaOptions | undefined> {
  const ref = config.plugins.cibaDevice;
  if (!ref) return undefined;
  if (!config.features.ciba) {
    throw new ConfigError(config.source, [{ field: 'plugins.cibaDevice', message: 'names a CIBA device, but features.ciba is off; turn it on or remove the module', rule: 'EP-9' }]);
  }
  const loaded = await importPlugin(config, 'cibaDevice', ref);
  const hint = loaded.exports.resolveLoginHint;
  if (hint !== undefined && typeof hint !== 'function') {
    throw new ConfigError(config.source, [{ field: 'plugins.cibaDevice.path', message: `${loaded.file} exports resolveLoginHint, but not as a function (hint) => account id` }]);
  }
  const context = pluginContext(config, logger);
  return {
    device(decisions) {
      let device: unknown;
      try {
        device = loaded.create(decisions, ref.options, context);
      } catch (err) {
        throw callProblem(config, 'cibaDevice', loaded, err);
      }
      const problem = shapeProblem(config, 'cibaDevice', loaded, device);
      if (problem) throw problem;
      return device as AuthenticationDevice;
    },
    ...(typeof hint === 'function' ? { resolveLoginHint: async (h: string) => {
          const id: unknown = await (hint as (h: string) => unknown)(h);
          return typeof id === 'string' && id ? id : undefined;
        } } : {}),
  };
}
