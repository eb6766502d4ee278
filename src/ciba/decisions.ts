// The person's answer to a CIBA request, whatever device it came from: a Grant with the
// requested scopes (approve) or access_denied (deny), finished through the library's
// provider.backchannelResult() — which also pings a ping-mode client.
import { randomUUID } from 'node:crypto';
import { errors, type Provider } from 'oidc-provider';
import { applyDecision, newGrantId } from '../consent/grants.js';
import { emptyAccess, type Access, type ConsentLedger } from '../consent/ledger.js';
import { clientFactsOf, consentRecord } from '../consent/decision.js';
import { recordDecision } from '../consent/record.js';
import { splitScopes } from '../consent/scopes.js';
import type { Config } from '../config/load.js';
import type { Logger } from '../ops/log.js';
import type { CibaDecisions, CibaRequest, DecisionOutcome, DeviceAuthentication } from './device.js';

type BackchannelRequest = InstanceType<Provider['BackchannelAuthenticationRequest']>;

const epoch = () => Math.floor(Date.now() / 1000);

function resourcesOf(request: BackchannelRequest): string[] {
  if (typeof request.resource === 'string') return [request.resource];
  return Array.isArray(request.resource) ? request.resource : [];
}

export interface ConsentRecording {
  ledger: ConsentLedger;
  /** the version of the consent wording in force */
  consentText: string;
}

export function createDecisions(provider: Provider, config: Config, logger: Logger, recording: ConsentRecording): CibaDecisions {
  /** OIDC-8: the answer is in the ledger before it takes effect; false when it is not. */
  async function record(request: BackchannelRequest, accountId: string, decision: 'approve' | 'deny', access: Access, grantId?: string): Promise<boolean> {
    const clientId = String(request.clientId);
    const entry = consentRecord({
      decision,
      accountId,
      client: clientFactsOf(await provider.Client.find(clientId), clientId),
      asked: access,
      granted: decision === 'approve' ? access : emptyAccess(),
      holds: decision === 'approve' ? access : emptyAccess(),
      request: { via: 'ciba' },
      grantId,
      exp: grantId ? epoch() + config.lifetimes.grant : undefined,
      // Not the auth_req_id: that is the client's credential.
      correlationId: randomUUID(),
      consentText: recording.consentText,
    });
    return (await recordDecision(recording.ledger, logger, entry)).recorded;
  }

  const accessOf = (request: BackchannelRequest): Access => splitScopes(config, (request.scope ?? '').split(' ').filter(Boolean), resourcesOf(request));

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
      const access = accessOf(request);
      // OIDC-7: the person approved exactly what was asked; OIDC-3: nothing more.
      const grant = new provider.Grant({ accountId: authentication.accountId, clientId });
      grant.jti = newGrantId();
      applyDecision(grant, access, access);
      if (!(await record(request, authentication.accountId, 'approve', access, grant.jti))) return 'not-recorded';
      await grant.save();
      await finish(request, grant, { amr: authentication.amr, ...(authentication.acr ? { acr: authentication.acr } : {}), authTime: epoch() });
      logger.log('info', 'ciba.approved', { client: clientId });
      return 'approved';
    },

    async deny(requestId: string, accountId: string): Promise<DecisionOutcome> {
      const request = await pending(requestId, accountId);
      if (typeof request === 'string') return request;
      if (!(await record(request, accountId, 'deny', accessOf(request)))) return 'not-recorded';
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
