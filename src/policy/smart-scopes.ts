// OIDC-9: SMART App Launch 2.2 scopes, read and checked. A SMART resource scope is
// `<context>/<ResourceType|*>.<permissions>[?<query>]`: v2 permissions are a subset of
// `cruds` in that order; v1's `read`, `write` and `*` are accepted as their v2 equivalents.
// A FHIR server's declared scopes say what it allows; a requested scope is granted only
// when a declared one covers it (same context and type, no more permissions, and a query
// at least as narrow). Pure functions: no HTTP, no storage.
import type { Refusal } from './requests.js';

export type SmartContext = 'patient' | 'user' | 'system';

export interface SmartScope {
  raw: string;
  context: SmartContext;
  /** a FHIR resource type, or `*` */
  type: string;
  /** v2 permission letters, in `cruds` order */
  permissions: string;
  /** the granular query (`category=laboratory`), empty when none */
  query: URLSearchParams;
  version: 1 | 2;
}

/** SMART's identity and launch-context scopes (not resource scopes). */
export const SMART_CONTEXT_SCOPES = ['fhirUser', 'launch', 'launch/patient', 'launch/encounter'] as const;

const SHAPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.([a-z*]+)(?:\?(.+))?$/;
const V1: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };
const V2 = /^c?r?u?d?s?$/;

/** True for anything shaped like a SMART resource scope (well-formed or not). */
export function looksSmart(scope: string): boolean {
  return /^(patient|user|system)\//.test(scope);
}

export function parseSmartScope(raw: string): SmartScope | undefined {
  const m = SHAPE.exec(raw);
  if (!m) return undefined;
  const [, context, type, perms, query] = m as unknown as [string, SmartContext, string, string, string | undefined];
  let permissions: string;
  let version: 1 | 2;
  if (perms in V1) {
    permissions = V1[perms] as string;
    version = 1;
  } else if (perms && V2.test(perms)) {
    permissions = perms;
    version = 2;
  } else return undefined;
  // Granular scopes are v2 only.
  if (query !== undefined && version === 1) return undefined;
  return { raw, context, type, permissions, query: new URLSearchParams(query ?? ''), version };
}

/** Does `declared` allow everything `requested` asks for? */
export function covers(declared: SmartScope, requested: SmartScope): boolean {
  if (declared.context !== requested.context) return false;
  if (declared.type !== '*' && declared.type !== requested.type) return false;
  if ([...requested.permissions].some((p) => !declared.permissions.includes(p))) return false;
  // A declared query narrows: the request must carry each of its parameters, same value.
  for (const [k, v] of declared.query) if (!requested.query.getAll(k).includes(v)) return false;
  return true;
}

export function coveredBy(declared: readonly string[], requested: string): boolean {
  const r = parseSmartScope(requested);
  if (!r) return false;
  return declared.some((d) => {
    const p = parseSmartScope(d);
    return p !== undefined && covers(p, r);
  });
}

export interface SmartScopeCheck {
  /** requested SMART resource scopes the server allows */
  granted: string[];
  refusal?: Refusal;
}

/**
 * OIDC-9: the SMART resource scopes of a request against a FHIR server's declared scopes.
 * A malformed one, or one the server does not allow (a v1 write scope for a read-only
 * server), is refused with `invalid_scope` naming it; so is a context the route cannot give
 * (system/ scopes need client_credentials, patient/ and user/ need a person).
 */
export function checkSmartScopes(requested: readonly string[], declared: readonly string[], server: string, grant: 'person' | 'system'): SmartScopeCheck {
  const granted: string[] = [];
  for (const scope of requested) {
    if (!looksSmart(scope)) continue;
    const parsed = parseSmartScope(scope);
    if (!parsed) return { granted, refusal: { error: 'invalid_scope', description: `${scope} is not a SMART scope (context/Type.cruds, or v1 .read/.write) (OIDC-9)` } };
    if (grant === 'person' && parsed.context === 'system') {
      return { granted, refusal: { error: 'invalid_scope', description: `${scope} is a backend-services scope: ask for it with client_credentials, not through a person's sign-in (OIDC-9, GR-6)` } };
    }
    if (!coveredBy(declared, scope)) {
      const allowed = declared.filter((d) => parseSmartScope(d)?.context === parsed.context);
      return {
        granted,
        refusal: { error: 'invalid_scope', description: `${server} does not allow ${scope}${allowed.length ? `; it allows ${allowed.join(' ')}` : ''} (OIDC-9)` },
      };
    }
    granted.push(scope);
  }
  return { granted };
}

/** Is `requested` a scope of this server: a declared one, or a SMART scope it covers? */
export function scopeOfServer(declared: readonly string[], requested: string): boolean {
  return declared.includes(requested) || coveredBy(declared, requested);
}

// OIDC-6, OIDC-7: plain-language texts for the consent page.
const NOUNS: Record<string, string> = {
  '*': 'health records',
  Observation: 'test results and measurements',
  Condition: 'health conditions',
  MedicationRequest: 'prescriptions',
  MedicationStatement: 'medicines',
  AllergyIntolerance: 'allergies',
  Immunization: 'immunisations',
  Procedure: 'procedures',
  Encounter: 'visits',
  Patient: 'patient details',
  Practitioner: 'health professionals\' details',
  DiagnosticReport: 'test reports',
  DocumentReference: 'documents',
  Appointment: 'appointments',
  CarePlan: 'care plans',
};
const CATEGORIES: Record<string, string> = {
  laboratory: 'laboratory results',
  'vital-signs': 'vital signs (such as blood pressure and heart rate)',
  'social-history': 'social history',
  imaging: 'imaging results',
  survey: 'survey answers',
  'problem-list-item': 'problem list',
  'encounter-diagnosis': 'visit diagnoses',
};

function noun(scope: SmartScope): string {
  const category = scope.query.get('category');
  const code = category?.split('|').pop();
  if (code && CATEGORIES[code]) return CATEGORIES[code];
  const base = NOUNS[scope.type] ?? `${scope.type} records`;
  return category ? `${base} (${code ?? category})` : base;
}

/** "Read your laboratory results" — what a SMART resource scope lets the app do. */
export function describeSmartScope(raw: string): string | undefined {
  const scope = parseSmartScope(raw);
  if (!scope) return undefined;
  const verbs: string[] = [];
  if (scope.permissions.includes('r') || scope.permissions.includes('s')) verbs.push('read');
  if (scope.permissions.includes('c')) verbs.push('add to');
  if (scope.permissions.includes('u')) verbs.push('change');
  if (scope.permissions.includes('d')) verbs.push('delete');
  const verb = verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} and ${verbs.at(-1)}` : (verbs[0] ?? 'use');
  const whose = scope.context === 'patient' ? 'your' : scope.context === 'user' ? 'the' : 'all';
  const tail = scope.context === 'user' ? ' you have access to' : '';
  const text = `${verb} ${whose} ${noun(scope)}${tail}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const SMART_CONTEXT_TEXT: Record<(typeof SMART_CONTEXT_SCOPES)[number], string> = {
  fhirUser: 'Know which health record is yours (a reference to your record, not its contents)',
  launch: 'Open with the record already chosen in your health system',
  'launch/patient': 'Know which patient\'s record it is working with',
  'launch/encounter': 'Know which visit it is working with',
};
