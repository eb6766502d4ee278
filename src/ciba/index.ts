// EP-9: CIBA for the running IdP — the authentication device(s), the login_hint lookup,
// and the approval page's routes. The library's hooks are in feature.ts.
import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Provider } from 'oidc-provider';
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/load.js';
import type { SignIn } from '../web/sign-in.js';
import type { Logger } from '../ops/log.js';
import type { Store } from '../storage/store.js';
import { createApprovalPage } from './approval-page.js';
import { createDecisions, type ConsentRecording } from './decisions.js';
import type { AuthenticationDevice, AuthenticationDeviceFactory } from './device.js';
import { registerCibaRuntime } from './feature.js';

export type { AuthenticationDevice, AuthenticationDeviceFactory, CibaDecisions, CibaRequest, DecisionOutcome, DeviceAuthentication } from './device.js';

/** What an agency plugs in (createIdp's `ciba` option). */
export interface CibaOptions {
  /** the agency's authentication device (push notification, app…) */
  device?: AuthenticationDeviceFactory;
  /** login_hint → account id, for a directory other than the deployment file's accounts */
  resolveLoginHint?: (hint: string) => Promise<string | undefined>;
}

export interface CibaDeps {
  config: Config;
  store: Store;
  /** the one throttled sign-in the other password forms use */
  signIn: SignIn;
  logger: Logger;
  options?: CibaOptions | undefined;
  /** OIDC-8: where each answer is recorded before it takes effect */
  recording: ConsentRecording;
}

/** Wires CIBA into the provider; the approval page's router when it is on, else undefined. */
export function attachCiba(provider: Provider, { config, store, signIn, logger, options = {}, recording }: CibaDeps): Router | undefined {
  if (!config.features.ciba) return undefined;
  const decisions = createDecisions(provider, config, logger, recording);
  const approvalPageOn = config.ciba.approvalPage ?? (config.mode === 'development' && !options.device);

  const devices: AuthenticationDevice[] = [];
  if (options.device) devices.push(options.device(decisions));
  const page = approvalPageOn ? createApprovalPage({ config, store, signIn, decisions, logger }) : undefined;
  if (page) devices.push(page.device);
  if (!devices.length) {
    throw new ConfigError(config.source, [{ field: 'features.ciba', message: 'CIBA needs an authentication device: set ciba.approvalPage = true, or give createIdp a `ciba.device`', rule: 'EP-9' }]);
  }

  // login_hint is the username (case-insensitive), as on the sign-in page.
  const usernames = new Map(config.accounts.map((a) => [a.username.toLowerCase(), a.id ?? a.username]));
  registerCibaRuntime(provider, {
    device: { notify: async (request) => void (await Promise.all(devices.map((d) => d.notify(request)))) },
    resolveLoginHint: options.resolveLoginHint ?? ((hint) => Promise.resolve(usernames.get(hint.trim().toLowerCase()))),
    logger,
  });

  // EP-10: discovery says exactly what is offered; the library always claims user codes.
  provider.use(async (ctx: Context, next: Next) => {
    await next();
    if (ctx.path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object') {
      (ctx.body as Record<string, unknown>).backchannel_user_code_parameter_supported = false;
    }
  });

  return page?.router;
}
