// complianceReport: the deployment against every rule of the guideline. Pure: it reads
// the loaded Config and the result of checkDeployment, opens nothing, prints nothing.
import type { Config } from '../config/load.js';
import type { DeploymentPolicy } from '../policy/deployment.js';
import { deviationFor } from '../policy/deviations.js';
import { isMandatory, RULES } from '../policy/rules.js';
import { signingKeysUnread, type Assess, type AssessContext } from './context.js';
import { clientFacts, providerFacts } from './facts.js';
import { authRules } from './rules/auth.js';
import { endpointRules } from './rules/endpoints.js';
import { grantRules } from './rules/grants.js';
import { oidcRules } from './rules/oidc.js';
import { tokenRules } from './rules/tokens.js';
import { STATUSES, type Assessment, type Report, type ReportRow, type Status } from './types.js';

export const ASSESSORS: Readonly<Record<string, Assess>> = { ...tokenRules, ...endpointRules, ...oidcRules, ...grantRules, ...authRules };

export interface ReportOptions {
  /** when the report is made (a parameter so that the function stays pure) */
  generatedAt?: Date;
  /** client ids the demo relying party added (development mode) */
  demoClientIds?: readonly string[];
}

/** Lay the deployment checks and `deviations[]` over a rule's own assessment. */
function row(ctx: AssessContext, rule: (typeof RULES)[number], assessment: Assessment): ReportRow {
  const problems = ctx.policy.problems.filter((p) => p.rule === rule.id).map((p) => `${p.field}: ${p.message}`);
  const declared = deviationFor(ctx.config.deviations, rule.id);
  let status: Status = assessment.status;
  let deviation = assessment.deviation ?? null;
  if (problems.length) {
    status = 'broken';
  } else if (declared && status !== 'broken') {
    status = 'deviation';
    deviation ??= { setting: declared.setting, reason: declared.reason };
  }
  return {
    id: rule.id,
    level: rule.level,
    text: rule.text,
    status,
    evidence: assessment.evidence,
    // A mechanism next to a broken rule would read as reassurance; leave it out there.
    mechanism: status === 'broken' ? null : (assessment.mechanism ?? null),
    deviation,
    problems,
    review: assessment.review ?? null,
  };
}

function notesFor(config: Config, policy: DeploymentPolicy, demoClientIds: readonly string[]): string[] {
  const notes: string[] = [];
  if (config.mode === 'development') notes.push('development mode: http issuer and http redirect URIs allowed; not for real use');
  if (config.secrets.ephemeral) notes.push('ephemeral secrets: cookie and sealing keys made up at start-up');
  if (config.unresolvedSecrets.length) {
    notes.push(`secrets not read (--no-secrets), so checks on their values were not made: ${config.unresolvedSecrets.join(', ')}`);
  }
  if (!config.signingJwks && !signingKeysUnread(config)) notes.push('ephemeral signing keys: made up at start-up, gone at restart');
  if (config.mode === 'production' && config.plugins.store && config.store.type === 'memory' && config.store.singleInstance) {
    notes.push(`store.singleInstance: declared a single-instance deployment on the store backend module ${config.plugins.store.path}; the IdP seals what it keeps (TOK-2) but cannot check that it is durable, and the consent ledger and sign-in counts stay in the process, lost at every restart; no second replica may run`);
  } else if (config.mode === 'production' && config.store.type === 'memory' && config.store.singleInstance) {
    notes.push('store.singleInstance: declared a single-instance deployment on the memory store; sessions, tokens and consents are lost at every restart and no second replica may run');
  }
  if (policy.warnings.length) notes.push(...policy.warnings.map((w) => `warning: ${w.field}: ${w.message}${w.rule ? ` (${w.rule})` : ''}; production mode refuses this`));
  if (demoClientIds.length) notes.push(`demo.enabled: the demo relying party adds clients ${demoClientIds.join(', ')}, counted below`);
  if (policy.problems.length) notes.push(`the IdP refuses to start with this file: ${policy.problems.length} problem(s) in the deployment checks`);
  return notes;
}

export function complianceReport(config: Config, policy: DeploymentPolicy, options: ReportOptions = {}): Report {
  const ctx: AssessContext = { config, policy, provider: providerFacts(config, policy), clients: policy.clients.map(clientFacts) };
  const rows = RULES.map((rule) => {
    const assess = ASSESSORS[rule.id];
    if (!assess) throw new Error(`no compliance assessment for ${rule.id}`);
    return row(ctx, rule, assess(ctx));
  });
  const summary = Object.fromEntries(STATUSES.map((s) => [s, rows.filter((r) => r.status === s).length])) as Record<Status, number>;
  return {
    reportVersion: 1,
    issuer: config.issuer,
    mode: config.mode,
    store: config.store.type,
    source: config.source,
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    startsUp: policy.problems.length === 0,
    summary,
    mandatoryBroken: rows.filter((r) => r.status === 'broken' && isMandatory(r.id)).map((r) => r.id),
    otherProblems: policy.problems.filter((p) => !p.rule).map((p) => `${p.field}: ${p.message}`),
    unresolvedSecrets: config.unresolvedSecrets,
    notes: notesFor(config, policy, options.demoClientIds ?? []),
    rows,
  };
}
