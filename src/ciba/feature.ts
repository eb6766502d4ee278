// EP-9: the library's `features.ciba` hooks. They find the running device through the
// provider (attachCiba registers it), so the configuration can be built before it exists.
import { errors, type Configuration, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import type { Config } from '../config/load.js';
import type { Logger } from '../ops/log.js';
import { describeRequest } from './decisions.js';
import type { AuthenticationDevice } from './device.js';
import { profileOptions } from '../policy/deployment.js';
import { DELIVERY_MODES } from '../policy/executors/ciba.js';
import { checkCibaRequest } from '../policy/requests.js';

export interface CibaRuntime {
  device: AuthenticationDevice;
  /** login_hint (a username) → account id; undefined when there is no such person */
  resolveLoginHint(hint: string): Promise<string | undefined>;
  logger: Logger;
}

const runtimes = new WeakMap<Provider, CibaRuntime>();

export function registerCibaRuntime(provider: Provider, runtime: CibaRuntime): void {
  runtimes.set(provider, runtime);
}

function runtimeOf(ctx: KoaContextWithOIDC): CibaRuntime {
  const runtime = runtimes.get(ctx.oidc.provider);
  if (!runtime) throw new Error('CIBA has no authentication device attached');
  return runtime;
}

/** The binding message is shown to the person on two screens: short, plain characters. */
const BINDING_MESSAGE = /^[\p{L}\p{N} .,:;!?#+\-/_()]{1,40}$/u;

type CibaFeature = NonNullable<NonNullable<Configuration['features']>['ciba']>;

export function cibaFeature(config: Config): CibaFeature {
  if (!config.features.ciba) return { enabled: false };
  const options = profileOptions(config);
  return {
    enabled: true,
    deliveryModes: [...DELIVERY_MODES],
    processLoginHint: async (ctx, loginHint) => (loginHint ? runtimeOf(ctx).resolveLoginHint(loginHint) : undefined),
    processLoginHintToken: () => {
      throw new errors.InvalidRequest('login_hint_token is not supported; send the username as login_hint');
    },
    // Runs for every /bc-authorize request: re-check the client against EP-9/GR-2/GR-6,
    // so a static client that slipped past start-up is still refused here.
    validateRequestContext: (ctx, requestContext) => {
      const problem = checkCibaRequest(ctx.oidc.client?.metadata() ?? {}, options);
      if (problem) throw new errors.UnauthorizedClient(`${problem.message} (${problem.rule ?? 'EP-9'})`);
      if (requestContext !== undefined) throw new errors.InvalidRequest('request_context is not supported');
    },
    validateBindingMessage: (_ctx, bindingMessage) => {
      if (bindingMessage !== undefined && !BINDING_MESSAGE.test(bindingMessage)) {
        throw new errors.InvalidBindingMessage('binding_message must be 1-40 letters, digits, spaces or simple punctuation');
      }
    },
    verifyUserCode: (_ctx, _account, userCode) => {
      if (userCode !== undefined) throw new errors.InvalidUserCode('user_code is not supported; the person signs in on the device');
    },
    triggerAuthenticationDevice: async (ctx, request, _account, client) => {
      const runtime = runtimeOf(ctx);
      await runtime.device.notify(await describeRequest(ctx.oidc.provider, request));
      runtime.logger.log('info', 'ciba.requested', { client: client.clientId });
    },
  };
}

/** How long a request waits for the person: the deployment's limit, or less if the client asks. */
export function cibaRequestTtl(config: Config) {
  return (ctx: KoaContextWithOIDC | undefined): number => {
    const limit = config.ciba.requestLifetime;
    const asked = Number((ctx?.oidc?.params as { requested_expiry?: unknown } | undefined)?.requested_expiry);
    return Number.isSafeInteger(asked) && asked > 0 ? Math.min(asked, limit) : limit;
  };
}
