// Test data. Passwords here are test-only; their hashes are computed once per process.
import type { RawConfig } from '../../src/config/schema.js';

export const PASSWORDS = { alice: 'alice-test-password', bob: 'bob-test-password' } as const;

// Precomputed with `npm run hash-password` at N=32768 would slow every start; tests use
// a cheaper cost (same scheme) so a suite signs in many times quickly.
export const TEST_ACCOUNTS: NonNullable<RawConfig['accounts']> = [
  {
    id: 'acct-alice',
    username: 'alice',
    passwordHash: 'scrypt$N=1024,r=8,p=1$c2FsdC1hbGljZS0xMjM0NQ$JwLCrwROGR06AZSHHmKGpYhswo0zEZxie0pvFsa5hUg',
    claims: { name: 'Alice Ngata', given_name: 'Alice', family_name: 'Ngata', birthdate: '1985-04-12', email: 'alice@example.org', email_verified: true, nhi: 'ZZZ0016' },
  },
];

export const TEST_SCOPES: NonNullable<RawConfig['scopes']> = {
  profile: { description: 'See your name and date of birth', claims: ['name', 'given_name', 'family_name', 'birthdate'] },
  email: { description: 'See your email address', claims: ['email', 'email_verified'], optional: true },
  nhi: { description: 'See your National Health Index number', claims: ['nhi'] },
};

export const API = {
  public: 'https://api.test/public',
  inConfidence: 'https://api.test/clinic',
  sensitive: 'https://api.test/fhir',
} as const;

export const TEST_APIS: NonNullable<RawConfig['resourceServers']> = [
  { identifier: API.public, classification: 'PUBLIC', scopes: { 'public.read': 'Read public things' } },
  { identifier: API.inConfidence, classification: 'IN-CONFIDENCE', scopes: { 'clinic.read': 'See your clinic visits' } },
  { identifier: API.sensitive, classification: 'SENSITIVE', scopes: { 'patient/Observation.rs': 'Read your test results' } },
];

export const REDIRECT = 'https://rp.test/cb';
