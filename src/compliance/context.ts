// Everything an assessor may look at, gathered once per report.
import type { Config } from '../config/load.js';
import type { DeploymentPolicy } from '../policy/deployment.js';
import { ownerOf } from '../policy/executors/index.js';
import type { ClientFacts, ProviderFacts } from './facts.js';
import type { Assessment } from './types.js';

export interface AssessContext {
  config: Config;
  policy: DeploymentPolicy;
  provider: ProviderFacts;
  clients: ClientFacts[];
}

export type Assess = (ctx: AssessContext) => Assessment;

/** "3 clients (PUBLIC 1, IN-CONFIDENCE 1, SENSITIVE 1)" */
export function countBy(clients: readonly ClientFacts[], pick: (c: ClientFacts) => boolean = () => true): string {
  const chosen = clients.filter(pick);
  const by = new Map<string, number>();
  for (const c of chosen) by.set(c.classification, (by.get(c.classification) ?? 0) + 1);
  const parts = [...by].map(([k, n]) => `${k} ${n}`);
  return `${chosen.length} client${chosen.length === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

export function list(values: readonly string[], empty = 'none'): string {
  return values.length ? values.join(', ') : empty;
}

export function seconds(value: number | undefined): string {
  return value === undefined ? 'unknown' : `${value} s`;
}

/** The claims released by deployment scopes other than `sub` (identity attributes: PII). */
export function identityClaimsByScope(config: Config): [string, string[]][] {
  return Object.entries(config.scopes)
    .map(([scope, doc]): [string, string[]] => [scope, doc.claims.filter((c) => c !== 'sub')])
    .filter(([, claims]) => claims.length > 0);
}

/** keys.signing names a file that was deliberately left unread (--no-secrets). */
export function signingKeysUnread(config: Config): boolean {
  return config.unresolvedSecrets.some((s) => s.startsWith('keys.signing'));
}

/**
 * How the IdP holds a rule, in the words of the executor that enforces it
 * (src/policy/executors/): the report never writes its own text for a rule policy owns.
 */
export function enforcedBy(rule: string): string {
  const owner = ownerOf(rule);
  if (!owner) throw new Error(`no executor reports ${rule}`);
  return owner.line.mechanism;
}
