// AUTH-1 (src/policy/rules.ts): levels of assurance, a deployment-wide executor. Pure decisions of (config, client
// classification, request): which level a sign-in reached (from what was done, never
// assumed), which level a request needs, and whether the deployment's levels are sound.
// The ID token's `acr` is the strongest level reached; `amr` uses RFC 8176 values.
import type { Problem } from '../../config/errors.js';
import type { Classification, Deviation } from '../../config/schema.js';
import type { AssuranceSettings, LevelSettings, SecondFactor } from '../../factors/settings.js';
import type { Executor } from './types.js';

/**
 * `amr` values of each way to sign in: RFC 8176's, and `fed` (as Entra ID uses it; RFC 8176
 * §2 allows values agreed by the parties) for a sign-in at an identity source whose own
 * methods we were not told or do not trust.
 */
export type Method = 'pwd' | 'otp' | 'hwk' | 'swk' | 'fed';

/** The first factors: our password, or an identity source's sign-in. A second factor alone is neither. */
const FIRST_FACTORS: ReadonlySet<string> = new Set<Method>(['pwd', 'fed']);

/** True when the methods hold a first factor, so a second factor can complete them. */
export function hasFirstFactor(methods: readonly string[]): boolean {
  return methods.some((m) => FIRST_FACTORS.has(m));
}

/** A second factor's RFC 8176 value; a recovery code is a one-time password. */
export function amrOfFactor(factor: SecondFactor, multiDevice = false): Method {
  if (factor === 'passkey') return multiDevice ? 'swk' : 'hwk';
  return 'otp';
}

const FACTOR_OF: Record<Exclude<Method, 'pwd' | 'fed'>, SecondFactor[]> = { otp: ['otp', 'recovery'], hwk: ['passkey'], swk: ['passkey'] };

/** The `amr` claim: what was done, plus `mfa` when a second factor joined the password. */
export function amrClaim(methods: readonly string[]): string[] {
  const done = [...new Set(methods.filter((m) => m !== 'mfa'))];
  return hasFirstFactor(done) && done.some((m) => !FIRST_FACTORS.has(m)) ? [...done, 'mfa'] : done;
}

function meets(level: LevelSettings, methods: readonly string[]): boolean {
  if (!hasFirstFactor(methods)) return false;
  if (level.secondFactors.length === 0) return true;
  return methods.some((m) => m in FACTOR_OF && FACTOR_OF[m as keyof typeof FACTOR_OF].some((f) => level.secondFactors.includes(f)));
}

/** Index of the strongest level the methods reach; -1 for none. */
export function rankReached(settings: AssuranceSettings, methods: readonly string[]): number {
  let rank = -1;
  settings.levels.forEach((level, i) => {
    if (meets(level, methods)) rank = i;
  });
  return rank;
}

/** The `acr` a sign-in with these methods reached (undefined: none). */
export function acrReached(settings: AssuranceSettings, methods: readonly string[]): string | undefined {
  return settings.levels[rankReached(settings, methods)]?.acr;
}

export function rankOf(settings: AssuranceSettings, acr: string | undefined): number {
  return acr === undefined ? -1 : settings.levels.findIndex((l) => l.acr === acr);
}

/** The least level a client of this class gets (AUTH-1): the configured one, or the default. */
export function minimumAcr(settings: AssuranceSettings, classification: string | undefined, production: boolean): string {
  const weakest = settings.levels[0]?.acr ?? '';
  const strongest = settings.levels[settings.levels.length - 1]?.acr ?? weakest;
  const configured = settings.minimum[classification as Classification];
  if (configured) return configured;
  return classification === 'SENSITIVE' && production ? strongest : weakest;
}

export interface LevelRequest {
  /** the request's `acr_values`, space-separated (voluntary preference order) */
  acrValues?: string | undefined;
  /** an essential `acr` claim's value or values (claims parameter) */
  essential?: readonly string[] | undefined;
}

export type Requirement = { ok: true; rank: number; acr: string } | { ok: false; reason: string };

/** What a claims parameter's `acr` asks (OIDC Core 5.5.1.1): essential or voluntary values. */
export interface AcrRequest {
  essential?: string[];
  voluntary?: string[];
}

/**
 * AUTH-1: the `acr` asked in the raw claims parameter (the library has already refused one
 * that is not JSON or not shaped right; OIDC-3 refuses every other claim). An essential
 * `acr` without values accepts any level, so it asks nothing.
 */
export function acrRequestOf(claims: unknown): AcrRequest {
  let parsed: unknown = claims;
  if (typeof claims === 'string') {
    try {
      parsed = JSON.parse(claims);
    } catch {
      return {};
    }
  }
  const acr = (parsed as { id_token?: { acr?: unknown } } | undefined)?.id_token?.acr;
  if (!acr || typeof acr !== 'object') return {};
  const { essential, value, values } = acr as { essential?: unknown; value?: unknown; values?: unknown };
  const asked = Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
  if (!asked.length) return {};
  return essential === true ? { essential: asked } : { voluntary: asked };
}

/**
 * The level a request needs: at least the client's minimum; an essential `acr` or
 * `acr_values` raise it to the weakest level named that this deployment offers. Values
 * none of which is offered cannot be met (`unmet_authentication_requirements`).
 */
export function requiredLevel(settings: AssuranceSettings, minimum: string, request: LevelRequest): Requirement {
  const floor = Math.max(0, rankOf(settings, minimum));
  const asked = request.essential?.length ? request.essential : request.acrValues?.split(' ').filter(Boolean);
  if (!asked?.length) return { ok: true, rank: floor, acr: settings.levels[floor]?.acr ?? minimum };
  const offered = asked.map((v) => rankOf(settings, v)).filter((r) => r >= 0);
  if (!offered.length) return { ok: false, reason: `none of the requested acr values (${asked.join(', ')}) is offered here` };
  const rank = Math.max(floor, Math.min(...offered));
  return { ok: true, rank, acr: settings.levels[rank]?.acr ?? minimum };
}

/** The second factors that reach a level (empty: the password is enough). */
export function factorsFor(settings: AssuranceSettings, rank: number): readonly SecondFactor[] {
  return settings.levels[rank]?.secondFactors ?? [];
}

/** Start-up checks of the `assurance` section (AUTH-1). */
export function checkAssurance(settings: AssuranceSettings, production: boolean, deviations: readonly Deviation[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  settings.levels.forEach((level, i) => {
    if (seen.has(level.acr)) problems.push({ field: `assurance.levels[${i}].acr`, message: `"${level.acr}" is listed twice` });
    seen.add(level.acr);
  });
  for (const [classification, acr] of Object.entries(settings.minimum)) {
    if (acr !== undefined && !seen.has(acr)) problems.push({ field: `assurance.minimum.${classification}`, message: `"${acr}" is not one of assurance.levels[].acr`, rule: 'AUTH-1' });
  }
  const sensitive = rankOf(settings, minimumAcr(settings, 'SENSITIVE', production));
  if (production && sensitive >= 0 && factorsFor(settings, sensitive).length === 0 && !deviations.some((d) => d.rule === 'AUTH-1')) {
    problems.push({
      field: 'assurance.minimum.SENSITIVE',
      message: 'SENSITIVE clients need a level with a second factor in production; a lower minimum needs a declared deviation (rule AUTH-1) saying why',
      rule: 'AUTH-1',
    });
  }
  return problems;
}

/** AUTH-1 as an executor: its start-up check and its line in the compliance report. */
export const assuranceLevels: Executor = {
  name: 'assurance-levels',
  report: [
    {
      rule: 'AUTH-1',
      mechanism:
        "the level a sign-in reached and the level a request needs are worked out in src/policy/executors/assurance.ts; a login check (src/provider/assurance.ts) asks for an interaction until the session's sign-in, worked out from its amr, reaches the client's minimum, the requested acr_values or an essential acr in the claims parameter (an identity source's sign-in, amr fed, is a first factor at the lowest level); the second step (src/interactions/second-factor.ts) asks only for the missing factor, or ends with unmet_authentication_requirements; a password-only SENSITIVE minimum in production stops start-up unless an AUTH-1 deviation is declared",
    },
  ],
  checkDeployment: (config) => checkAssurance(config.assurance, config.mode === 'production', config.deviations),
};
