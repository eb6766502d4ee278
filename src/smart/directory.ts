// OIDC-9: where the patient picker finds patients. The built-in directory is the list in
// the deployment file (`smart.patients`); an agency plugs in its own, e.g. a FHIR
// `Patient?name=` search against its FHIR server, by implementing this interface.
import type { SmartPatient } from '../config/schema.js';

export type PatientSummary = SmartPatient;

export interface PatientDirectory {
  /** Patients the practitioner may choose, matching the text (empty text: the first few). */
  search(text: string, practitioner: string): Promise<PatientSummary[]>;
  /** One patient the practitioner may choose, or undefined. */
  find(id: string, practitioner: string): Promise<PatientSummary | undefined>;
}

const LIMIT = 20;

export function listDirectory(patients: readonly SmartPatient[]): PatientDirectory {
  return {
    search(text) {
      const needle = text.trim().toLowerCase();
      const hits = patients.filter((p) => !needle || p.name.toLowerCase().includes(needle) || p.id.toLowerCase() === needle || p.identifier?.toLowerCase() === needle);
      return Promise.resolve(hits.slice(0, LIMIT));
    },
    find: (id) => Promise.resolve(patients.find((p) => p.id === id)),
  };
}
