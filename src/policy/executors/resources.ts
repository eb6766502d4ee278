// GR-2, GR-3, EP-10: which API (resource server) a client may get tokens for. A client
// reaches APIs of its own classification and below (GR-3 for a PUBLIC client: public
// clients only for PUBLIC APIs; GR-2 otherwise), and only those its registration lists in
// `allowed_resources` (EP-10). Registration: `allowed_resources` names this deployment's
// APIs. Token request: the API named is known and within reach. (The token's format and
// lifetime for the API: src/provider/hooks.ts resourceServerInfo, TOK-3/TOK-6..8.)
import type { ResourceServerConfig } from '../../config/schema.js';
import { isClassification, rank } from '../classification.js';
import type { Executor } from './types.js';

export function mayReach(clientClassification: unknown, api: ResourceServerConfig): boolean {
  return isClassification(clientClassification) && rank(clientClassification) >= rank(api.classification);
}

/** EP-10: a client registered with `allowed_resources` gets tokens for those APIs only. */
export function registeredFor(allowedResources: unknown, api: ResourceServerConfig): boolean {
  return !Array.isArray(allowedResources) || allowedResources.includes(api.identifier);
}

export function findResourceServer(servers: readonly ResourceServerConfig[], indicator: string): ResourceServerConfig | undefined {
  return servers.find((s) => s.identifier === indicator);
}

export const resources: Executor = {
  name: 'resources',
  report: [
    { rule: 'GR-3', mechanism: 'only the PUBLIC profile allows token_endpoint_auth_method none, and a PUBLIC client reaches PUBLIC APIs only (src/policy/executors/resources.ts)' },
  ],
  checkClient(meta, _client, ctx) {
    const allowed = meta.allowed_resources;
    if (allowed === undefined) return [];
    if (Array.isArray(allowed) && allowed.every((a) => typeof a === 'string' && (ctx.resources === undefined || ctx.resources.includes(a)))) return [];
    return [{ field: 'allowed_resources', message: `must list API identifiers of this deployment${ctx.resources ? `: ${ctx.resources.join(', ')}` : ''}`, rule: 'EP-10' }];
  },
  tokenRequest({ client, resource }) {
    if (!resource) return undefined;
    const { api, indicator } = resource;
    if (!api) return { error: 'invalid_target', description: `unknown resource ${indicator}` };
    if (!mayReach(client.classification, api)) {
      const rule = client.classification === 'PUBLIC' ? 'GR-3' : 'GR-2';
      return { error: 'invalid_target', description: `this client may not obtain tokens for a ${api.classification} API (${rule})` };
    }
    if (!registeredFor(client.allowedResources, api)) return { error: 'invalid_target', description: 'this client is registered for other APIs only (EP-10)' };
    return undefined;
  },
};
