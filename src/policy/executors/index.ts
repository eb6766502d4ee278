// The executors by name. A profile (src/policy/classification.ts PROFILES) lists the names
// of those that hold it; the deployment-wide ones hold for every client and are listed here.
import type { Classification, ExecutorName } from '../classification.js';
import { PROFILES } from '../classification.js';
import { assuranceLevels } from './assurance.js';
import { ciba } from './ciba.js';
import { clientAuth } from './client-auth.js';
import { clientCredentials } from './client-credentials.js';
import { grants } from './grants.js';
import { idTokenHashes } from './id-token-hashes.js';
import { introspection } from './introspection.js';
import { tokenLifetimes } from './lifetimes.js';
import { openid } from './openid.js';
import { par } from './par.js';
import { pkce } from './pkce.js';
import { redirectUris } from './redirect-uris.js';
import { resources } from './resources.js';
import { responseTypes } from './response-types.js';
import { scopes } from './scopes.js';
import { senderConstraint } from './sender-constraint.js';
import { signingAlgs } from './signing-algs.js';
import { signingKeys } from './signing-keys.js';
import { smart } from './smart.js';
import { store } from './store.js';
import { tls } from './tls.js';
import { tokenEncryption } from './token-encryption.js';
import type { Executor, LibraryMessage, ReportLine } from './types.js';

export type * from './types.js';

export const CLIENT_EXECUTORS: Readonly<Record<ExecutorName, Executor>> = {
  'client-auth': clientAuth,
  'response-types': responseTypes,
  grants,
  'client-credentials': clientCredentials,
  ciba,
  par,
  pkce,
  'redirect-uris': redirectUris,
  openid,
  scopes,
  'sender-constraint': senderConstraint,
  'signing-algs': signingAlgs,
  resources,
};

/** Concerns of the deployment rather than of a client's profile. */
export const DEPLOYMENT_EXECUTORS: readonly Executor[] = [tls, tokenLifetimes, store, signingKeys, introspection, tokenEncryption, idTokenHashes, smart, assuranceLevels];

/** The executors that hold a class's profile, in the order the profile lists them. */
export function executorsFor(classification: Classification): readonly Executor[] {
  return PROFILES[classification].executors.map((name) => CLIENT_EXECUTORS[name]);
}

/** Every executor, each once. */
export const ALL_EXECUTORS: readonly Executor[] = [...Object.values(CLIENT_EXECUTORS), ...DEPLOYMENT_EXECUTORS];

/** An executor that checks the deployment file at start-up. */
export type StartUpExecutor = Executor & Required<Pick<Executor, 'checkDeployment'>>;

/** The executors with a start-up check (the deployment event), in registry order. */
export const START_UP_EXECUTORS: readonly StartUpExecutor[] = ALL_EXECUTORS.filter((e): e is StartUpExecutor => e.checkDeployment !== undefined);

/** The executor that owns a rule's line in the compliance report (one per rule), if one does. */
export function ownerOf(rule: string): { executor: Executor; line: ReportLine } | undefined {
  for (const executor of ALL_EXECUTORS) {
    const line = executor.report.find((l) => l.rule === rule);
    if (line) return { executor, line };
  }
  return undefined;
}

/**
 * The library's own refusals, tagged with the rule of the executor that backs each. First
 * match wins, so the order is deliberate: a message naming two concerns goes to the earlier
 * ("response_type not allowed for this client" is GR-4, not GR-1). Executors not listed
 * here come after, in registry order.
 */
const MESSAGE_ORDER: readonly Executor[] = [pkce, par, openid, responseTypes, redirectUris, senderConstraint, grants, tokenLifetimes, clientAuth];

export const LIBRARY_MESSAGES: readonly (LibraryMessage & { executor: string })[] = [...MESSAGE_ORDER, ...ALL_EXECUTORS.filter((e) => !MESSAGE_ORDER.includes(e))].flatMap((e) =>
  (e.libraryMessages ?? []).map((m) => ({ ...m, executor: e.name })),
);
