// The whole deployment against the guideline, before anything starts: a file that
// breaks a rule stops the process with one line per problem naming the field and rule.
// The composer of the start-up event: each executor checks the settings of its concern.
import type { Problem } from '../config/errors.js';
import type { Config } from '../config/load.js';
import { checkSources } from '../accounts/sources/checks.js';
import { checkAccounts } from './accounts.js';
import { enabledSigningAlgs } from './algorithms.js';
import { isClassification, type ProfileOptions } from './classification.js';
import { applyProfile, checkClient, type ClientCheckContext, type ClientMetadata } from './clients.js';
import { UNSUPPORTED_CLIENT_METADATA, unknownClientFields } from './client-metadata.js';
import { deviationFor, deviationProblems } from './deviations.js';
import { START_UP_EXECUTORS } from './executors/index.js';
import { knownScopes } from './scopes.js';
import { clientSecretWeakness } from './secrets.js';

export interface DeploymentPolicy {
  options: ProfileOptions;
  /** static clients with their profile applied, ready for the library */
  clients: ClientMetadata[];
  problems: Problem[];
  /** development mode: what production would refuse, said once at start-up */
  warnings: Problem[];
}

export function profileOptions(config: Config): ProfileOptions {
  return {
    implicitForPublic: config.features.implicitForPublic,
    codeForConfidential: Boolean(deviationFor(config.deviations, 'GR-4')),
    parForInConfidence: config.features.parForInConfidence,
    senderConstrainedInConfidence: config.features.senderConstrainedInConfidence,
  };
}

export function clientCheckContext(config: Config): ClientCheckContext {
  return {
    options: profileOptions(config),
    development: config.mode === 'development',
    signingAlgs: enabledSigningAlgs(config.algorithms.idToken),
    mtls: { enabled: config.mtls.enabled, trustedCas: config.tlsMaterial.clientCas.includes('BEGIN CERTIFICATE') },
    ciba: config.features.ciba,
    resources: config.resourceServers.map((api) => api.identifier),
    scopes: knownScopes(config.scopes, config.resourceServers),
  };
}

export function checkDeployment(config: Config): DeploymentPolicy {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const options = profileOptions(config);
  const development = config.mode === 'development';
  const clientContext = clientCheckContext(config);

  // Not guideline rules: the file's own consistency, checked before the executors read it.
  if (!development && config.demo.enabled) {
    problems.push({ field: 'demo.enabled', message: 'the demo relying party is for development mode only' });
  }
  problems.push(...deviationProblems(config.deviations));
  const identifiers = new Set<string>();
  config.resourceServers.forEach((api, i) => {
    if (identifiers.has(api.identifier)) problems.push({ field: `resourceServers[${i}].identifier`, message: 'is listed twice' });
    identifiers.add(api.identifier);
  });
  // Sign-in must not be the first place a bad account shows up.
  problems.push(...checkAccounts(config.accounts, development));
  problems.push(...checkSources(config.sources, config.accounts, development));

  // Each guideline concern checks the settings it reads (src/policy/executors/, checkDeployment).
  for (const executor of START_UP_EXECUTORS) problems.push(...executor.checkDeployment(config));

  const seen = new Set<string>();
  const clients = config.clients.map((raw, i) => {
    const at = `clients[${i}]`;
    if (seen.has(raw.client_id)) problems.push({ field: `${at}.client_id`, message: `"${raw.client_id}" is listed twice` });
    seen.add(raw.client_id);
    for (const field of unknownClientFields(raw)) {
      const message = UNSUPPORTED_CLIENT_METADATA.has(field)
        ? 'this IdP does not offer that feature, so the setting would be ignored: remove it'
        : 'unknown client metadata (a typo? e.g. redirect_uris, not redirect_uri)';
      problems.push({ field: `${at}.${field}`, message: `client "${raw.client_id}": ${message}` });
    }
    // EP-2: a guessable client secret makes client authentication worthless.
    const weakness = typeof raw.client_secret === 'string' ? clientSecretWeakness(raw.client_secret) : undefined;
    if (weakness) (development ? warnings : problems).push({ field: `${at}.client_secret`, message: `client "${raw.client_id}": ${weakness}`, rule: 'EP-2' });
    const meta = isClassification(raw.classification) ? applyProfile(raw, raw.classification, options) : raw;
    for (const p of checkClient(meta, clientContext)) {
      problems.push({ ...p, field: `${at}.${p.field}`, message: `client "${raw.client_id}": ${p.message}` });
    }
    return meta;
  });

  return { options, clients, problems, warnings };
}
