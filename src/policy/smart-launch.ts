// OIDC-9: SMART launch context — what an EHR may post, when a `launch` value may be
// redeemed, and which context a token response carries. Pure functions of their inputs.
import type { Refusal } from './requests.js';

export interface LaunchContext {
  patient?: string | undefined;
  encounter?: string | undefined;
  fhirContext?: Record<string, unknown>[] | undefined;
  need_patient_banner?: boolean | undefined;
  smart_style_url?: string | undefined;
}

export interface LaunchRecord {
  /** the EHR client that created it */
  launcher: string;
  /** the app it is for, when the EHR named one */
  clientId?: string | undefined;
  context: LaunchContext;
  /** epoch seconds */
  exp: number;
  /** epoch seconds, once redeemed */
  consumed?: number | undefined;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** A relative FHIR reference, as fhirUser carries: Type/id. */
const FHIR_USER = /^(Patient|Practitioner|PractitionerRole|RelatedPerson|Person)\/([A-Za-z0-9\-.]{1,64})$/;

export function patientOfFhirUser(fhirUser: unknown): string | undefined {
  if (typeof fhirUser !== 'string') return undefined;
  const m = FHIR_USER.exec(fhirUser);
  return m && m[1] === 'Patient' ? m[2] : undefined;
}

export function isFhirUser(value: unknown): boolean {
  return typeof value === 'string' && FHIR_USER.test(value);
}

type Body = Record<string, unknown>;

const invalid = (description: string): Refusal => ({ error: 'invalid_request', description: `${description} (OIDC-9)` });

function bool(v: unknown): boolean | undefined | 'bad' {
  if (v === undefined) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return 'bad';
}

/** What an EHR posts to /smart/launch, checked; or why it is refused. */
export function parseLaunchRequest(body: Body): { context: LaunchContext; clientId?: string | undefined } | Refusal {
  const { patient, encounter, client_id, smart_style_url } = body;
  if (typeof patient !== 'string' || !FHIR_ID.test(patient)) return invalid('patient is required: the FHIR Patient id the app opens');
  if (encounter !== undefined && (typeof encounter !== 'string' || !FHIR_ID.test(encounter))) return invalid('encounter must be a FHIR Encounter id');
  if (client_id !== undefined && (typeof client_id !== 'string' || client_id === '')) return invalid('client_id must name the app the launch is for');
  const banner = bool(body.need_patient_banner);
  if (banner === 'bad') return invalid('need_patient_banner must be true or false');
  if (smart_style_url !== undefined && (typeof smart_style_url !== 'string' || !/^https:\/\//.test(smart_style_url))) return invalid('smart_style_url must be an https URL');
  let fhirContext: Record<string, unknown>[] | undefined;
  if (body.fhirContext !== undefined) {
    let raw: unknown = body.fhirContext;
    if (typeof raw === 'string') {
      try {
        raw = JSON.parse(raw) as unknown;
      } catch {
        return invalid('fhirContext must be a JSON array of objects with reference or canonical');
      }
    }
    const ok = Array.isArray(raw) && raw.length <= 20 && raw.every((x) => x && typeof x === 'object' && (typeof (x as Body).reference === 'string' || typeof (x as Body).canonical === 'string'));
    if (!ok) return invalid('fhirContext must be a JSON array of objects with reference or canonical');
    fhirContext = raw as Record<string, unknown>[];
  }
  const context: LaunchContext = { patient };
  if (encounter !== undefined) context.encounter = encounter;
  if (fhirContext) context.fhirContext = fhirContext;
  if (banner !== undefined) context.need_patient_banner = banner;
  if (smart_style_url !== undefined) context.smart_style_url = smart_style_url;
  return { context, clientId: client_id };
}

/** Why a `launch` value cannot be redeemed by this client now, if it cannot. */
export function checkLaunchRedemption(record: LaunchRecord | undefined, clientId: string, now: number): Refusal | undefined {
  if (!record) return invalid('the launch value is unknown or has expired; launch the app again from the EHR');
  if (record.exp <= now) return invalid('the launch value has expired; launch the app again from the EHR');
  if (record.consumed) return invalid('the launch value has been used already; launch the app again from the EHR');
  if (record.clientId && record.clientId !== clientId) return invalid('the launch value was issued for another application');
  return undefined;
}

export interface ContextSources {
  /** granted scopes */
  scopes: ReadonlySet<string>;
  /** the context an EHR launch brought */
  launched?: LaunchContext | undefined;
  /** the signed-in person's fhirUser claim */
  fhirUser?: unknown;
  /** the patient a practitioner chose in the picker */
  picked?: string | undefined;
}

/** Standalone `launch/patient` by someone who is not that patient: a patient must be chosen. */
export function needsPatientPick(s: ContextSources): boolean {
  return s.scopes.has('launch/patient') && !s.launched?.patient && !patientOfFhirUser(s.fhirUser) && !s.picked;
}

/**
 * The launch context the token response carries: an EHR launch's context (scope `launch`),
 * or for a standalone `launch/patient` the person's own Patient record or the picked one.
 */
export function launchContextOf(s: ContextSources): LaunchContext | undefined {
  if (s.launched && s.scopes.has('launch')) {
    const { patient, encounter, ...rest } = s.launched;
    const out: LaunchContext = { ...rest };
    // SMART 2.2: the EHR's patient and encounter go to an app that asked for launch.
    if (patient) out.patient = patient;
    if (encounter) out.encounter = encounter;
    return out;
  }
  if (s.scopes.has('launch/patient')) {
    const patient = patientOfFhirUser(s.fhirUser) ?? s.picked;
    return patient ? { patient } : undefined;
  }
  return undefined;
}

/** The fields a token response (and introspection) carries for a context. */
export function contextFields(context: LaunchContext | undefined): Record<string, unknown> {
  if (!context) return {};
  return Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined));
}
