// OIDC-9: SMART App Launch: the EHR systems that may launch apps and the built-in patient list.
import { z } from 'zod';
import { seconds } from './common.js';

export const smartPatient = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'a FHIR id').describe('The FHIR Patient id (what `patient` in the token response carries).'),
  name: z.string().min(1).describe('The name a clinician sees in the patient picker.'),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').optional().describe('Date of birth, shown in the picker to tell people apart.'),
  identifier: z.string().min(1).optional().describe('An identifier shown in the picker, e.g. the NHI number.'),
});

export const smart = z.strictObject({
  ehrLaunchers: z
    .array(z.string().min(1))
    .default([])
    .describe('Clients (in `clients[]`, confidential) allowed to post a launch context to `POST /smart/launch` for an EHR launch (OIDC-9).'),
  launchLifetime: seconds.max(600).default(300).describe('Seconds a `launch` value from `/smart/launch` stays usable (once).'),
  patients: z
    .array(smartPatient)
    .default([])
    .describe('The built-in patient directory: the patients a practitioner may choose from in the picker of a standalone launch asking for `launch/patient`. An agency plugs in its own (a FHIR search) in code.'),
});
