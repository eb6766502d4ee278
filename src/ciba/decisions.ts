// The person's answer to a CIBA request, whatever device it came from: a Grant with the
// requested scopes (approve) or access_denied (deny), finished through the library's
// provider.backchannelResult() — which also pings a ping-mode client.
import { errors, type Provider } from 'oidc-provider';
import type { Config } from '../config/load.js';
import type { Logger } from '../ops/log.js';
import type { CibaDecisions, CibaRequest, DecisionOutcome, DeviceAuthentication } from './device.js';

type BackchannelRequest = InstanceType<Provider['BackchannelAuthenticationRequest']>;

const epoch = () => Math.floor(Date.now() / 1000);

function resourcesOf(request: BackchannelRequest): string[] {
  if (typeof request.resource === 'string') return [request.resource];
  return Array.isArray(request.resource) ? request.resource : [];
}

export function createDecisions(provider: Provider, config: Config, logger: Logger): CibaDecisions {
  const oidcScopes = new Set(['openid', 'offline_access', ...Object.keys(config.scopes)]);

  /** The request, when it is this account's and still waiting for an answer. */
  async function pending(requestId: string, accountId: string): Promise<BackchannelRequest | DecisionOutcome> {
    if (!requestId) return 'not-found';
    const request = await provider.BackchannelAuthenticationRequest.find<BackchannelRequest>(requestId, { ignoreExpiration: true });
    // A person only ever answers their own requests; anything else looks like nothing.
    if (!request || request.accountId !== accountId) return 'not-found';
    if (request.isExpired) return 'expired';
    if (request.grantId || request.error || request.consumed) return 'already-decided';
    return request;
  }

  async function finish(request: BackchannelRequest, result: Parameters<Provider['backchannelResult']>[1], opts: Parameters<Provider['backchannelResult']>[2]): Promise<void> {
    try {
      await provider.backchannelResult(request, result, opts);
    } catch (err) {
      // The result is saved before the ping; a failed ping leaves the client to poll.
      if (request.grantId || request.error) {
        logger.log('warn', 'ciba.ping_failed', { client: request.clientId, error: (err as Error).name });
        return;
      }
      throw err;
    }
  }

  return {
    async approve(requestId: string, authentication: DeviceAuthentication): Promise<DecisionOutcome> {
      const request = await pending(requestId, authentication.accountId);
      if (typeof request === 'string') return request;
      const clientId = String(request.clientId);
      const scopes = (request.scope ?? '').split(' ').filter(Boolean);
      // OIDC-7: the person approved exactly what was asked; OIDC-3: nothing more.
      const grant = new provider.Grant({ accountId: authentication.accountId, clientId });
      grant.addOIDCScope(scopes.filter((s) => oidcScopes.has(s)).join(' '));
      for (const indicator of resourcesOf(request)) {
        const api = config.resourceServers.find((r) => r.identifier === indicator);
        const apiScopes = scopes.filter((s) => api && s in api.scopes);
        if (apiScopes.length) grant.addResourceScope(indicator, apiScopes.join(' '));
      }
      await grant.save();
      await finish(request, grant, { amr: authentication.amr, ...(authentication.acr ? { acr: authentication.acr } : {}), authTime: epoch() });
      logger.log('info', 'ciba.approved', { client: clientId });
      return 'approved';
    },

    async deny(requestId: string, accountId: string): Promise<DecisionOutcome> {
      const request = await pending(requestId, accountId);
      if (typeof request === 'string') return request;
      await finish(request, new errors.AccessDenied('the person declined the request (OIDC-7)'), {});
      logger.log('info', 'ciba.denied', { client: String(request.clientId) });
      return 'denied';
    },

    async describe(requestId: string, accountId: string): Promise<CibaRequest | undefined> {
      const request = await pending(requestId, accountId);
      if (typeof request === 'string') return undefined;
      return describeRequest(provider, request);
    },
  };
}

/** The device's view of a request. */
export async function describeRequest(provider: Provider, request: BackchannelRequest): Promise<CibaRequest> {
  const clientId = String(request.clientId);
  const client = await provider.Client.find(clientId);
  const params = (request.params ?? {}) as Record<string, unknown>;
  return {
    id: String(request.jti),
    accountId: String(request.accountId),
    clientId,
    clientName: client?.clientName ?? clientId,
    scopes: (request.scope ?? '').split(' ').filter(Boolean),
    resources: resourcesOf(request),
    bindingMessage: typeof params.binding_message === 'string' ? params.binding_message : undefined,
    expiresAt: request.exp ?? epoch() + request.expiration,
  };
}
