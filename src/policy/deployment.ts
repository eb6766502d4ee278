// The whole deployment against the guideline, before anything starts: a file that
// breaks a rule stops the process with one line per problem naming the field and rule.
import type { Problem } from '../config/errors.js';
import type { Config } from '../config/load.js';
import { APPROVED_CONTENT_ENCRYPTION, APPROVED_KEY_MANAGEMENT, APPROVED_SIGNING, enabledSigningAlgs, isSigningAlgAllowed, OPT_IN_SIGNING } from './algorithms.js';
import { isClassification, type ProfileOptions } from './classification.js';
import { applyProfile, checkClient, type ClientCheckContext, type ClientMetadata } from './clients.js';
import { deviationFor } from './deviations.js';
import { introspectionClientProblems } from './executors/introspection.js';
import { tokenLifetimes } from './executors/lifetimes.js';
import { checkAccounts } from './accounts.js';
import { checkSources } from '../accounts/sources/checks.js';
import { assuranceLevels } from './executors/assurance.js';
import { unknownClientFields } from './client-metadata.js';
import { isMandatory, RULE_IDS } from './rules.js';
import { BUILT_IN_SCOPES, knownScopes } from './scopes.js';
import { clientSecretWeakness } from './secrets.js';
import { checkSigningJwks } from './signing-keys.js';
import { memoryStoreProblem, storeModuleProblems } from './store.js';
import { smart } from './executors/smart.js';

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

/** The algorithms the signing keys must serve: ID tokens, access tokens, each API's own. */
export function signingAlgsInUse(config: Config): string[] {
  const apiAlgs = config.resourceServers.flatMap((api) => (api.signingAlg ? [api.signingAlg] : []));
  return [...new Set([...enabledSigningAlgs(config.algorithms.idToken), config.algorithms.accessToken, ...apiAlgs])];
}

export function checkDeployment(config: Config): DeploymentPolicy {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const options = profileOptions(config);
  const development = config.mode === 'development';
  const clientContext = clientCheckContext(config);
  const { signingAlgs } = clientContext;

  if (!development && new URL(config.issuer).protocol !== 'https:') {
    problems.push({ field: 'issuer', message: 'must be an https URL in production mode (TLS here or at a trusted proxy)', rule: 'EP-11' });
  }
  if (!development && !config.tls && !config.proxy) {
    problems.push({ field: 'tls', message: 'production needs TLS: set tls (the IdP terminates it) or proxy = true (a TLS-terminating proxy in front)', rule: 'EP-11' });
  }
  if (!development && config.demo.enabled) {
    problems.push({ field: 'demo.enabled', message: 'the demo relying party is for development mode only' });
  }

  if (config.mtls.enabled && !config.tls && !config.mtls.proxyHeader) {
    problems.push({ field: 'mtls', message: 'mutual TLS needs either tls (the IdP terminates TLS) or mtls.proxyHeader (a proxy forwards the certificate)', rule: 'EP-2' });
  }
  if (config.mtls.proxyHeader && config.mtls.trustedProxies.length === 0) {
    problems.push({ field: 'mtls.trustedProxies', message: 'list the proxies allowed to forward client certificates; the header is ignored from anyone else', rule: 'EP-2' });
  }

  config.deviations.forEach((d, i) => {
    if (!RULE_IDS.has(d.rule)) problems.push({ field: `deviations[${i}].rule`, message: `${d.rule} is not a rule of the guideline` });
    else if (isMandatory(d.rule)) problems.push({ field: `deviations[${i}].rule`, message: `${d.rule} is a MUST and cannot be waived`, rule: d.rule });
  });

  config.algorithms.idToken.forEach((alg, i) => {
    if (!isSigningAlgAllowed(alg, config.algorithms.idToken) || alg.startsWith('HS') || alg === 'none') {
      problems.push({ field: `algorithms.idToken[${i}]`, message: `"${alg}" is not an approved signing algorithm`, rule: 'TOK-9' });
    }
  });
  if (!isSigningAlgAllowed(config.algorithms.accessToken, signingAlgs)) {
    problems.push({ field: 'algorithms.accessToken', message: `"${config.algorithms.accessToken}" is not an approved signing algorithm (or not in algorithms.idToken)`, rule: 'TOK-9' });
  }

  config.algorithms.clientAuthentication.forEach((alg, i) => {
    if (!isSigningAlgAllowed(alg, config.algorithms.clientAuthentication)) {
      problems.push({ field: `algorithms.clientAuthentication[${i}]`, message: `"${alg}" is not an approved client assertion algorithm (approved: ${APPROVED_SIGNING.join(', ')}; opt-in: ${OPT_IN_SIGNING.join(', ')})`, rule: 'TOK-9' });
    }
  });

  problems.push(...(tokenLifetimes.checkDeployment?.(config) ?? [])); // TOK-1, TOK-3, TOK-4, EP-8

  if (config.plugins.store) {
    problems.push(...storeModuleProblems(config.store, !development));
  } else {
    const memory = memoryStoreProblem(config.store, !development);
    if (memory) problems.push(memory);
  }

  // OIDC-3: `openid` releases the subject only, `offline_access` nothing: a file cannot
  // make either release claims (scopes.openid could otherwise hand out the NHI number).
  for (const scope of BUILT_IN_SCOPES) {
    if (Object.hasOwn(config.scopes, scope)) problems.push({ field: `scopes.${scope}`, message: `"${scope}" is built in and cannot be redefined`, rule: 'OIDC-3' });
  }

  // Sign-in must not be the first place a bad account shows up.
  problems.push(...checkAccounts(config.accounts, development));
  problems.push(...checkSources(config.sources, config.accounts, development));
  problems.push(...(assuranceLevels.checkDeployment?.(config) ?? [])); // AUTH-1

  if (config.signingJwks) problems.push(...checkSigningJwks(config.signingJwks.keys, signingAlgsInUse(config)));

  const identifiers = new Set<string>();
  config.resourceServers.forEach((api, i) => {
    const at = `resourceServers[${i}]`;
    if (identifiers.has(api.identifier)) problems.push({ field: `${at}.identifier`, message: 'is listed twice' });
    identifiers.add(api.identifier);
    if (api.signingAlg && !isSigningAlgAllowed(api.signingAlg, signingAlgs)) {
      problems.push({ field: `${at}.signingAlg`, message: `"${api.signingAlg}" is not an approved signing algorithm here`, rule: 'TOK-9' });
    }
    problems.push(...introspectionClientProblems(api, config.clients).map((p) => ({ ...p, field: `${at}.${p.field}` })));
    if (api.encrypt) {
      if (!(APPROVED_KEY_MANAGEMENT as readonly string[]).includes(api.encrypt.alg)) problems.push({ field: `${at}.encrypt.alg`, message: `use one of ${APPROVED_KEY_MANAGEMENT.join(', ')}`, rule: 'TOK-8' });
      if (!(APPROVED_CONTENT_ENCRYPTION as readonly string[]).includes(api.encrypt.enc)) problems.push({ field: `${at}.encrypt.enc`, message: `use one of ${APPROVED_CONTENT_ENCRYPTION.join(', ')}`, rule: 'TOK-8' });
    }
  });

  problems.push(...(smart.checkDeployment?.(config) ?? [])); // OIDC-9

  const seen = new Set<string>();
  const clients = config.clients.map((raw, i) => {
    const at = `clients[${i}]`;
    if (seen.has(raw.client_id)) problems.push({ field: `${at}.client_id`, message: `"${raw.client_id}" is listed twice` });
    seen.add(raw.client_id);
    for (const field of unknownClientFields(raw)) {
      problems.push({ field: `${at}.${field}`, message: `client "${raw.client_id}": unknown client metadata (a typo? e.g. redirect_uris, not redirect_uri)` });
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
