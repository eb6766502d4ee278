// The policy area's tests in one process: Stryker's command runner starts this once per
// mutant, so one start-up instead of one per file. The quick, pointed tests come first
// (the run stops at the first failure); the property test of client registrations last.
import '../unit/policy-profiles.test.js';
import '../unit/policy-requests.test.js';
import '../unit/policy-client-assertion.test.js';
import '../unit/policy-registration.test.js';
import '../unit/policy-executors.test.js';
import '../unit/policy-lifetimes.test.js';
import '../unit/policy-deployment.test.js';
import '../unit/policy-deployment-checks.test.js';
import '../unit/deployment-edges.test.js';
import '../unit/policy-boundaries.test.js';
import '../unit/scope-claims.test.js';
import '../unit/policy-clients.test.js';
