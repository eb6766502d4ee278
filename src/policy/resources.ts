// Which API (resource server) a client may get tokens for, and in what format.
// GR-2/GR-3: a client reaches APIs of its own classification and below.
// TOK-6/TOK-7/TOK-8: JWT access tokens (RFC 9068) by default, opaque only with
// introspection, encrypted when the API's tokens carry PII.
import type { ResourceServerConfig } from '../config/schema.js';
import { isClassification, rank } from './classification.js';

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
